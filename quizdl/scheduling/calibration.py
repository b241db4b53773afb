"""How well predicted recall matches what the learner then did.

Each review a day or more after the card's previous one is a test of the
model: FSRS, replayed over the answers before it, predicted a probability of
recall; the grade says whether the card was recalled (grade >= 3). Log loss
sums the surprise; the table compares predicted and observed recall by bucket.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from quizdl.scheduling.fsrs import FSRSScheduler
from quizdl.scheduling.sm2 import PASSING

# Keeps log(0) out of the loss when a model is certain and wrong.
_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class Bucket:
    low: float
    high: float
    count: int
    mean_predicted: float
    observed: float  # fraction recalled


@dataclass(frozen=True, slots=True)
class CalibrationReport:
    count: int
    log_loss: float
    buckets: tuple[Bucket, ...]

    def table(self) -> str:
        lines = [f"{'predicted':>11}  {'reviews':>7}  {'mean p':>6}  {'recalled':>8}"]
        for b in self.buckets:
            bounds = f"{b.low:4.2f}-{b.high:4.2f}"
            lines.append(f"{bounds}  {b.count:7d}  {b.mean_predicted:6.3f}  {b.observed:8.3f}")
        lines.append(f"log loss {self.log_loss:.4f} over {self.count} reviews")
        return "\n".join(lines)


def predictions(
    scheduler: FSRSScheduler, logs: Iterable[list[tuple[datetime, int]]]
) -> list[tuple[float, bool]]:
    """(predicted recall, recalled) for every review a day or more after the last."""
    pairs = []
    for log in logs:
        state = scheduler.new_card()
        for when, grade in log:
            day = scheduler.calendar.day_of(when)
            if state.last_review is not None and day > scheduler.calendar.day_of(state.last_review):
                pairs.append((scheduler.recall_on(state, day), grade >= PASSING))
            state, _ = scheduler.review(state, grade, when)
    return pairs


def calibration(pairs: Iterable[tuple[float, bool]], buckets: int = 10) -> CalibrationReport:
    """Log loss and a table of predicted vs observed recall in equal-width buckets."""
    totals = [[0, 0.0, 0] for _ in range(buckets)]  # count, sum predicted, recalled
    loss, count = 0.0, 0
    for predicted, recalled in pairs:
        p = min(1 - _EPSILON, max(_EPSILON, predicted))
        loss -= math.log(p if recalled else 1 - p)
        count += 1
        slot = totals[min(buckets - 1, int(predicted * buckets))]
        slot[0] += 1
        slot[1] += predicted
        slot[2] += recalled
    table = tuple(
        Bucket(i / buckets, (i + 1) / buckets, int(n), total / n, hits / n)
        for i, (n, total, hits) in enumerate(totals)
        if n
    )
    return CalibrationReport(count, loss / count if count else 0.0, table)
