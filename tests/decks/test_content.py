"""Stored card content: the one-call serialisation of a deck equals serialising each card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from quizdl.decks.content import card_to_content, cards_to_content
from quizdl.decks.loader import load_deck

BUNDLED = sorted((Path(__file__).parents[2] / "decks").glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.stem)
def test_a_deck_serialised_at_once_is_stored_as_card_by_card(path: Path) -> None:
    # Every card type (challenge specs, synonym key points, MCQ answer lists) is in the
    # bundled decks; the stored JSON text must not change, key order included.
    cards = load_deck(path).cards
    assert {card.type for card in cards} <= {"concept", "qa", "mcq", "cloze", "challenge"}
    at_once = cards_to_content(cards)
    one_by_one = [card_to_content(card) for card in cards]
    assert [json.dumps(content) for content in at_once] == [
        json.dumps(content) for content in one_by_one
    ]
