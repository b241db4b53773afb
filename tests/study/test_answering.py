"""The answering service: what an answer does, whoever gives it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import SMALL_DECK, FixedClock, write_deck

from quizdl.scheduling.leech import LeechAction
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings

CHALLENGE_DECK = """\
id: drills
title: Drills
cards:
  - id: tiny
    type: challenge
    title: A tiny classifier
    prompt: Build it.
    starter: "import keras\\n"
    solution: "import keras\\n"
    expect:
      input: {shape: [4]}
      layers:
        - {type: Dense, units: 3}
"""
VERDICT = {"challenge": "tiny", "passed": True, "checks": []}


@pytest.fixture
def study(home: Path, clock: FixedClock, tmp_path: Path) -> Iterator[StudyService]:
    settings = StudySettings(leech_threshold=2, leech_action=LeechAction.SUSPEND)
    service = open_study(clock=clock, bundled=[], settings=settings)
    service.import_file(write_deck(tmp_path, CHALLENGE_DECK, "drills.yaml"))
    service.import_file(write_deck(tmp_path, SMALL_DECK, "small.yaml"))
    yield service
    service.db.close()


def test_challenge_grades_count_lapses_and_leeches_like_card_answers(
    study: StudyService, clock: FixedClock
) -> None:
    book = study.challenges
    challenge = book.find_challenge("drills/tiny").card_pk
    card = study.find_card("small/relu").pk
    # Day by day: recalled, lapsed, recalled, lapsed. The challenge earns its
    # grades from checks (5 on a first-try pass) and giving up (1); the card
    # is graded 5 and 1 by hand.
    for day, passes in enumerate([True, False, True, False]):
        if passes:
            assert book.record_attempt("drills/tiny", "code", True, VERDICT, 1.0) == 5
            assert not study.answer(card, 5).leech
        else:
            assert book.give_up("drills/tiny") == 1
            assert study.answer(card, 1).leech == (day == 3)
        clock.advance(days=1)

    for pk in (challenge, card):
        detail = study.card_detail(pk)
        assert detail.lapses == 2
        assert detail.status == "suspended"  # the configured leech action
    assert {row.card_id for row in study.browse(tag="leech")} == {"tiny", "relu"}
    assert study.leech_count() == 2
