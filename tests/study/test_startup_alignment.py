"""Start-up re-reads the review log to align the days only when something changed.

open_study used to replay the whole log on every start (0.5-0.8 s at 100,000
cards); it now remembers the scheduler settings the days were aligned to. These
tests pin down both sides: unchanged settings skip the work, and every change
that makes a day stale (a scheduler switch, a retention change under FSRS, an
undo that reaches back before the switch) still realigns.
Real SQLite files and a fixed clock.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import FixedClock, write_deck
from sqlalchemy import select

from quizdl.store.models import CardRow, CardStateRow, ReviewRow
from quizdl.study import fsrs_days
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings

SM2 = StudySettings()
FSRS = StudySettings(scheduler="fsrs")


def _open(url: str, clock: FixedClock, settings: StudySettings) -> StudyService:
    return open_study(database_url=url, clock=clock, bundled=[], settings=settings)


@pytest.fixture
def url(home: Path, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'collection.sqlite3'}"
    setup = _open(url, FixedClock(), SM2)
    setup.import_file(write_deck(tmp_path))
    setup.db.close()
    return url


@pytest.fixture
def alignments(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many cards each full alignment (a read of the whole log) moved."""
    runs: list[int] = []
    real = fsrs_days.align_due_days

    def counting(*args: object, **kwargs: object) -> int:
        moved = real(*args, **kwargs)  # type: ignore[arg-type]
        runs.append(moved)
        return moved

    monkeypatch.setattr(fsrs_days, "align_due_days", counting)
    return runs


def _answer(study: StudyService, card_id: str, grade: int) -> int:
    return study.answer(study.find_card(f"small/{card_id}").pk, grade, 3.0).review_id


def _due(study: StudyService, card_id: str) -> date | None:
    with study.db.read() as session:
        return session.scalar(
            select(CardStateRow.due)
            .join(CardRow, CardRow.pk == CardStateRow.card_pk)
            .where(CardRow.card_id == card_id)
        )


def _sm2_day(study: StudyService, card_id: str) -> date:
    """The card's day as plain SM-2 sets it: its latest scheduled answer's day
    plus the interval that answer set."""
    with study.db.read() as session:
        day, interval = session.execute(
            select(ReviewRow.study_day, ReviewRow.interval_after)
            .join(CardRow, CardRow.pk == ReviewRow.card_pk)
            .where(CardRow.card_id == card_id, ReviewRow.kind == "scheduled")
            .order_by(ReviewRow.id.desc())
            .limit(1)
        ).one()
    return day + timedelta(days=interval)


def test_unchanged_settings_do_not_reread_the_log(url: str, alignments: list[int]) -> None:
    clock = FixedClock()
    study = _open(url, clock, SM2)
    _answer(study, "relu", 4)
    study.db.close()
    alignments.clear()
    for _ in range(3):
        clock.advance(days=1)
        study = _open(url, clock, SM2)
        _answer(study, "dropout", 5)
        study.db.close()
    assert alignments == []


def test_switching_scheduler_realigns_and_then_stays_quiet(url: str, alignments: list[int]) -> None:
    clock = FixedClock()
    study = _open(url, clock, SM2)
    for card_id in ("relu", "dropout", "pool"):
        _answer(study, card_id, 4)
    sm2_days = {card_id: _due(study, card_id) for card_id in ("relu", "dropout", "pool")}
    study.db.close()
    alignments.clear()

    study = _open(url, clock, FSRS)
    fsrs_due = {card_id: _due(study, card_id) for card_id in sm2_days}
    study.db.close()
    assert len(alignments) == 1 and alignments[0] > 0
    assert fsrs_due != sm2_days

    study = _open(url, clock, FSRS)  # the same settings again: nothing to do
    study.db.close()
    study = _open(url, clock, SM2)  # and back: plain SM-2's days again
    assert {card_id: _due(study, card_id) for card_id in sm2_days} == sm2_days
    study.db.close()
    assert len(alignments) == 2


def test_a_per_deck_switch_or_a_new_retention_counts_as_a_change(
    url: str, alignments: list[int]
) -> None:
    clock = FixedClock()
    study = _open(url, clock, SM2)
    _answer(study, "relu", 4)
    study.db.close()
    alignments.clear()
    per_deck = StudySettings(deck_scheduler={"small": "fsrs"})
    _open(url, clock, per_deck).db.close()
    _open(url, clock, per_deck).db.close()
    assert len(alignments) == 1
    stricter = StudySettings(
        deck_scheduler={"small": "fsrs"}, deck_desired_retention={"small": 0.8}
    )
    _open(url, clock, stricter).db.close()
    assert len(alignments) == 2


def test_undo_reaching_back_before_a_switch_is_realigned_at_the_next_start(
    url: str, alignments: list[int]
) -> None:
    clock = FixedClock()
    study = _open(url, clock, FSRS)
    _answer(study, "relu", 4)
    clock.advance(days=4)
    last_fsrs_answer = _answer(study, "relu", 4)
    study.db.close()

    # Back on SM-2, the first thing the learner does is undo that FSRS answer:
    # the card gets back the day FSRS had set before it ...
    study = _open(url, clock, SM2)
    study.undo(last_fsrs_answer)
    stale = _due(study, "relu")
    assert stale != _sm2_day(study, "relu")
    # ... and answers another card (on SQLite it takes the undone answer's id).
    _answer(study, "pool", 5)
    study.db.close()
    alignments.clear()

    study = _open(url, clock, SM2)
    try:
        assert len(alignments) == 1
        assert _due(study, "relu") == _sm2_day(study, "relu")
    finally:
        study.db.close()


def test_a_read_only_start_never_aligns(url: str, alignments: list[int]) -> None:
    clock = FixedClock()
    study = _open(url, clock, SM2)
    _answer(study, "relu", 4)
    study.db.close()
    alignments.clear()
    reader = open_study(
        database_url=url, clock=clock, bundled=[], settings=FSRS, read_only="a test"
    )
    reader.db.close()
    assert alignments == []
