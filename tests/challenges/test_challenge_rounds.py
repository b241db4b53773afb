"""Challenge attempts and grades: one transaction, linked by review id, keyed by deck/card.

A real SQLite file per test; no Keras (verdicts are plain dicts here).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import FixedClock, write_deck
from sqlalchemy import select

from quizdl.store.models import ChallengeAttemptRow, ReviewRow
from quizdl.study.challenges import MAX_CHALLENGE_SECONDS
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService

DECK = """\
id: {deck}
title: Challenge deck {deck}
cards:
  - id: tiny
    type: challenge
    title: A tiny classifier
    prompt: Build it.
    starter: "import keras\\n"
    solution: "import keras\\n"
    expect:
      input: {{shape: [4]}}
      layers:
        - {{type: Dense, units: 3}}
"""
VERDICT = {"challenge": "tiny", "passed": False, "checks": []}


@pytest.fixture
def study(home: Path, clock: FixedClock, tmp_path: Path) -> Iterator[StudyService]:
    service = open_study(clock=clock, bundled=[])
    service.import_file(write_deck(tmp_path, DECK.format(deck="first"), "first.yaml"))
    service.import_file(write_deck(tmp_path, DECK.format(deck="second"), "second.yaml"))
    yield service
    service.db.close()


def reviews(study: StudyService, deck: str) -> list[ReviewRow]:
    pk = study.challenges.find_challenge(f"{deck}/tiny").card_pk
    with study.db.read() as session:
        return list(
            session.scalars(select(ReviewRow).where(ReviewRow.card_pk == pk).order_by(ReviewRow.id))
        )


def attempts(study: StudyService, deck: str) -> list[ChallengeAttemptRow]:
    pk = study.challenges.find_challenge(f"{deck}/tiny").card_pk
    with study.db.read() as session:
        return list(
            session.scalars(
                select(ChallengeAttemptRow)
                .where(ChallengeAttemptRow.card_pk == pk)
                .order_by(ChallengeAttemptRow.id)
            )
        )


def test_a_copied_deck_keeps_its_own_grades(study: StudyService) -> None:
    book = study.challenges
    assert book.record_attempt("second/tiny", "x", False, VERDICT, 1.0) is None
    assert book.record_attempt("second/tiny", "y", True, VERDICT, 1.0) == 4
    assert [r.quality for r in reviews(study, "second")] == [4]
    assert reviews(study, "first") == []
    assert attempts(study, "first") == []
    # The first deck's round is untouched: a pass there is a first try.
    assert book.record_attempt("first/tiny", "z", True, VERDICT, 1.0) == 5


def test_the_pass_links_every_event_of_its_round(study: StudyService) -> None:
    book = study.challenges
    book.save_draft("first/tiny", "draft")
    book.record_attempt("first/tiny", "bad", False, VERDICT, 1.0)
    book.mark_solution_seen("first/tiny")
    assert book.record_attempt("first/tiny", "good", True, VERDICT, 1.0) == 3
    (review,) = reviews(study, "first")
    assert {row.review_id for row in attempts(study, "first")} == {review.id}


def test_undo_reopens_the_round_exactly(study: StudyService, clock: FixedClock) -> None:
    book = study.challenges
    book.record_attempt("first/tiny", "bad", False, VERDICT, 1.0)
    assert book.record_attempt("first/tiny", "good", True, VERDICT, 1.0) == 4
    (review,) = reviews(study, "first")
    study.undo(review.id)
    assert all(row.review_id is None for row in attempts(study, "first"))
    # The failed check is back in the round: passing again still grades 4.
    assert book.record_attempt("first/tiny", "good", True, VERDICT, 1.0) == 4


def test_a_self_graded_answer_starts_a_new_round(study: StudyService, clock: FixedClock) -> None:
    book = study.challenges
    book.record_attempt("first/tiny", "bad", False, VERDICT, 1.0)
    pk = book.find_challenge("first/tiny").card_pk
    study.answer(pk, 2, 10.0)  # graded by hand in a review
    clock.advance(days=1)
    assert book.record_attempt("first/tiny", "good", True, VERDICT, 1.0) == 5


def test_a_failed_grade_write_leaves_no_attempt(
    study: StudyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(study.answering, "answer_in", broken)
    with pytest.raises(RuntimeError):
        study.challenges.record_attempt("first/tiny", "good", True, VERDICT, 1.0)
    assert attempts(study, "first") == []
    assert reviews(study, "first") == []


def test_answer_time_runs_from_the_rounds_first_event_and_is_capped(
    study: StudyService, clock: FixedClock
) -> None:
    book = study.challenges
    book.save_draft("first/tiny", "a")
    clock.advance(hours=2 / 60)
    book.save_draft("first/tiny", "ab")  # the same streak: the start does not move
    clock.advance(hours=1 / 60)
    book.record_attempt("first/tiny", "abc", True, VERDICT, 2.0)
    assert reviews(study, "first")[0].answer_seconds == pytest.approx(180.0)

    # Without earlier events (the CLI's first check) it is the checker's time.
    book.record_attempt("second/tiny", "abc", True, VERDICT, 2.5)
    assert reviews(study, "second")[0].answer_seconds == pytest.approx(2.5)

    clock.advance(days=1)
    book.save_draft("first/tiny", "next round")
    clock.advance(hours=5)
    book.give_up("first/tiny")
    assert reviews(study, "first")[-1].answer_seconds == MAX_CHALLENGE_SECONDS


def test_upgrading_links_existing_attempts_from_their_times(tmp_path: Path) -> None:
    from helpers import migrate_to
    from sqlalchemy import text

    from quizdl.store.db import HEAD_REVISION, Database

    db = Database(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    migrate_to(db, "0001")
    rows = [
        "INSERT INTO decks VALUES ('d', 'D', '', '1', '[]', 'imported', NULL, NULL, "
        "'2026-01-01 00:00:00')",
        "INSERT INTO cards VALUES (1, 'd', 'tiny', 'challenge', 0, '{}', '', 0, 0)",
        "INSERT INTO card_states VALUES (1, 2.5, 1, 1, '2026-01-03', 0)",
        # A failed check, then a pass graded by review 1; then a draft of the next round.
        "INSERT INTO challenge_attempts VALUES (1, 1, '2026-01-01 09:00:00', 'check', 'a', 0,"
        " NULL, 1.0)",
        "INSERT INTO challenge_attempts VALUES (2, 1, '2026-01-01 09:05:00', 'check', 'b', 1,"
        " NULL, 1.0)",
        "INSERT INTO reviews VALUES (1, 1, '2026-01-01 09:05:01', '2026-01-01', 4, 'scheduled',"
        " 1.0, 2.5, 0, 0, NULL, 0, 2.5, 1, 1, '2026-01-02')",
        "INSERT INTO challenge_attempts VALUES (3, 1, '2026-01-02 09:00:00', 'draft', 'c', NULL,"
        " NULL, 0.0)",
    ]
    with db.engine.begin() as connection:
        for statement in rows:
            connection.execute(text(statement))
    db.migrate()
    assert db.current_revision() == HEAD_REVISION
    with db.engine.connect() as connection:
        linked = connection.execute(
            text("SELECT id, review_id, after_review_id FROM challenge_attempts ORDER BY id")
        ).all()
    db.close()
    assert [tuple(row) for row in linked] == [(1, None, None), (2, 1, None), (3, None, 1)]
