from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizdl.scheduling import sm2
from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.fsrs import FSRSScheduler
from quizdl.scheduling.protocol import ReviewKind, Scheduler, StateT
from quizdl.scheduling.sm2_scheduler import SM2Card, SM2Scheduler
from quizdl.scheduling.steps import Steps

LA = StudyCalendar(ZoneInfo("America/Los_Angeles"))
SCHEDULER = SM2Scheduler(LA)
MIN = timedelta(minutes=1)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """UTC instants in March 2026 (Los Angeles springs forward on the 8th)."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def test_new_card_failed_then_steps_then_day_review_across_dst() -> None:
    card = SCHEDULER.new_card()
    # 2026-03-06 09:00 PST: first answer "wrong" -> SM-2 interval 1, then 1 min.
    card, log = SCHEDULER.review(card, 1, at(6, 17))
    assert (log.kind, log.moved_schedule, log.lapsed) == (ReviewKind.NEW, True, False)
    assert card.sm2 == sm2.SM2State(easiness=1.96, repetitions=0, interval=1, due=date(2026, 3, 7))
    assert (card.step, card.due, log.interval) == (0, at(6, 17, 1), MIN)
    # Good on step 0 -> step 1 in 10 minutes; SM-2 state unchanged.
    card, log = SCHEDULER.review(card, 4, at(6, 17, 1))
    assert (log.kind, log.moved_schedule) == (ReviewKind.STEP, False)
    assert (card.step, card.due) == (1, at(6, 17, 11))
    assert card.sm2.easiness == pytest.approx(1.96)
    # Good on the last step: off the steps, due at the start of SM-2's day (04:00 PST).
    card, _ = SCHEDULER.review(card, 4, at(6, 17, 11))
    assert (card.step, card.due) == (None, at(7, 12))
    # 2026-03-07 09:00 PST, perfect: interval 1 again (repetitions was 0) -> the 8th,
    # which starts at 04:00 PDT = 11:00 UTC, one hour earlier in UTC.
    card, log = SCHEDULER.review(card, 5, at(7, 17))
    assert (log.kind, card.sm2.repetitions, card.sm2.interval) == (ReviewKind.REVIEW, 1, 1)
    assert card.due == at(8, 11)
    # 2026-03-08 09:00 PDT (16:00 UTC, 23 h later): a new SM-2 review, interval 6.
    card, log = SCHEDULER.review(card, 4, at(8, 16))
    assert log.study_day == date(2026, 3, 8)
    assert (card.sm2.interval, card.sm2.due, card.due) == (6, date(2026, 3, 14), at(14, 11))


def test_a_lapse_counts_and_enters_steps() -> None:
    card = SM2Card(sm2=sm2.SM2State(2.5, 3, 15, date(2026, 3, 20)), due=at(20, 11))
    card, log = SCHEDULER.review(card, 2, at(20, 16))
    assert log.lapsed and card.lapses == 1
    assert (card.sm2.repetitions, card.sm2.interval, card.step) == (0, 1, 0)
    # Again on the step: back to 1 minute; no second lapse.
    card, log = SCHEDULER.review(card, 0, at(20, 16, 1))
    assert not log.lapsed and card.lapses == 1 and card.due == at(20, 16, 2)


def test_grade_three_comes_back_in_minutes_but_moves_sm2() -> None:
    card = SM2Card(sm2=sm2.SM2State(2.5, 2, 6, date(2026, 3, 20)), due=at(20, 11))
    card, _ = SCHEDULER.review(card, 3, at(20, 16))
    assert card.sm2.interval == 15 and card.step == 0 and card.due == at(20, 16, 1)
    # Hard on step 0: halfway between the two steps (5.5 minutes).
    card, _ = SCHEDULER.review(card, 3, at(20, 16, 1))
    assert card.due == at(20, 16, 1) + timedelta(minutes=5.5)


def test_second_answer_on_the_same_day_does_not_move_sm2() -> None:
    card, _ = SCHEDULER.review(SCHEDULER.new_card(), 5, at(10, 17))
    again, log = SCHEDULER.review(card, 5, at(10, 18))
    assert (log.kind, log.moved_schedule) == (ReviewKind.STEP, False)
    assert again.sm2 == card.sm2 and again.due == card.due


def test_preview_shows_interval_and_easiness_for_each_grade() -> None:
    card = SM2Card(sm2=sm2.SM2State(2.3, 3, 20, date(2026, 3, 20)), due=at(20, 11))
    preview = SCHEDULER.preview(card, at(20, 16))
    assert [preview[g].interval for g in range(3)] == [MIN] * 3
    # Grade 3 comes back in a minute (a step) and sets SM-2's 46 days all the same.
    assert preview[3].interval == MIN and preview[3].due_day == date(2026, 3, 20)
    assert [preview[g].review_day for g in (3, 4, 5)] == [date(2026, 5, 5)] * 3
    assert [preview[g].review_day for g in (0, 1, 2)] == [date(2026, 3, 21)] * 3
    assert preview[4].due == LA.start_of(date(2026, 5, 5))
    assert [preview[g].easiness_after for g in range(6)] == pytest.approx(
        [1.5, 1.76, 1.98, 2.16, 2.3, 2.4]
    )
    assert all(preview[g].easiness_before == 2.3 for g in range(6))


def test_without_steps_failed_cards_wait_for_their_day() -> None:
    plain = SM2Scheduler(LA, Steps(()))
    card, _ = plain.review(plain.new_card(), 1, at(10, 17))
    assert card.step is None and card.due == at(11, 11)


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        SCHEDULER.review(SCHEDULER.new_card(), 4, datetime(2026, 3, 10, 9))


answers = st.lists(
    st.tuples(st.integers(0, 5), st.integers(min_value=1, max_value=60 * 24 * 20)),
    min_size=1,
    max_size=40,
)


@settings(max_examples=150, deadline=None)
@given(answers=answers)
def test_sm2_state_is_exact_sm2_over_the_scheduled_answers(
    answers: list[tuple[int, int]],
) -> None:
    # Whatever the steps do, the card's SM-2 state is plain sm2.review applied
    # to the answers that moved the schedule, on their study days.
    card, when, expected = SCHEDULER.new_card(), at(1, 20), sm2.SM2State()
    for grade, minutes_later in answers:
        when += timedelta(minutes=minutes_later)
        card, log = SCHEDULER.review(card, grade, when)
        if log.moved_schedule:
            expected = sm2.review(expected, grade, LA.day_of(when))
        assert card.sm2 == expected
        assert card.due is not None and card.due > when
        assert log.after == card and log.due == card.due


def test_switching_from_fsrs_keeps_the_sm2_history() -> None:
    # Answers given while FSRS scheduled the card: replaying them rebuilds
    # the SM-2 state SM-2 would have had, and the other way round.
    log = [(at(2, 17), 5), (at(3, 17), 2), (at(3, 17, 1), 4), (at(3, 17, 11), 4), (at(9, 16), 5)]
    fsrs = FSRSScheduler(LA)
    # By hand: 5 -> E 2.6; 2 -> E 2.28, repetitions 0; steps leave it; 5 -> E 2.38.
    assert SCHEDULER.replay(log).sm2 == sm2.SM2State(2.38, 1, 1, date(2026, 3, 10))
    # FSRS: easy graduates at once, so the 2 the next day is a lapse.
    assert fsrs.replay(log).lapses == 1
    assert _check_protocol(SCHEDULER) and _check_protocol(fsrs)


def _check_protocol(scheduler: Scheduler[StateT]) -> bool:
    """Type-checks that both implementations satisfy the protocol."""
    return scheduler.replay([]) == scheduler.new_card()
