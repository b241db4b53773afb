"""Keeping ``review_days`` (per-day, per-deck totals) in step with the review log."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from quizdl.scheduling.sm2 import PASSING
from quizdl.store.driver import DriverStatement
from quizdl.store.models import CardRow, ReviewDayRow, ReviewRow

# On every answer: compiled once, run on the driver (store.driver).
_BUMP_DAY = DriverStatement(
    update(ReviewDayRow)
    .where(ReviewDayRow.study_day == bindparam("day"), ReviewDayRow.deck_id == bindparam("deck"))
    .values(
        reviews=ReviewDayRow.reviews + bindparam("reviews"),
        scheduled=ReviewDayRow.scheduled + bindparam("scheduled"),
        passed=ReviewDayRow.passed + bindparam("passed"),
        seconds=ReviewDayRow.seconds + bindparam("seconds"),
    )
)
_NEW_DAY = DriverStatement(
    insert(ReviewDayRow),
    ("study_day", "deck_id", "reviews", "scheduled", "passed", "seconds"),
)


def add_answer(
    connection: Connection,
    day: date,
    deck_id: str,
    *,
    scheduled: bool,
    quality: int,
    seconds: float,
    sign: int = 1,
) -> None:
    """Count one answer (sign=+1) or take it back (sign=-1)."""
    counts = {
        "reviews": sign,
        "scheduled": sign if scheduled else 0,
        "passed": sign if scheduled and quality >= PASSING else 0,
        "seconds": sign * seconds,
    }
    # UPDATE then INSERT is portable where ON CONFLICT is not.
    result = _BUMP_DAY.execute(connection, {"day": day, "deck": deck_id, **counts})
    if result.rowcount == 0 and sign > 0:
        _NEW_DAY.execute(connection, {"study_day": day, "deck_id": deck_id, **counts})


def rebuild(session: Session) -> None:
    """Recompute every day's totals from the log (after bulk loads or repairs)."""
    session.execute(delete(ReviewDayRow))
    scheduled = func.sum((ReviewRow.kind == "scheduled").cast(ReviewDayRow.reviews.type))
    passed = func.sum(
        ((ReviewRow.kind == "scheduled") & (ReviewRow.quality >= PASSING)).cast(
            ReviewDayRow.reviews.type
        )
    )
    rows = (
        select(
            ReviewRow.study_day,
            CardRow.deck_id,
            func.count(),
            scheduled,
            passed,
            func.sum(ReviewRow.answer_seconds),
        )
        .join(CardRow, CardRow.pk == ReviewRow.card_pk)
        .group_by(ReviewRow.study_day, CardRow.deck_id)
    )
    session.execute(
        insert(ReviewDayRow).from_select(
            ["study_day", "deck_id", "reviews", "scheduled", "passed", "seconds"], rows
        )
    )
