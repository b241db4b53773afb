"""Keeping ``review_days`` (per-day, per-deck totals) in step with the review log."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from quizdl.scheduling.sm2 import PASSING
from quizdl.store.models import CardRow, ReviewDayRow, ReviewRow


def add_answer(
    session: Session,
    day: date,
    deck_id: str,
    *,
    scheduled: bool,
    quality: int,
    seconds: float,
    sign: int = 1,
) -> None:
    """Count one answer (sign=+1) or take it back (sign=-1)."""
    values = {
        "reviews": ReviewDayRow.reviews + sign,
        "scheduled": ReviewDayRow.scheduled + (sign if scheduled else 0),
        "passed": ReviewDayRow.passed + (sign if scheduled and quality >= PASSING else 0),
        "seconds": ReviewDayRow.seconds + sign * seconds,
    }
    # UPDATE then INSERT is portable where ON CONFLICT is not.
    result = session.execute(
        update(ReviewDayRow)
        .where(ReviewDayRow.study_day == day, ReviewDayRow.deck_id == deck_id)
        .values(values)
    )
    if result.rowcount == 0 and sign > 0:  # type: ignore[attr-defined]
        session.execute(
            insert(ReviewDayRow).values(
                study_day=day,
                deck_id=deck_id,
                reviews=1,
                scheduled=1 if scheduled else 0,
                passed=1 if scheduled and quality >= PASSING else 0,
                seconds=seconds,
            )
        )


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
