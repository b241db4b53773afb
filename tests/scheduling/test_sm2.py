from datetime import date, timedelta

import pytest

from quizdl.scheduling.sm2 import MIN_EASINESS, Quality, SM2State, next_interval, review

DAY0 = date(2026, 1, 5)


def history(grades: list[int]) -> list[SM2State]:
    """Review on each due date, as a learner who never misses a day would."""
    state, today, states = SM2State(), DAY0, []
    for grade in grades:
        state = review(state, grade, today)
        states.append(state)
        assert state.due is not None
        today = state.due
    return states


def test_perfect_grades_give_the_published_intervals() -> None:
    states = history([5, 5, 5, 5, 5])
    assert [s.interval for s in states] == [1, 6, 17, 48, 140]
    assert [s.repetitions for s in states] == [1, 2, 3, 4, 5]
    assert states[-1].easiness == pytest.approx(3.0)


def test_due_dates_follow_intervals_on_fixed_dates() -> None:
    states = history([5, 5, 5])
    assert [s.due for s in states] == [date(2026, 1, 6), date(2026, 1, 12), date(2026, 1, 29)]


def test_lapse_restarts_repetitions_but_keeps_easiness() -> None:
    states = history([4, 4, 4, 4, 2, 4])
    assert [s.interval for s in states] == [1, 6, 15, 38, 1, 1]
    assert states[4].repetitions == 0
    assert states[4].easiness == pytest.approx(2.18)
    assert states[5].easiness == pytest.approx(2.18)
    assert states[5].repetitions == 1


def test_grade_three_progresses_but_lowers_easiness() -> None:
    states = history([3, 3, 3])
    assert [s.interval for s in states] == [1, 6, 14]
    assert [s.easiness for s in states] == pytest.approx([2.36, 2.22, 2.08])


def test_easiness_is_floored() -> None:
    states = history([0] * 10)
    assert all(s.interval == 1 for s in states)
    assert states[-1].easiness == MIN_EASINESS
    after = review(states[-1], 5, DAY0)
    assert after.easiness == pytest.approx(MIN_EASINESS + 0.1)


def test_interval_uses_easiness_before_the_update() -> None:
    state = SM2State(easiness=2.5, repetitions=2, interval=6, due=DAY0)
    # With the updated easiness (2.18) this would be 14; SM-2 uses 2.5 -> 15.
    assert review(state, 3, DAY0).interval == 15


@pytest.mark.parametrize("bad", [-1, 6, 2.5, True, "4"])
def test_quality_out_of_range_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="quality must be an integer from 0 to 5"):
        review(SM2State(), bad, DAY0)  # type: ignore[arg-type]


def test_review_is_pure() -> None:
    state = SM2State()
    review(state, 5, DAY0)
    assert state == SM2State()


def test_next_interval_matches_review_for_every_grade() -> None:
    state = SM2State(easiness=2.3, repetitions=3, interval=20, due=DAY0)
    for grade in Quality:
        assert next_interval(state, grade) == review(state, grade, DAY0).interval
        assert review(state, grade, DAY0).due == DAY0 + timedelta(days=next_interval(state, grade))


def test_quality_labels() -> None:
    assert Quality(0).label == "blackout"
    assert Quality(5).label == "perfect"
