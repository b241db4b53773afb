from datetime import timedelta

import pytest

from quizdl.scheduling.leech import LeechRule, is_leech, lapse_makes_leech
from quizdl.scheduling.steps import (
    GRADUATED,
    Answer,
    StepResult,
    Steps,
    answer_of,
    enter,
    next_step,
)

MIN = timedelta(minutes=1)
ANKI = Steps()  # 1 and 10 minutes


def test_sm2_grades_map_to_four_answers() -> None:
    assert [answer_of(g) for g in range(6)] == [
        Answer.AGAIN,
        Answer.AGAIN,
        Answer.AGAIN,
        Answer.HARD,
        Answer.GOOD,
        Answer.EASY,
    ]
    with pytest.raises(ValueError, match="quality must be an integer from 0 to 5"):
        answer_of(6)


def test_anki_default_steps() -> None:
    assert enter(ANKI) == StepResult(0, MIN)
    assert next_step(ANKI, 0, Answer.AGAIN) == StepResult(0, MIN)
    # Hard on the first step: halfway between 1 and 10 minutes.
    assert next_step(ANKI, 0, Answer.HARD) == StepResult(0, timedelta(minutes=5.5))
    assert next_step(ANKI, 0, Answer.GOOD) == StepResult(1, 10 * MIN)
    assert next_step(ANKI, 1, Answer.HARD) == StepResult(1, 10 * MIN)
    assert next_step(ANKI, 1, Answer.AGAIN) == StepResult(0, MIN)
    assert next_step(ANKI, 1, Answer.GOOD) == GRADUATED
    assert next_step(ANKI, 0, Answer.EASY) == GRADUATED


def test_configured_steps() -> None:
    one = Steps.of_minutes([10])
    assert next_step(one, 0, Answer.HARD) == StepResult(0, 15 * MIN)
    assert next_step(one, 0, Answer.GOOD) == GRADUATED
    three = Steps.of_minutes([1, 10, 60])
    assert next_step(three, 1, Answer.GOOD) == StepResult(2, 60 * MIN)
    assert next_step(three, 2, Answer.HARD) == StepResult(2, 60 * MIN)
    # No steps: every card goes straight to its day interval.
    assert enter(Steps(())) == GRADUATED
    assert next_step(Steps(()), 0, Answer.AGAIN) == GRADUATED
    # A card left on step 2 by a longer configuration graduates on good.
    assert next_step(ANKI, 2, Answer.GOOD) == GRADUATED
    assert next_step(ANKI, 2, Answer.HARD) == StepResult(1, 10 * MIN)
    with pytest.raises(ValueError, match="longer than zero"):
        Steps.of_minutes([1, 0])


def test_leech_at_threshold_then_every_half_threshold() -> None:
    rule = LeechRule()  # 8 lapses
    assert not is_leech(7, rule)
    assert is_leech(8, rule)
    assert [n for n in range(1, 21) if lapse_makes_leech(n, rule)] == [8, 12, 16, 20]
    small = LeechRule(threshold=3)
    assert [n for n in range(1, 8) if lapse_makes_leech(n, small)] == [3, 4, 5, 6, 7]
    with pytest.raises(ValueError, match="at least 1"):
        LeechRule(threshold=0)


def test_a_days_answers_replay_to_the_step_the_scheduler_reaches() -> None:
    from datetime import UTC, datetime

    from quizdl.scheduling.sm2_scheduler import SM2Scheduler
    from quizdl.scheduling.steps import steps_of_day

    assert steps_of_day(ANKI, []) == GRADUATED
    assert steps_of_day(ANKI, [4]) == GRADUATED  # passed at once: done for the day
    assert steps_of_day(ANKI, [2]) == StepResult(0, MIN)
    assert steps_of_day(ANKI, [2, 4]) == StepResult(1, 10 * MIN)
    assert steps_of_day(ANKI, [2, 4, 4]) == GRADUATED
    assert steps_of_day(ANKI, [2, 4, 1]) == StepResult(0, MIN)
    assert steps_of_day(ANKI, [3, 3]) == StepResult(0, timedelta(minutes=5.5))
    assert steps_of_day(ANKI, [5, 1]) == StepResult(0, MIN)  # failed after leaving them
    assert steps_of_day(Steps(()), [0, 0]) == GRADUATED
    # The same answers through the scheduler itself end on the same step.
    scheduler = SM2Scheduler(steps=ANKI)
    for grades in ([2, 4], [2, 4, 4], [3, 3, 1], [5, 1], [0, 3, 4, 2]):
        state = scheduler.new_card()
        when = datetime(2026, 11, 27, 9, tzinfo=UTC)
        for grade in grades:
            state, _ = scheduler.review(state, grade, when)
            when += timedelta(minutes=11)
        assert state.step == steps_of_day(ANKI, grades).step, grades
