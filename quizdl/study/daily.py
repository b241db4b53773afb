"""Keeping ``review_days`` (per-day, per-deck totals) in step with the review log."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from quizdl.scheduling.sm2 import PASSING
from quizdl.store import tables
from quizdl.store.driver import DriverStatement

if TYPE_CHECKING:
    from quizdl.store.db import Writer

# On every answer: compiled once, run on the driver (store.driver).
_BUMP_DAY = DriverStatement(
    update(tables.review_days)
    .where(
        tables.review_days.c.study_day == bindparam("day"),
        tables.review_days.c.deck_id == bindparam("deck"),
    )
    .values(
        reviews=tables.review_days.c.reviews + bindparam("reviews"),
        scheduled=tables.review_days.c.scheduled + bindparam("scheduled"),
        passed=tables.review_days.c.passed + bindparam("passed"),
        seconds=tables.review_days.c.seconds + bindparam("seconds"),
    )
)
_NEW_DAY = DriverStatement(
    insert(tables.review_days),
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


def rebuild(writer: Writer) -> None:
    """Recompute every day's totals from the log (after bulk loads or repairs)."""
    writer.execute(delete(tables.review_days))
    scheduled = func.sum(
        (tables.reviews.c.kind == "scheduled").cast(tables.review_days.c.reviews.type)
    )
    passed = func.sum(
        ((tables.reviews.c.kind == "scheduled") & (tables.reviews.c.quality >= PASSING)).cast(
            tables.review_days.c.reviews.type
        )
    )
    rows = (
        select(
            tables.reviews.c.study_day,
            tables.cards.c.deck_id,
            func.count(),
            scheduled,
            passed,
            func.sum(tables.reviews.c.answer_seconds),
        )
        .join(tables.cards, tables.cards.c.pk == tables.reviews.c.card_pk)
        .group_by(tables.reviews.c.study_day, tables.cards.c.deck_id)
    )
    writer.execute(
        insert(tables.review_days).from_select(
            ["study_day", "deck_id", "reviews", "scheduled", "passed", "seconds"], rows
        )
    )
