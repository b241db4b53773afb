"""quizdl YAML: the deck format itself, so export then import changes nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from quizdl.decks.content import card_to_content
from quizdl.decks.model import Deck
from quizdl.importers.progress import progress_to_data
from quizdl.study.values import ImportedProgress


class _Dumper(yaml.SafeDumper):
    """Multi-line text as ``|`` blocks, so exported decks stay readable and diffable."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # PyYAML falls back to quoting on its own when a block cannot hold the text exactly.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def deck_data(deck: Deck) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": deck.id,
        "title": deck.title,
        "description": deck.description,
        "version": deck.version,
        "tags": list(deck.tags),
        "cards": [card_to_content(card) for card in deck.cards],
    }
    return data


def export_yaml(deck: Deck, progress: Mapping[str, ImportedProgress] | None = None) -> bytes:
    data = deck_data(deck)
    if progress is not None:
        data["progress"] = progress_to_data(progress)
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return text.encode("utf-8")
