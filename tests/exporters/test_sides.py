"""Two-sided copies of cards (CSV, Anki) read back into the cards they came from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from quizdl.decks.loader import load_deck
from quizdl.decks.model import MCQCard
from quizdl.exporters.sides import edited_from_sides, front_and_back, is_two_sided_copy

CARDS = [
    card
    for path in sorted((Path(__file__).parents[2] / "decks").glob("*.yaml"))
    for card in load_deck(path).cards
]


def _trimmed(value: Any) -> Any:
    if isinstance(value, str):
        return value.rstrip()
    if isinstance(value, dict):
        return {key: _trimmed(item) for key, item in value.items()}
    return value


def test_every_bundled_card_reads_back_from_its_own_two_sides() -> None:
    # front_and_back in reverse gives the card again (a side keeps no trailing
    # newline), and the unedited sides are recognised as a copy.
    assert {card.type for card in CARDS} == {"concept", "qa", "mcq", "cloze", "challenge"}
    for card in CARDS:
        front, back = front_and_back(card)
        copy = {"type": "qa", "id": card.id, "question": front.strip(), "answer": back.strip()}
        assert is_two_sided_copy(card, copy), card.id
        again = edited_from_sides(card, copy)
        assert again is not None, card.id
        assert _trimmed(again.model_dump()) == _trimmed(card.model_dump()), card.id


def test_sides_that_no_longer_read_as_the_card_give_none() -> None:
    mcq = MCQCard(type="mcq", id="m", question="Which?", choices=("one", "two", "three"), answer=2)
    front, back = front_and_back(mcq)
    assert back == "c) three"
    # The right-answer line names a choice that is not there any more.
    broken = {"type": "qa", "question": front.removesuffix("\nc) three"), "answer": back}
    assert not is_two_sided_copy(mcq, broken)
    assert edited_from_sides(mcq, broken) is None
    # Renamed in both places, it is an edit.
    renamed = {"type": "qa", "question": front.replace("three", "3"), "answer": "c) 3"}
    edited = edited_from_sides(mcq, renamed)
    assert isinstance(edited, MCQCard) and edited.choices == ("one", "two", "3")
