"""quizdl's own YAML decks, optionally carrying a top-level ``progress`` mapping.

``progress`` is not part of the deck format, so it is cut out of the text
(replaced by blanks, keeping every line and column) before the strict deck
loader sees the rest; error locations stay right.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from quizdl.decks.loader import parse_deck
from quizdl.importers.progress import progress_from_data
from quizdl.importers.refuse import refuse
from quizdl.importers.source import ImportOptions, ImportSource

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


def read_yaml(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
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
