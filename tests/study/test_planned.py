"""The interview plan in the queue: capped at the day, the final stretch, load smoothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import FixedClock, collection_url, write_deck
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings

DAY0 = date(2026, 11, 27)  # FixedClock's study day


def deck_text(count: int, deck_id: str = "plan") -> str:
    cards = "".join(
        f"  - {{id: c{i}, type: qa, question: 'Q{i}?', answer: 'a{i}'}}\n" for i in range(count)
    )
    return f"id: {deck_id}\ntitle: {deck_id.title()}\ncards:\n{cards}"


@pytest.fixture
def study(home: Path, clock: FixedClock, tmp_path: Path) -> Iterator[StudyService]:
    # On PostgreSQL too when QUIZDL_TEST_POSTGRES names a server (helpers.collection_url).
    service = open_study(
        database_url=collection_url(tmp_path, "plan"),
        clock=clock,
        bundled=[],
        settings=StudySettings(new_cards_per_day=10),
    )
    service.import_file(write_deck(tmp_path, deck_text(8), "plan.yaml"))
    service.import_file(write_deck(tmp_path, deck_text(2, "other"), "other.yaml"))
    yield service
    service.db.close()


def pk(service: StudyService, card_id: str, deck_id: str = "plan") -> int:
    return service.find_card(card_id, deck_id).pk


def reviews_today(service: StudyService, deck_id: str | None = None) -> list[str]:
    return [service.card(e.pk).card_id for e in service.queue(deck_id) if e.kind == "review"]


def learn(service: StudyService, clock: FixedClock, grades: dict[str, tuple[int, int]]) -> None:
    """Day 0 and day 1 answers per card: SM-2 then has them due on day 7."""
    for card_id, (first, _) in grades.items():
        service.answer(pk(service, card_id), first)
    clock.advance(days=1)
    for card_id, (_, second) in grades.items():
        service.answer(pk(service, card_id), second)


def own_due(service: StudyService, card_id: str) -> date | None:
    return service.card(pk(service, card_id)).state.due


def test_no_review_lands_after_the_interview_and_clearing_restores_sm2(
    study: StudyService, clock: FixedClock
) -> None:
    learn(study, clock, {"c0": (5, 5), "c1": (5, 3)})
    assert own_due(study, "c0") == DAY0 + timedelta(days=7)  # 1 + 6 days
    # Interview on day 6: the final stretch is days 4 and 5.
    study.set_plan(DAY0 + timedelta(days=6), ["plan"], minutes_per_day=20)
    for day in (2, 3, 4):
        clock.advance(days=1)
        assert study.today() == DAY0 + timedelta(days=day)
        assert reviews_today(study) == []
    clock.advance(days=1)  # day 5, the last study day: both, weakest (graded 3) first
    assert reviews_today(study) == ["c1", "c0"]
    assert {d.id: d.due for d in study.deck_summaries()} == {"plan": 2, "other": 0}
    # The plan moved when they are shown, not their SM-2 state.
    assert own_due(study, "c0") == DAY0 + timedelta(days=7)
    assert study.clear_plan()
    assert reviews_today(study) == []  # plain SM-2: due on day 7
    assert {d.id: d.due for d in study.deck_summaries()}["plan"] == 0


def test_a_card_seen_in_the_final_stretch_rests_until_the_interview(
    study: StudyService, clock: FixedClock
) -> None:
    learn(study, clock, {"c0": (5, 5)})
    study.set_plan(DAY0 + timedelta(days=6))
    clock.advance(days=4)  # day 5
    assert reviews_today(study) == ["c0"]
    outcome = study.answer(pk(study, "c0"), 4)
    assert outcome.after.due == DAY0 + timedelta(days=5 + 17)  # SM-2: ceil(6 × 2.7)
    assert reviews_today(study) == []  # answered today: not again (learning steps aside)
    clock.advance(days=1)  # the interview day: the plan no longer moves anything
    assert reviews_today(study) == []


def test_cards_of_other_decks_keep_their_own_days(study: StudyService, clock: FixedClock) -> None:
    for card in ("c0", "c1"):
        study.answer(pk(study, card, "other"), 5)
    learn(study, clock, {"c0": (5, 5)})
    study.set_plan(DAY0 + timedelta(days=6), ["plan"])
    # The other deck's cards were due on day 1 and answered then only by "plan".
    assert reviews_today(study, "other") == ["c0", "c1"]
    assert reviews_today(study, "plan") == []


def test_a_day_over_the_budget_hands_its_strongest_cards_to_earlier_days(
    study: StudyService, clock: FixedClock
) -> None:
    learn(study, clock, {f"c{i}": (5, 5) for i in range(8)})
    # One minute a day holds three reviews at 15 s an answer (each ≈ 17 s
    # with its chance of relearning): eight on the last study day do not fit.
    study.set_plan(DAY0 + timedelta(days=6), ["plan"], minutes_per_day=1)
    load = study.planned_load()
    assert [(d.day, d.reviews, d.new_cards) for d in load] == [
        (DAY0 + timedelta(days=1), 0, 0),
        (DAY0 + timedelta(days=2), 0, 0),
        (DAY0 + timedelta(days=3), 2, 0),
        (DAY0 + timedelta(days=4), 3, 0),
        (DAY0 + timedelta(days=5), 3, 0),
    ]
    assert all(d.minutes <= 1 for d in load)
    assert study.stats().due_tomorrow == 0  # the scheduler's own days are untouched
    clock.advance(days=2)  # day 3
    early = reviews_today(study, "plan")
    assert len(early) == 2
    for card_id in early:
        study.answer(pk(study, card_id), 5)
    # Day 4, the plan made again from today: the two answered on day 3 must
    # be seen again in the final stretch, so the last day holds 6 + 2; its
    # strongest 3 (the budget), the two just reviewed among them, come today.
    clock.advance(days=1)
    stretch = reviews_today(study, "plan")
    assert len(stretch) == 3 and set(early) < set(stretch)
    for card_id in stretch:
        study.answer(pk(study, card_id), 5)
    clock.advance(days=1)  # day 5: the rest, over budget with no earlier day left
    last = reviews_today(study, "plan")
    assert sorted(last + stretch) == [f"c{i}" for i in range(8)]


def test_a_plan_across_the_spring_clock_change_caps_on_local_study_days(
    home: Path, tmp_path: Path
) -> None:
    # Los Angeles moves its clocks forward at 02:00 on Sun 8 Mar 2026 (a 23-hour day).
    la = ZoneInfo("America/Los_Angeles")
    clock = FixedClock(datetime(2026, 3, 1, 9, 0, tzinfo=la))
    study = open_study(clock=clock, bundled=[], settings=StudySettings(new_cards_per_day=5))
    try:
        study.import_file(write_deck(tmp_path, deck_text(1), "plan.yaml"))
        study.answer(pk(study, "c0"), 5)
        clock.advance(days=1)
        study.answer(pk(study, "c0"), 5)  # 2 Mar: SM-2 due 8 Mar
        study.set_plan(date(2026, 3, 10))  # stretch: 8 and 9 Mar
        assert own_due(study, "c0") == date(2026, 3, 8)
        # Due on 8 Mar by SM-2 already, inside the stretch: the plan leaves it.
        clock.now = datetime(2026, 3, 8, 3, 59, tzinfo=la)  # still the study day of 7 Mar
        assert study.today() == date(2026, 3, 7) and reviews_today(study) == []
        clock.now = datetime(2026, 3, 8, 4, 0, tzinfo=la)
        assert reviews_today(study) == ["c0"]
        study.answer(pk(study, "c0"), 5)  # SM-2: ceil(6 × 2.7) = 17 days, 25 Mar
        assert own_due(study, "c0") == date(2026, 3, 25)
        clock.now = datetime(2026, 3, 9, 4, 0, tzinfo=la)  # 23 hours later: the next day
        assert study.today() == date(2026, 3, 9)
        assert reviews_today(study) == []  # seen in the stretch: rests until the 10th
        study.set_plan(date(2026, 3, 12))  # a later interview: stretch 10 and 11 Mar
        load = {d.day: d.reviews for d in study.planned_load()}
        assert load == {
            date(2026, 3, 9): 0,
            date(2026, 3, 10): 0,
            date(2026, 3, 11): 1,
        }
    finally:
        study.db.close()


def test_the_log_keeps_both_days_undo_is_exact_and_grade_buttons_show_the_plan(
    study: StudyService, clock: FixedClock
) -> None:
    from sqlalchemy import select

    from quizdl.store.models import ReviewRow

    learn(study, clock, {"c0": (5, 5)})
    card = pk(study, "c0")
    study.set_plan(DAY0 + timedelta(days=12), ["plan"])  # stretch: days 10 and 11
    clock.advance(days=6)  # day 7: due by SM-2 too
    assert reviews_today(study) == ["c0"]
    before = study.card(card).state
    preview = study.grade_preview(card)
    # Grade 5: SM-2 says 17 days (day 24, after the interview); the plan says
    # day 11, the last study day. Grade 1 starts over tomorrow: no change.
    assert (preview[5].days, preview[5].planned_days) == (17, 4)
    assert (preview[1].days, preview[1].planned_days) == (1, None)
    outcome = study.answer(card, 5)
    assert outcome.after.due == DAY0 + timedelta(days=24)
    assert outcome.planned_due == DAY0 + timedelta(days=11)
    with study.db.read() as session:
        row = session.scalars(select(ReviewRow).order_by(ReviewRow.id.desc())).first()
        assert row is not None
        assert (row.interval_after, row.due_after) == (17, DAY0 + timedelta(days=24))
        assert row.planned_due == DAY0 + timedelta(days=11) and row.study_more is None
    assert study.card(card).state.due == DAY0 + timedelta(days=24)  # SM-2's day kept
    study.undo(outcome.review_id)
    assert study.card(card).state == before
    assert reviews_today(study) == ["c0"]
    study.answer(card, 5)
    clock.advance(days=4)  # day 11: the plan's day
    assert reviews_today(study) == ["c0"]
    study.clear_plan()
    assert reviews_today(study) == []  # plain SM-2: day 24
    assert study.grade_preview(card)[5].planned_days is None


def test_the_plan_caps_fsrs_days_too(home: Path, clock: FixedClock, tmp_path: Path) -> None:
    from sqlalchemy import select

    from quizdl.store.models import ReviewRow

    study = open_study(
        clock=clock,
        bundled=[],
        settings=StudySettings(new_cards_per_day=10, scheduler="fsrs"),
    )
    try:
        study.import_file(write_deck(tmp_path, deck_text(1), "plan.yaml"))
        card = pk(study, "c0")
        study.answer(card, 5)
        clock.advance(days=1)
        study.set_plan(DAY0 + timedelta(days=4))  # stretch: days 2 and 3
        preview = study.grade_preview(card)
        fsrs_days = preview[5].days
        assert fsrs_days > 3 and preview[5].recall is not None  # FSRS: beyond the interview
        assert preview[5].planned_days == 2  # the last study day, day 3
        outcome = study.answer(card, 5)
        own = study.card(card).state.due
        assert own == study.today() + timedelta(days=fsrs_days)  # FSRS's day, kept
        assert outcome.planned_due == DAY0 + timedelta(days=3)
        with study.db.read() as session:
            row = session.scalars(select(ReviewRow).order_by(ReviewRow.id.desc())).first()
            assert row is not None
            assert (row.due_after, row.planned_due) == (own, outcome.planned_due)
        clock.advance(days=1)  # day 2: in the stretch, but the card waits for day 3
        assert reviews_today(study) == []
        clock.advance(days=1)
        assert reviews_today(study) == ["c0"]
    finally:
        study.db.close()


def test_before_the_final_stretch_new_cards_come_first(
    study: StudyService, clock: FixedClock
) -> None:
    learn(study, clock, {"c0": (5, 5), "c1": (5, 5)})
    clock.advance(days=6)  # day 7: both due by SM-2, six cards never seen
    study.set_plan(DAY0 + timedelta(days=10), ["plan"])  # stretch: days 8 and 9
    kinds = [e.kind for e in study.queue("plan")]
    assert kinds[0] == "new" and kinds.count("review") == 2
    assert kinds.index("review") > max(i for i, k in enumerate(kinds) if k == "new")
    clock.advance(days=1)  # day 8: the final stretch, reviews first
    kinds = [e.kind for e in study.queue("plan")]
    assert kinds[0] == "review" and "new" in kinds
    study.clear_plan()
    assert next(e.kind for e in study.queue("plan")) == "review"  # plain order again


answers = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 5), st.integers(0, 3)),  # card, grade, days after
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=answers, interview_in=st.integers(2, 12), minutes=st.sampled_from([1.0, 20.0]))
def test_a_plan_never_changes_sm2_and_clearing_it_restores_the_queue(
    tmp_path_factory: pytest.TempPathFactory,
    history: list[tuple[int, int, int]],
    interview_in: int,
    minutes: float,
) -> None:
    """Twin collections answer the same cards on the same days, one under a plan:
    every card's state and every logged SM-2 day agree; cleared, the queues agree."""
    from sqlalchemy import select

    from quizdl.store.models import ReviewRow

    root = tmp_path_factory.mktemp("twins")
    deck = write_deck(root, deck_text(4), "plan.yaml")
    clock = FixedClock()
    twins = [
        open_study(
            database_url=f"sqlite:///{root}/{name}.sqlite3",
            clock=clock,
            bundled=[],
            settings=StudySettings(new_cards_per_day=4),
        )
        for name in ("plain", "planned")
    ]
    plain, planned = twins
    try:
        for study in twins:
            study.import_file(deck)
        planned.set_plan(DAY0 + timedelta(days=interview_in), minutes_per_day=minutes)
        for card, grade, gap in history:
            for study in twins:
                study.answer(pk(study, f"c{card}"), grade)
            clock.advance(days=gap, hours=0.25)
            planned.queue()  # the plan is made again on each day it is asked
        for index in range(4):
            assert (
                planned.card(pk(planned, f"c{index}")).state
                == plain.card(pk(plain, f"c{index}")).state
            )
        logs = []
        for study in twins:
            with study.db.read() as session:
                logs.append(
                    session.execute(
                        select(
                            ReviewRow.due_after, ReviewRow.interval_after, ReviewRow.kind
                        ).order_by(ReviewRow.id)
                    ).all()
                )
                if study is plain:
                    assert not any(session.scalars(select(ReviewRow.planned_due)))
        assert logs[0] == logs[1]
        planned.clear_plan()
        assert planned.queue() == plain.queue()
    finally:
        for study in twins:
            study.db.close()
