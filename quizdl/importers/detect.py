"""Choosing a reader from the file's content; the extension only breaks ties.

Rules, in order:

1. Zip magic (``PK``) -> Anki package (.apkg/.colpkg, whatever the name).
2. SQLite magic -> a bare Anki collection; zstd magic -> a compressed one.
3. Any other binary content (NUL bytes) -> refused.
4. Text named ``.yaml``/``.yml`` -> quizdl YAML (YAML also reads JSON).
5. Text starting like a JSON object or array (``{"``, ``[{``, ``["``...) -> JSON.
6. Anki text-export headers (``#separator:``, ``#html:``, ``#columns:`` ...) -> CSV.
7. Top-level ``id:`` and ``cards:`` keys -> quizdl YAML.
8. Markdown question markers (``#`` headings, ``Q:`` lines, whole bold lines,
   ``<details>``) -> Markdown.
   (Before 8: a consistent delimiter with a front/back header row, or with a
   .csv/.tsv name, or on nearly every line with at most one Markdown-looking
   line -> CSV, since cells may start like Markdown.)
9. ``.csv``/``.tsv``/``.md``/``.json`` extensions, then a delimiter that the
   CSV sniffer finds consistent over the first lines -> CSV.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Literal

from quizdl.importers.anki_package import SQLITE_MAGIC, ZSTD_MAGIC
from quizdl.importers.refuse import refuse

Format = Literal["anki-package", "anki-collection", "csv", "markdown", "json", "yaml"]
FORMATS: tuple[str, ...] = ("anki-package", "anki-collection", "csv", "markdown", "json", "yaml")
HEAD_BYTES = 64 * 1024

_ANKI_TEXT_HEADER = re.compile(
    r"^#(separator|html|tags column|columns|notetype|deck|guid column|notetype column"
    r"|deck column):",
    re.MULTILINE,
)
# "[" alone is not enough: Markdown often opens with a link or badge, "[![CI](...)]".
_JSON_START = re.compile(r'\s*(\{\s*("|\})|\[\s*(\{|\[|"|-?\d|true\b|false\b|null\b|\]))')
_YAML_DECK = (re.compile(r"^id:\s*\S", re.MULTILINE), re.compile(r"^cards:\s*(\[|$)", re.MULTILINE))
_MARKDOWN = re.compile(
    r"^(#{1,6}\s+\S|\s*(\*\*)?(Q|Question)\s*(\*\*)?\s*[:：]|\s*<details\b|\*\*[^*\n].*\*\*\s*$)",
    re.MULTILINE | re.IGNORECASE,
)
_BY_EXTENSION: dict[str, Format] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".md": "markdown",
    ".markdown": "markdown",
    ".json": "json",
    ".apkg": "anki-package",
    ".colpkg": "anki-package",
}


def detect(path: Path, head: bytes) -> Format:
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "anki-package"
    if head.startswith((SQLITE_MAGIC, ZSTD_MAGIC)):
        return "anki-collection"
    suffix = path.suffix.lower()
    if b"\x00" in head[:8192]:
        if suffix in (".apkg", ".colpkg"):
            refuse(path, "not a zip archive, so not an Anki package (corrupt or wrong file?)")
        refuse(path, "binary file: not an Anki package or collection, nor a text format")
    if not head.strip():
        refuse(path, "file is empty")
    text = head.decode("utf-8", errors="ignore").lstrip("\ufeff")
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in (".apkg", ".colpkg"):
        refuse(path, "not a zip archive, so not an Anki package (corrupt or wrong file?)")
    if _JSON_START.match(text):
        return "json"
    if _ANKI_TEXT_HEADER.search(text):
        return "csv"
    if all(pattern.search(text) for pattern in _YAML_DECK):
        return "yaml"
    delimiter = sniff_delimiter(text)
    # A header row naming front and back, or a delimited file named as one, is CSV even
    # when a cell happens to start like Markdown ("# of layers", "**bold**").
    if delimiter is not None and (
        _csv_header(text, delimiter) or suffix in (".csv", ".tsv", ".tab")
    ):
        return "csv"
    if delimiter is not None and _mostly_delimited(text, delimiter):
        return "csv"
    if _MARKDOWN.search(text):
        return "markdown"
    if suffix in _BY_EXTENSION:
        return _BY_EXTENSION[suffix]
    if delimiter is not None:
        return "csv"
    refuse(
        path,
        "could not tell the format: not an Anki package, CSV/TSV, Markdown question list, "
        "JSON or quizdl YAML",
    )


FRONT_NAMES = ("front", "question", "q", "term", "prompt", "word")
BACK_NAMES = ("back", "answer", "a", "definition", "explanation", "meaning")


def _csv_header(text: str, delimiter: str) -> bool:
    first = next(csv.reader(text.splitlines()[:1], delimiter=delimiter), [])
    names = {cell.strip().casefold() for cell in first}
    return bool(names & set(FRONT_NAMES)) and bool(names & set(BACK_NAMES))


def _mostly_delimited(text: str, delimiter: str) -> bool:
    """Nearly every line splits into the same number (2+) of fields and at most one looks
    like Markdown: a "front; back" file with a stray "### Chapter" line is still CSV."""
    lines = [line for line in text.splitlines()[:200] if line.strip()]
    if len(lines) < 3:
        return False
    markdown = sum(1 for line in lines if _MARKDOWN.match(line))
    if markdown > max(1, len(lines) // 20):
        return False
    widths = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
    common = max(set(widths), key=widths.count)
    return common >= 2 and widths.count(common) >= 0.9 * (len(lines) - markdown)


def sniff_delimiter(text: str) -> str | None:
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    sample = "\n".join(lines[:50])
    if not sample:
        return None
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        pass
    # The sniffer gives up on short or irregular samples; a delimiter on most lines will do.
    for delimiter in ("\t", ";", ",", "|"):
        if sum(1 for line in lines[:50] if delimiter in line) >= max(1, len(lines[:50]) * 0.8):
            return delimiter
    return None
