"""Interview plans: stored, paced into today's queue, readiness per deck and tag."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import FixedClock, collection_url, write_deck

from quizdl.study.errors import StudyError, UnknownDeck
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings

TODAY = date(2026, 11, 27)  # FixedClock's day


def deck_text(deck_id: str, count: int, tag: str) -> str:
    cards = "".join(
        f"  - {{id: c{i}, type: qa, tags: [{tag}], question: 'Q{i}?', answer: 'a{i}'}}\n"
        for i in range(count)
    )
    return f"id: {deck_id}\ntitle: {deck_id.title()}\ncards:\n{cards}"


@pytest.fixture
def study(home: Path, clock: FixedClock, tmp_path: Path) -> Iterator[StudyService]:
    service = open_study(
        database_url=collection_url(tmp_path, "plans"),
        clock=clock,
        bundled=[],
        settings=StudySettings(new_cards_per_day=2),
    )
    service.import_file(write_deck(tmp_path, deck_text("big", 30, "cnn"), "big.yaml"))
    service.import_file(write_deck(tmp_path, deck_text("other", 10, "rnn"), "other.yaml"))
    yield service
    service.db.close()


def new_in(service: StudyService, deck_id: str) -> int:
    return sum(1 for e in service.queue(deck_id) if e.kind == "new")


def test_a_plan_paces_new_cards_up_and_clearing_it_restores_the_limit(
    study: StudyService, clock: FixedClock
) -> None:
    assert new_in(study, "big") == 2
    study.set_plan(TODAY + timedelta(days=9), ["big"])
    # 30 unseen cards over the 7 days before the 2-day final stretch: 5 a day.
    assert new_in(study, "big") == 5
    assert new_in(study, "other") == 2  # not in the plan: its own limit
    summary = {d.id: d.new for d in study.deck_summaries()}
    assert summary == {"big": 5, "other": 2}
    for entry in study.queue("big")[:3]:
        study.answer(entry.pk, 5)
    # Paced from the morning's count: introducing cards does not shrink today's share.
    assert new_in(study, "big") == 2
    status = study.plan_status()
    assert status is not None
    assert (status.days_left, status.unseen, status.pacing.new_today) == (9, 27, 5)
    assert study.clear_plan() is True and study.plan() is None
    assert new_in(study, "big") == 0  # 3 introduced today: over the plain limit of 2
    assert study.clear_plan() is False
    clock.advance(days=1)
    assert new_in(study, "big") == 2


def test_the_daily_budget_bounds_the_pacing(study: StudyService) -> None:
    # 3 minutes a day hold 4 new cards at 45 s each (15 s an answer, 3 answers),
    # though pacing alone would ask for all 40 today.
    study.set_plan(TODAY + timedelta(days=3), minutes_per_day=3)
    # The plan covers both decks: its 4 are shared 30:10 by their unseen cards,
    # and neither deck's own limit of 2 is added on top of the budget.
    assert {d.id: d.new for d in study.deck_summaries()} == {"big": 3, "other": 1}
    assert (new_in(study, "big"), new_in(study, "other")) == (3, 1)
    assert len([e for e in study.queue() if e.kind == "new"]) == 4
    status = study.plan_status()
    assert status is not None and (status.pacing.needed, status.pacing.new_today) == (40, 4)
    study.set_plan(TODAY + timedelta(days=3), minutes_per_day=60)
    # One day before the 2-day stretch: every unseen card today (40, under 80 by budget).
    assert len([e for e in study.queue() if e.kind == "new"]) == 40


def test_a_deck_keeps_its_share_as_its_cards_are_introduced(
    study: StudyService, clock: FixedClock
) -> None:
    # 40 unseen over 7 days: 6 a day, shared 30:10 (4.5 and 1.5; the tied
    # remainder goes to the first deck id).
    study.set_plan(TODAY + timedelta(days=9))
    before = {d.id: d.new for d in study.deck_summaries()}
    assert before == {"big": 5, "other": 1}
    for entry in [e for e in study.queue("big") if e.kind == "new"]:
        study.answer(entry.pk, 5)
    # Studying one deck's share does not hand it the other's.
    assert new_in(study, "big") == 0
    assert new_in(study, "other") == before["other"]
    clock.advance(days=1)
    assert sum(d.new for d in study.deck_summaries()) == 6


def test_readiness_per_deck_and_tag(study: StudyService, clock: FixedClock) -> None:
    study.set_plan(TODAY + timedelta(days=2))
    other = [study.find_card(f"c{i}", "other").pk for i in range(10)]
    for pk in other:
        study.answer(pk, 5)
    clock.advance(days=1)
    for pk in other:
        study.answer(pk, 5)
    status = study.plan_status()
    assert status is not None and status.days_left == 1
    assert (status.overall.cards, status.unseen) == (40, 30)
    groups = {g.name: g for g in status.groups}
    assert groups["deck:big"].mean_recall == 0.0 and groups["deck:big"].ready == 0
    assert groups["tag:rnn"].cards == 10 and groups["tag:rnn"].mean_recall > 0.9
    assert groups["tag:rnn"].ready == 10 and status.overall.ready == 10
    assert [g.name for g in status.groups][-1] in {"deck:other", "tag:rnn"}  # weakest first
    as_json = status.as_json()
    assert as_json["interview_day"] == "2026-11-29" and as_json["readiness"]["ready"] == 10
    assert {g["name"] for g in as_json["groups"]} == {
        "deck:big",
        "deck:other",
        "tag:cnn",
        "tag:rnn",
    }


def test_bad_plans_are_refused_and_nothing_is_stored(study: StudyService) -> None:
    with pytest.raises(StudyError, match="must be after today"):
        study.set_plan(TODAY)
    with pytest.raises(UnknownDeck, match="no deck with id 'nope'"):
        study.set_plan(TODAY + timedelta(days=5), ["nope"])
    with pytest.raises(StudyError, match="minutes per day must be more than 0"):
        study.set_plan(TODAY + timedelta(days=5), minutes_per_day=0)
    with pytest.raises(StudyError, match="at most 1440, got 1e"):
        study.set_plan(TODAY + timedelta(days=5), minutes_per_day=1e300)
    # A year-9999 interview was taken, and planned day by day for 2.9 million days.
    with pytest.raises(StudyError, match="at most 3650 days away, got 9999-12-31"):
        study.set_plan(date(9999, 12, 31))
    assert study.plan() is None and study.plan_status() is None


def test_no_new_cards_paced_on_or_after_the_interview(
    study: StudyService, clock: FixedClock
) -> None:
    study.set_plan(TODAY + timedelta(days=1))
    clock.advance(days=1)
    assert new_in(study, "big") == 2  # the interview day: plain limits again


def test_a_plan_across_the_autumn_clock_change_counts_whole_days(
    home: Path, tmp_path: Path
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    # Berlin leaves summer time in the night of Sun 25 Oct 2026 (a 25-hour day).
    berlin = ZoneInfo("Europe/Berlin")
    clock = FixedClock(datetime(2026, 10, 20, 9, 0, tzinfo=berlin))
    study = open_study(clock=clock, bundled=[], settings=StudySettings(new_cards_per_day=1))
    try:
        study.import_file(write_deck(tmp_path, deck_text("big", 21, "cnn"), "big.yaml"))
        study.set_plan(date(2026, 10, 29))
        days_left, introduced = [], []
        for _ in range(9):
            status = study.plan_status()
            assert status is not None
            days_left.append(status.days_left)
            new = [e for e in study.queue() if e.kind == "new"]
            introduced.append(len(new))
            for entry in new:
                study.answer(entry.pk, 5)
            clock.advance(days=1)
        # Wall-clock days: 09:00 every morning, the 25-hour day counted once.
        assert days_left == [9, 8, 7, 6, 5, 4, 3, 2, 1]
        # 21 cards over the 7 days before the 2-day final stretch: 3 a day,
        # all seen before the stretch; nothing new is left for it.
        assert introduced == [3, 3, 3, 3, 3, 3, 3, 0, 0]
        # 03:30 on the night of the change still belongs to Saturday's study day.
        clock.now = datetime(2026, 10, 25, 3, 30, tzinfo=berlin)
        assert study.today() == date(2026, 10, 24)
        status = study.plan_status()
        assert status is not None and status.days_left == 5
    finally:
        study.db.close()
