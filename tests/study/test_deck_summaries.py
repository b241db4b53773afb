"""The deck list counts from ``card_counts``: the same numbers as joining every card.

``decks list`` and home used to join all cards to their states; they now read
the per-deck counts the triggers keep. The join (``LibraryService``) is the
reference here, over a collection with new, answered, due, learning,
suspended and retired cards, two decks, a daily limit and an interview plan.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from helpers import FixedClock, write_deck

from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings

OTHER_DECK = """\
id: other
title: Another deck
cards:
""" + "".join(
    f"  - id: c{i}\n    type: concept\n    term: Term {i}\n    explanation: Text {i}.\n"
    for i in range(30)
)


def both(study: StudyService) -> None:
    by_join = study.library.deck_summaries()
    by_counts = study.statistics.deck_summaries()
    assert by_counts == by_join
    assert by_counts == study.deck_summaries()


def test_counts_match_the_join_through_a_learners_days(
    home: Path, tmp_path: Path, clock: FixedClock
) -> None:
    study = open_study(
        clock=clock, bundled=[], settings=StudySettings(deck_new_cards_per_day={"other": 7})
    )
    try:
        study.import_file(write_deck(tmp_path))
        study.import_file(write_deck(tmp_path, OTHER_DECK, "other.yaml"))
        both(study)
        relu = study.find_card("small/relu").pk
        study.answer(relu, 4, 2.0)
        study.answer(study.find_card("small/dropout").pk, 1, 2.0)  # on today's steps
        for i in range(5):
            study.answer(study.find_card(f"other/c{i}").pk, 5 if i % 2 else 3, 2.0)
        study.set_suspended(study.find_card("other/c10").pk, True)
        study.set_suspended(study.find_card("other/c1").pk, True)
        both(study)
        # A card retired by a re-import leaves every count.
        study.import_file(write_deck(tmp_path, OTHER_DECK.replace("  - id: c29", "  - id: z29")))
        both(study)
        clock.advance(days=1)
        both(study)  # yesterday's answers are due today
        clock.advance(days=6)
        both(study)
        study.set_plan(study.today() + timedelta(days=10), ["other"], 15)
        both(study)  # the plan paces new cards and sets the planned deck's due count
        study.set_plan(study.today() + timedelta(days=20))
        both(study)
        study.clear_plan()
        both(study)
    finally:
        study.db.close()
