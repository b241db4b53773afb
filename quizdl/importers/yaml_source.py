"""quizdl's own YAML decks, optionally carrying a top-level ``progress`` mapping, and
decks written for Anki YAML tools (``deck:`` plus ``notes:``).

``progress`` is not part of the deck format, so it is cut out of the text
(replaced by blanks, keeping every line and column) before the strict deck
loader sees the rest; error locations stay right.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from quizdl.decks.loader import parse_deck
from quizdl.importers.assemble import DeckBuilder
from quizdl.importers.ids import content_id, given_id
from quizdl.importers.json_source import value_text
from quizdl.importers.progress import progress_from_data
from quizdl.importers.refuse import refuse
from quizdl.importers.source import ImportOptions, ImportSource, title_fields

_PROGRESS_KEY = re.compile(r"^progress\s*:", re.MULTILINE)
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _split_progress(text: str, path: Path) -> tuple[str, str | None]:
    """The deck text without its progress block, and the block's own text."""
    if not _PROGRESS_KEY.search(text):
        return text, None
    try:
        root = yaml.compose(text, Loader=_Loader)  # nodes only: nothing is constructed
    except (yaml.YAMLError, RecursionError):
        return text, None  # the deck loader reports the syntax error with its location
    if not isinstance(root, yaml.MappingNode):
        return text, None
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == "progress":
            start, end = key_node.start_mark.index, value_node.end_mark.index
            if key_node.start_mark.column != 0:
                refuse(path, "progress must be a top-level key", line=key_node.start_mark.line + 1)
            blank = "".join("\n" if char == "\n" else " " for char in text[start:end])
            return text[:start] + blank + text[end:], text[start:end]
    return text, None


_OTHER_TOOL = re.compile(r"^notes\s*:", re.MULTILINE)
_QUIZDL_CARDS = re.compile(r"^cards\s*:", re.MULTILINE)


def _other_tool_deck(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
    """A deck written for an Anki YAML tool: ``deck`` (or ``name``/``title``) and ``notes``
    of ``{guid?, front, back, include_reverse?}``; a reversed note adds the back-to-front
    card, as Anki's "Basic (and reversed card)" would."""
    try:
        data = yaml.load(text, Loader=_Loader)  # _Loader is a SafeLoader
    except (yaml.YAMLError, RecursionError) as exc:
        mark = getattr(exc, "problem_mark", None)
        refuse(path, "not valid YAML", line=mark.line + 1 if mark is not None else 0)
    notes = data.get("notes") if isinstance(data, dict) else None
    if not isinstance(notes, list):
        refuse(path, "'notes' must be a list of {front, back} notes")
    builder = DeckBuilder(path, options)
    for number, note in enumerate(notes, start=1):
        where = f"note {number}"
        if not isinstance(note, dict):
            builder.skip(where, "expected a mapping with front and back")
            continue
        front = value_text(note.get("front", note.get("question")))
        back = value_text(note.get("back", note.get("answer", "")))
        if front is None or back is None:
            builder.skip(where, "front and back must be text")
            continue
        guid = note.get("guid", note.get("id"))
        card_id = given_id(str(guid)) if guid not in (None, "") else content_id(front)
        raw_tags = note.get("tags", [])
        tags = raw_tags.split() if isinstance(raw_tags, str) else [str(t) for t in raw_tags or []]
        builder.add_qa(card_id, front, back, tags, where, dedupe_question=guid is None)
        if note.get("include_reverse") is True or note.get("reverse") is True:
            builder.add_qa(f"{card_id}-r", back, front, tags, f"{where} (reversed)")
    given = next(
        (str(data[key]) for key in ("deck", "name", "title") if isinstance(data.get(key), str)),
        None,
    )
    title = given or path.stem
    deck = builder.build(title, title)
    return ImportSource(
        deck,
        "yaml",
        path,
        digest,
        builder.skipped,
        deck_fields=title_fields(given is not None),
        deck_id_given=builder.deck_id_given,
    )


def read_yaml(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
    if _OTHER_TOOL.search(text) and not _QUIZDL_CARDS.search(text):
        return _other_tool_deck(path, text, digest, options)
    deck_text, progress_text = _split_progress(text, path)
    deck = parse_deck(deck_text, str(path))
    source = ImportSource(deck, "yaml", path, digest)
    if options.with_progress and progress_text is not None:
        try:
            data = yaml.load(progress_text, Loader=_Loader)  # _Loader is a SafeLoader
        except yaml.YAMLError as exc:
            refuse(path, f"progress: {exc}")
        source.progress = progress_from_data(
            data.get("progress") if isinstance(data, dict) else None,
            path,
            {card.id for card in deck.cards},
        )
    return source
