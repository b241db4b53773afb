from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.fsrs import FSRSScheduler
from quizdl.scheduling.plan import (
    DEFAULT_SECONDS_PER_ANSWER,
    Plan,
    PlanCard,
    PlanSettings,
    make_plan,
    new_card_seconds,
    paced_new_cards,
    planned_day,
    preview_under_plan,
    review_under_plan,
    seconds_per_answer,
    split_in_proportion,
)
from quizdl.scheduling.sm2 import SM2State
from quizdl.scheduling.sm2_scheduler import SM2Card, SM2Scheduler

TODAY = date(2026, 3, 1)
INTERVIEW = date(2026, 3, 15)
PLAN = PlanSettings(INTERVIEW)  # 20 min a day, 2-day final stretch


def d(day: int) -> date:
    return date(2026, 3, day)


def card(
    key: str, due: int, recall: float = 0.8, seconds: float = 15.0, last: int = 1
) -> PlanCard[str]:
    return PlanCard(key, d(due), d(last), recall, seconds)


def test_settings_refuse_nonsense() -> None:
    with pytest.raises(ValueError, match="minutes per day must be positive"):
        PlanSettings(INTERVIEW, minutes_per_day=0)
    with pytest.raises(ValueError, match="final stretch"):
        PlanSettings(INTERVIEW, final_stretch_days=-1)
    assert PLAN.budget_seconds == 1200
    assert (PLAN.stretch_start, PLAN.last_study_day) == (d(13), d(14))


def test_answer_time_is_the_default_until_there_is_history() -> None:
    assert seconds_per_answer([8.0] * 19) == DEFAULT_SECONDS_PER_ANSWER
    assert seconds_per_answer([8.0] * 10 + [10.0] * 11) == 10.0
    # A long pause counts as two minutes, and only recent answers count.
    assert seconds_per_answer([3600.0] * 30) == 120.0
    assert seconds_per_answer([100.0] * 500 + [6.0] * 200) == 6.0


def test_pacing_spreads_unseen_cards_over_the_days_before_the_stretch() -> None:
    # 250 cards, 12 days before the stretch -> 21 a day (ceil 20.8).
    assert paced_new_cards(250, TODAY, PLAN) == 21
    assert paced_new_cards(10, d(12), PLAN) == 10  # the last day before the stretch
    assert paced_new_cards(7, d(14), PLAN) == 7  # in the stretch: what is left, at once
    assert paced_new_cards(7, INTERVIEW, PLAN) == 0
    assert paced_new_cards(0, TODAY, PLAN) == 0


def test_planned_day_caps_and_rests() -> None:
    assert planned_day(d(5), d(1), TODAY, PLAN) == d(5)  # within the plan: unchanged
    assert planned_day(d(30), d(1), TODAY, PLAN) == d(14)  # after the interview: capped
    assert planned_day(date(2026, 2, 20), d(1), TODAY, PLAN) == TODAY  # overdue: today
    # Seen in the final stretch already: rests until the interview day.
    assert planned_day(d(30), d(13), d(13), PLAN) == INTERVIEW
    # Once the interview is past the plan changes nothing.
    assert planned_day(d(30), d(15), d(16), PLAN) == d(30)


def test_a_small_plan_by_hand() -> None:
    budget = PlanSettings(d(6), minutes_per_day=2, final_stretch_days=2)  # 120 s a day
    cards = [
        card("weak", due=4, recall=0.5, seconds=50),
        card("late", due=12, recall=0.6, seconds=50),
        card("mid", due=9, recall=0.7, seconds=50),
        card("strong", due=20, recall=0.9, seconds=50),
        card("soon", due=2, recall=0.8, seconds=50),
    ]
    plan = make_plan(cards, unseen=1, today=TODAY, settings=budget, per_answer=20.0)
    # 5 March, the last study day, gets the three cards due after the
    # interview: 150 s, over 120. The strongest moves to 4 March, which has room.
    assert plan.due == {"weak": d(4), "late": d(5), "mid": d(5), "strong": d(4), "soon": d(2)}
    # One unseen card, 3 days before the stretch starts on 4 March -> 1 today,
    # costing 3 answers of 20 s.
    assert [day.new_cards for day in plan.days] == [1, 0, 0, 0, 0]
    assert plan.new_today == 1 and plan.due_today() == ()
    assert plan.days[3].reviews == ("weak", "strong")  # weakest first
    assert plan.days[4].reviews == ("late", "mid")
    assert [day.seconds for day in plan.days] == [60.0, 50.0, 0.0, 100.0, 100.0]
    assert [day.new_first for day in plan.days] == [True, True, True, False, False]


def test_excess_goes_to_the_nearest_earlier_day_with_room() -> None:
    budget = PlanSettings(d(5), minutes_per_day=1, final_stretch_days=0)  # 60 s a day
    cards = [
        card("a", due=4, recall=0.2, seconds=40),
        card("b", due=4, recall=0.9, seconds=40),  # the stronger of the two on the 4th
        card("c", due=3, recall=0.5, seconds=50),
    ]
    plan = make_plan(cards, unseen=0, today=d(2), settings=budget)
    # The 3rd has no room for "b" (50 + 40 > 60); the 2nd has.
    assert plan.due == {"a": d(4), "b": d(2), "c": d(3)}


def test_a_plan_spanning_spring_forward_counts_local_days() -> None:
    # Los Angeles, 2026-03-07 20:00 PST -> 2026-03-08 04:00 UTC; clocks spring
    # forward that night. The interview is 10 March: 3 study days (7, 8, 9).
    la = StudyCalendar(ZoneInfo("America/Los_Angeles"))
    scheduler = SM2Scheduler(la)
    plan = PlanSettings(d(10), final_stretch_days=1)
    evening = datetime(2026, 3, 8, 4, 0, tzinfo=UTC)
    state = scheduler.new_card()
    result = review_under_plan(scheduler, la, state, 5, evening, plan)
    assert result.record.study_day == d(7)
    assert (result.own_day, result.planned_day) == (d(8), d(8))
    # 8 March 20:00 PDT is 03:00 UTC on the 9th: SM-2 says 6 days (14 March);
    # the plan caps it at the last study day, 9 March, which starts at 11:00 UTC.
    result = review_under_plan(
        scheduler, la, result.state, 5, datetime(2026, 3, 9, 3, tzinfo=UTC), plan
    )
    assert result.record.study_day == d(8)
    assert (result.own_day, result.planned_day) == (d(14), d(9))
    assert la.start_of(result.planned_day) == datetime(2026, 3, 9, 11, 0, tzinfo=UTC)
    days = make_plan([PlanCard("c", result.own_day, d(8), 0.9, 10.0)], 0, d(8), plan)
    assert [day.day for day in days.days] == [d(8), d(9)]


def test_kiritimati_plan_day_is_ahead_of_utc() -> None:
    kiritimati = StudyCalendar(ZoneInfo("Pacific/Kiritimati"))  # UTC+14
    scheduler = FSRSScheduler(kiritimati)
    plan = PlanSettings(date(2026, 1, 12), final_stretch_days=1)  # stretch: 11 January
    state, _ = scheduler.review(scheduler.new_card(), 5, datetime(2026, 1, 8, 15, tzinfo=UTC))
    # 2026-01-10 13:00 UTC is 03:00 on the 11th locally: still study day 10,
    # before the stretch, so the card is capped at the last study day.
    early = review_under_plan(
        scheduler, kiritimati, state, 4, datetime(2026, 1, 10, 13, tzinfo=UTC), plan
    )
    assert early.record.study_day == date(2026, 1, 10)
    assert early.own_day > plan.interview_day
    assert early.planned_day == date(2026, 1, 11)
    # Two hours later it is study day 11 (the stretch): seen there, the card
    # rests until the interview although the UTC date is still 10 January.
    late = review_under_plan(
        scheduler, kiritimati, state, 4, datetime(2026, 1, 10, 15, tzinfo=UTC), plan
    )
    assert late.record.study_day == date(2026, 1, 11)
    assert late.planned_day == plan.interview_day


def test_grade_buttons_show_the_planned_day_where_it_differs() -> None:
    utc = StudyCalendar(UTC)
    scheduler = SM2Scheduler(utc)
    state = SM2Card(sm2=SM2State(2.3, 3, 20, d(5)), due=utc.start_of(d(5)))
    plan = PlanSettings(d(12))  # stretch from the 10th, last study day the 11th
    previews = preview_under_plan(scheduler, utc, state, datetime(2026, 3, 5, 9, tzinfo=UTC), plan)
    # Grades 3-5: SM-2 says 46 days (20 April); the plan shows it on 11 March.
    assert [previews[g].outcome.review_day for g in (3, 4, 5)] == [date(2026, 4, 20)] * 3
    assert [previews[g].planned_day for g in (3, 4, 5)] == [d(11)] * 3
    # Grades 0-2: SM-2's 1 day (the 6th) is within the plan: nothing to add.
    assert [previews[g].planned_day for g in (0, 1, 2)] == [None] * 3
    assert previews[0].outcome.review_day == d(6)


# -- properties ------------------------------------------------------------

plan_cards = st.lists(
    st.builds(
        PlanCard,
        key=st.uuids(),
        own_due=st.dates(date(2026, 2, 20), date(2026, 4, 30)),
        last_review=st.none() | st.dates(date(2026, 2, 1), date(2026, 3, 14)),
        recall_on_interview=st.floats(0, 1),
        seconds=st.floats(5, 90),
    ),
    max_size=80,
    unique_by=lambda c: c.key,
)


@settings(max_examples=150, deadline=None)
@given(
    cards=plan_cards,
    unseen=st.integers(0, 300),
    today=st.dates(date(2026, 2, 25), date(2026, 3, 20)),
    minutes=st.floats(1, 60),
    stretch=st.integers(0, 4),
)
def test_plan_properties(
    cards: list[PlanCard[object]], unseen: int, today: date, minutes: float, stretch: int
) -> None:
    settings_ = PlanSettings(INTERVIEW, minutes, stretch)
    plan: Plan[object] = make_plan(cards, unseen, today, settings_, per_answer=12.0)
    by_key = {c.key: c for c in cards}
    if today >= INTERVIEW:
        assert plan.due == {c.key: c.own_due for c in cards} and plan.days == ()
        return
    for key, day in plan.due.items():
        assert today <= day <= INTERVIEW  # never after the interview day
        # Never later than the card's own day, unless that day is already past.
        assert day <= max(today, by_key[key].own_due)
    assert sum(day.new_cards for day in plan.days) <= unseen
    cost_new = new_card_seconds(12.0)
    capacity = [settings_.budget_seconds - day.new_cards * cost_new for day in plan.days]
    assert all(c >= 0 for c in capacity)
    load = [sum(by_key[k].seconds for k in day.reviews) for day in plan.days]
    for i in range(1, len(plan.days)):
        if load[i] > capacity[i] + 1e-9 and plan.days[i].reviews:
            # Over budget only when no card of the day fits on any day before.
            smallest = min(by_key[k].seconds for k in plan.days[i].reviews)
            for earlier in range(i):
                assert load[earlier] + smallest > capacity[earlier] - 1e-9
    # Cards not yet seen in the final stretch are planned on a study day.
    for c in cards:
        if c.own_due > settings_.last_study_day and not (
            c.last_review is not None and c.last_review >= settings_.stretch_start
        ):
            assert plan.due[c.key] <= max(today, settings_.last_study_day)


grades_and_gaps = st.lists(
    st.tuples(st.integers(0, 5), st.integers(1, 60 * 24 * 5)), min_size=1, max_size=30
)


@settings(max_examples=100, deadline=None)
@given(answers=grades_and_gaps, zone=st.sampled_from(["America/Los_Angeles", "Pacific/Kiritimati"]))
def test_sm2_state_is_identical_with_and_without_a_plan(
    answers: list[tuple[int, int]], zone: str
) -> None:
    calendar = StudyCalendar(ZoneInfo(zone))
    scheduler = SM2Scheduler(calendar)
    plan = PlanSettings(date(2026, 3, 12))
    plain = planned = scheduler.new_card()
    when = datetime(2026, 3, 1, 3, tzinfo=UTC)
    for grade, minutes in answers:
        when += timedelta(minutes=minutes)
        plain, plain_record = scheduler.review(plain, grade, when)
        result = review_under_plan(scheduler, calendar, planned, grade, when, plan)
        planned = result.state
        assert planned == plain and result.record == plain_record
        # Clearing the plan restores SM-2's own day.
        assert plain.due is not None and result.own_day == calendar.day_of(plain.due)
        if result.record.study_day < plan.interview_day:
            assert result.planned_day <= plan.interview_day
            assert result.planned_day <= max(result.own_day, result.record.study_day)


@given(
    st.integers(min_value=-5, max_value=500),
    st.dictionaries(st.sampled_from("abcdef"), st.integers(min_value=0, max_value=300)),
)
def test_a_split_gives_each_deck_its_proportion_and_never_more_than_it_has(
    total: int, weights: dict[str, int]
) -> None:
    parts = split_in_proportion(total, weights)
    assert parts.keys() == weights.keys()
    whole = sum(weights.values())
    assert sum(parts.values()) == min(max(total, 0), whole)
    for key, weight in weights.items():
        assert 0 <= parts[key] <= weight
        if whole:
            assert abs(parts[key] - min(max(total, 0), whole) * weight / whole) < 1


def test_a_split_rounds_by_remainder() -> None:
    assert split_in_proportion(26, {"guide": 133, "interview": 285, "keras": 19, "x": 4}) == {
        "guide": 8,
        "interview": 17,
        "keras": 1,
        "x": 0,
    }
