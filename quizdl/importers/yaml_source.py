"""quizdl's own YAML decks, optionally carrying a top-level ``progress`` mapping.

``progress`` is not part of the deck format, so it is cut out of the text
(replaced by blanks, keeping every line and column) before the strict deck
loader sees the rest; error locations stay right.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from quizdl.decks.loader import compose, construct, parse_deck
from quizdl.importers.progress import progress_from_data
from quizdl.importers.source import ImportOptions, ImportSource


def read_yaml(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
    name = str(path)
    root = compose(text, name)
    progress_node: yaml.Node | None = None
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == "progress":
                progress_node = value_node
                start, end = key_node.start_mark.index, value_node.end_mark.index
                blank = "".join("\n" if char == "\n" else " " for char in text[start:end])
                text = text[:start] + blank + text[end:]
                break
    deck = parse_deck(text, name)
    source = ImportSource(deck, "yaml", path, digest)
    if options.with_progress and progress_node is not None:
        data = construct(progress_node, name)
        source.progress = progress_from_data(data, path, {card.id for card in deck.cards})
    return source
