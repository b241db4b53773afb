"""What the tests that run real Keras share: the bundled challenges and the
pytest-xdist group of the tests that read their verdicts (see
``tests/challenges/conftest.py``)."""

from __future__ import annotations

from pathlib import Path

from quizdl.decks.loader import load_deck
from quizdl.decks.model import ChallengeCard

DECKS = Path(__file__).resolve().parents[1] / "decks"
# Tests that read ``bundled_verifications`` carry ``xdist_group(BUNDLED)``: one
# worker checks every bundled solution and starter once, and runs them all.
BUNDLED = "bundled-challenges"


def bundled_challenges() -> list[tuple[str, ChallengeCard]]:
    """(deck/card, card) for every challenge in the bundled decks."""
    return [
        (f"{deck.id}/{card.id}", card)
        for deck in (load_deck(path) for path in sorted(DECKS.glob("*.yaml")))
        for card in deck.cards
        if isinstance(card, ChallengeCard)
    ]
