"""CSV, TSV and other delimited text, including Anki's "Notes in Plain Text" export.

Anki's export starts with ``#key:value`` header lines (``#separator:tab``,
``#html:true``, ``#tags column:3``, ``#guid column:1``, ``#columns:...``).
Otherwise the delimiter is sniffed, a header row is recognised by its names
(front/question/term, back/answer, tags, id), and the flags
``--front-column``/``--back-column``/``--tags-column`` settle ambiguity.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from quizdl.exporters.csv_export import COLUMNS
from quizdl.importers.assemble import DeckBuilder
from quizdl.importers.detect import BACK_NAMES, FRONT_NAMES, sniff_delimiter
from quizdl.importers.html_text import html_to_markdown, looks_like_html
from quizdl.importers.ids import anki_card_id, content_key, given_id, id_of_key
from quizdl.importers.refuse import refuse
from quizdl.importers.source import ImportOptions, ImportSource, MediaNotes, title_fields

_SEPARATORS = {
    "comma": ",",
    "semicolon": ";",
    "tab": "\t",
    "space": " ",
    "pipe": "|",
    "colon": ":",
}
_TAG_NAMES = ("tags", "tag", "labels")
_ID_NAMES = ("id", "card id", "card_id", "guid")
_DECK_NAMES = ("deck",)
# quizdl's own export, told by its header's first five (the deck column came later).
_OWN_COLUMNS = list(COLUMNS[:5])
_PROGRESS_EVERY = 1000
csv.field_size_limit(16 * 1024 * 1024)


@dataclass
class _Columns:
    front: int
    back: int | None
    tags: int | None
    id: int | None
    guid: bool  # the id column holds Anki GUIDs
    deck: int | None  # a "deck" column (quizdl's export: the deck's id)


def _header_lines(lines: list[str]) -> tuple[dict[str, str], int]:
    headers: dict[str, str] = {}
    count = 0
    for line in lines:
        match = re.match(r"^#([a-z ]+):(.*)$", line.rstrip("\r\n"))
        if not match:
            break
        headers[match.group(1).strip()] = match.group(2)
        count += 1
    return headers, count


def _pick(spec: str | None, names: list[str], what: str, path: Path) -> int | None:
    if spec is None:
        return None
    if spec.isdigit():
        index = int(spec) - 1
        if index < 0:
            refuse(path, f"--{what}-column counts from 1")
        return index
    lowered = [name.strip().casefold() for name in names]
    if spec.casefold() in lowered:
        return lowered.index(spec.casefold())
    refuse(path, f"--{what}-column {spec!r}: no such column (columns: {', '.join(names)})")


def _names_a_column(row: list[str], options: ImportOptions) -> bool:
    """A column flag given by name means the first row is a header."""
    lowered = {cell.strip().casefold() for cell in row}
    flags = (options.front_column, options.back_column, options.tags_column)
    return any(flag and not flag.isdigit() and flag.casefold() in lowered for flag in flags)


def _find(names: list[str], candidates: tuple[str, ...]) -> int | None:
    lowered = [name.strip().casefold() for name in names]
    for candidate in candidates:
        if candidate in lowered:
            return lowered.index(candidate)
    return None


def read_csv(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
    lines = text.splitlines(keepends=True)
    headers, skip_lines = _header_lines(lines)
    body = "".join(lines[skip_lines:])
    separator = headers.get("separator", "").strip()
    delimiter = _SEPARATORS.get(separator.casefold(), separator[:1]) if separator else None
    if delimiter is None:
        delimiter = sniff_delimiter(body) or ("\t" if path.suffix.lower() == ".tsv" else ",")
    try:
        rows, line_numbers = _parse(body, delimiter, skip_lines)
    except csv.Error as exc:
        refuse(path, f"not readable as CSV: {exc}")
    html_header = headers.get("html", "").strip().casefold()

    header_names: list[str] = []
    first = rows[0] if rows else []
    if "columns" in headers:
        header_names = next(csv.reader([headers["columns"]], delimiter=delimiter), [])
    elif first and (
        (_find(first, FRONT_NAMES) is not None and _find(first, BACK_NAMES) is not None)
        or _names_a_column(first, options)
    ):
        header_names = first
        rows = rows[1:]
        line_numbers = line_numbers[1:]
    columns = _columns(path, headers, header_names, rows, options)
    html = html_header == "true"
    # Fields that only look like HTML are sniffed, unless the file says what they
    # are: "#html:false", or quizdl's own export, whose fields are Markdown where
    # "<b>" is text a card shows.
    own_export = [name.strip().casefold() for name in header_names[:5]] == _OWN_COLUMNS
    sniff = not html_header and not own_export

    builder = DeckBuilder(path, options)
    media = MediaNotes()
    width = max((len(row) for row in rows), default=0)
    if not header_names and width > 2 and columns.tags is None and options.front_column is None:
        builder.skip(
            "columns",
            f"rows have {width} columns; only the first two were read "
            "(choose others with --front-column/--back-column/--tags-column)",
        )
    total = len(rows)
    for index, (row, line) in enumerate(zip(rows, line_numbers, strict=False), start=1):
        if options.on_progress is not None and (index % _PROGRESS_EVERY == 0 or index == total):
            options.on_progress(index, total)
        where = f"line {line}"
        if not "".join(row).strip():  # only blank cells
            continue
        if columns.front >= len(row) or (columns.back is not None and columns.back >= len(row)):
            builder.skip(where, f"{len(row)} column(s); expected a front and a back")
            continue
        front = row[columns.front]
        back = row[columns.back] if columns.back is not None else ""
        if html or (sniff and (looks_like_html(front) or looks_like_html(back))):
            front, back = html_to_markdown(front, media), html_to_markdown(back, media)
        tags = (
            row[columns.tags].split()
            if columns.tags is not None and columns.tags < len(row)
            else []
        )
        raw_id = row[columns.id].strip() if columns.id is not None and columns.id < len(row) else ""
        key = None
        if raw_id:
            card_id = anki_card_id(raw_id) if columns.guid else given_id(raw_id)
        else:
            key = content_key(front)
            card_id = id_of_key(key)
        builder.add_qa(
            card_id, front, back, tags, where, dedupe_question=not raw_id, question_key=key
        )
    given = headers.get("deck", "").strip()
    title = given or path.stem
    named = _named_deck(columns.deck, rows)
    deck = builder.build(title, named or title, named=named is not None)
    return ImportSource(
        deck,
        "csv",
        path,
        digest,
        builder.skipped,
        media,
        deck_fields=title_fields(bool(given)),
        deck_id_given=builder.deck_id_given,
    )


def _named_deck(column: int | None, rows: list[list[str]]) -> str | None:
    """The deck a "deck" column names when every row names the same one (quizdl's
    export writes its deck id there), so that the file goes back into that deck."""
    if column is None:
        return None
    named = {row[column].strip() for row in rows if column < len(row)} - {""}
    return named.pop() if len(named) == 1 else None


def _columns(
    path: Path,
    headers: dict[str, str],
    names: list[str],
    rows: list[list[str]],
    options: ImportOptions,
) -> _Columns:
    def header_index(key: str) -> int | None:
        value = headers.get(key, "").strip()
        return int(value) - 1 if value.isdigit() and int(value) > 0 else None

    guid = header_index("guid column")
    front = _pick(options.front_column, names, "front", path)
    back = _pick(options.back_column, names, "back", path)
    tags = _pick(options.tags_column, names, "tags", path)
    if tags is None:
        tags = header_index("tags column")
    if tags is None and names:
        tags = _find(names, _TAG_NAMES)
    id_column = guid if guid is not None else (_find(names, _ID_NAMES) if names else None)
    is_guid = guid is not None or (id_column is not None and names[id_column].casefold() == "guid")
    # Anki's export puts notetype/deck/guid columns first: the fields follow them.
    taken = {
        index
        for index in (guid, header_index("notetype column"), header_index("deck column"), tags)
        if index is not None
    }
    if id_column is not None:
        taken.add(id_column)
    deck = _find(names, _DECK_NAMES) if names else None
    if deck is not None:
        taken.add(deck)
    free = [
        index for index in range(max((len(row) for row in rows), default=2)) if index not in taken
    ]
    if front is None:
        front = _find(names, FRONT_NAMES) if names else None
        if front is None:
            front = free[0] if free else 0
    if back is None:
        back = _find(names, BACK_NAMES) if names else None
        if back is None:
            rest = [index for index in free if index != front]
            back = rest[0] if rest else None
    return _Columns(front, back, tags, id_column, is_guid, deck)


def _parse(body: str, delimiter: str, offset: int) -> tuple[list[list[str]], list[int]]:
    """Rows and the 1-based file line each starts on (quoted fields may span lines)."""
    reader = csv.reader(body.splitlines(keepends=True), delimiter=delimiter, strict=False)
    rows: list[list[str]] = []
    starts: list[int] = []
    previous_end = 0
    for row in reader:
        rows.append(row)
        starts.append(offset + previous_end + 1)
        previous_end = reader.line_num
    return rows, starts
