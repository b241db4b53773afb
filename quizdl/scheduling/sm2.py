"""SuperMemo-2, exactly as published (Wozniak, 1990).

Pure functions over frozen values so the same code serves the study service,
the TUI's "what interval would this grade give" buttons, and the tests.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import IntEnum

MIN_EASINESS = 1.3
INITIAL_EASINESS = 2.5


class Quality(IntEnum):
    """SM-2's six grades, with the short labels the review screen shows."""

    BLACKOUT = 0
    WRONG = 1
    WRONG_FAMILIAR = 2
    HARD = 3
    GOOD = 4
    PERFECT = 5

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Quality.BLACKOUT: "blackout",
    Quality.WRONG: "wrong",
    Quality.WRONG_FAMILIAR: "wrong, familiar",
    Quality.HARD: "hard",
    Quality.GOOD: "good",
    Quality.PERFECT: "perfect",
}

# SM-2 rule 7: answers below this come back in the same session.
REDRILL_BELOW = 4
# Grades at or above this count as recalled (retention, lapses).
PASSING = 3


@dataclass(frozen=True, slots=True)
class SM2State:
    easiness: float = INITIAL_EASINESS
    repetitions: int = 0
    interval: int = 0
    due: date | None = None


def _check_quality(quality: int) -> int:
    # bool is an int subclass; a True grade is a bug in the caller, not a 1.
    if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
        raise ValueError(f"quality must be an integer from 0 to 5, got {quality!r}")
    return quality


def next_interval(state: SM2State, quality: int) -> int:
    """The interval in days that grading ``state`` with ``quality`` gives."""
    q = _check_quality(quality)
    if q < PASSING:
        return 1
    if state.repetitions == 0:
        return 1
    if state.repetitions == 1:
        return 6
    # The easiness *before* this answer's update, as in the original algorithm.
    # Rounding first keeps float noise (6 * 2.7 = 16.200000000000003) from
    # pushing an exact product over the next whole day.
    return math.ceil(round(state.interval * state.easiness, 9))


def review(state: SM2State, quality: int, today: date) -> SM2State:
    """Grade ``state`` with ``quality`` (0..5) on ``today``; returns the new state."""
    q = _check_quality(quality)
    interval = next_interval(state, q)
    repetitions = 0 if q < PASSING else state.repetitions + 1
    miss = 5 - q
    # Every SM-2 step is a multiple of 0.02, so 4 decimals hold the exact value
    # and stop float drift from accumulating over years of reviews.
    easiness = max(MIN_EASINESS, round(state.easiness + 0.1 - miss * (0.08 + miss * 0.02), 4))
    return replace(
        state,
        easiness=easiness,
        repetitions=repetitions,
        interval=interval,
        due=today + timedelta(days=interval),
    )
