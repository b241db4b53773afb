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
    # Grades that change the easiness, so the two readings give different days.
    # Grade 5 raises it to 2.6: before -> ceil(6 * 2.5) = 15, after would be 16.
    state = SM2State(easiness=2.5, repetitions=2, interval=6, due=DAY0)
    assert review(state, 5, DAY0).interval == 15
    # Grade 3 lowers it to 2.36: before -> ceil(10 * 2.5) = 25, after would be 24.
    state = SM2State(easiness=2.5, repetitions=2, interval=10, due=DAY0)
    assert review(state, 3, DAY0).interval == 25


def test_an_exact_product_is_not_pushed_over_a_day_by_float_noise() -> None:
    # 25 * 2.2 is 55.00000000000001 in binary floating point; SM-2 means 55.
    state = SM2State(easiness=2.2, repetitions=3, interval=25, due=DAY0)
    assert review(state, 4, DAY0).interval == 55


@pytest.mark.parametrize("bad", [-1, 6, 2.5, True, "4"])
def test_quality_out_of_range_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="quality must be an integer from 0 to 5"):
        review(SM2State(), bad, DAY0)  # type: ignore[arg-type]


def test_review_is_pure() -> None:
    state = SM2State()
    review(state, 5, DAY0)
    assert state == SM2State()


def test_every_grade_from_one_state_gives_hand_computed_values() -> None:
    # By hand from the published rules, with easiness 2.3 and interval 21:
    # q < 3 -> 1 day; q >= 3 -> ceil(21 * 2.3 = 48.3) = 49 days (the easiness
    # before this answer; after it, grade 3 would give 46 and grade 5 51;
    # rounding down instead of up would give 48).
    # Easiness: 2.3 + 0.1 - (5 - q) * (0.08 + (5 - q) * 0.02).
    state = SM2State(easiness=2.3, repetitions=3, interval=21, due=DAY0)
    expected_interval = [1, 1, 1, 49, 49, 49]
    expected_easiness = [1.5, 1.76, 1.98, 2.16, 2.3, 2.4]
    for grade in Quality:
        after = review(state, grade, DAY0)
        assert next_interval(state, grade) == expected_interval[grade]
        assert after.interval == expected_interval[grade]
        assert after.due == DAY0 + timedelta(days=expected_interval[grade])
        assert after.easiness == pytest.approx(expected_easiness[grade])
        assert after.repetitions == (0 if grade < 3 else 4)


def test_mixed_history_on_fixed_dates() -> None:
    # Worked by hand: the 4th interval is ceil(15 * 2.46) = 37 (39 with the
    # easiness after the update); lapses keep the easiness, which keeps falling.
    states = history([5, 3, 4, 5, 1, 4, 3])
    assert [s.interval for s in states] == [1, 6, 15, 37, 1, 1, 6]
    assert [s.easiness for s in states] == pytest.approx([2.6, 2.46, 2.46, 2.56, 2.02, 2.02, 1.88])
    assert [s.due for s in states] == [
        date(2026, 1, 6),
        date(2026, 1, 12),
        date(2026, 1, 27),
        date(2026, 3, 5),
        date(2026, 3, 6),
        date(2026, 3, 7),
        date(2026, 3, 13),
    ]


def test_quality_labels() -> None:
    assert Quality(0).label == "blackout"
    assert Quality(5).label == "perfect"
