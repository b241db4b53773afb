"""Statistics over the review log: today, streak, retention, history, forecast."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from quizdl.store.models import CardRow, CardStateRow, DeckRow, ReviewDayRow
from quizdl.study.values import DeckStats, Stats


def streak_length(days_with_reviews: list[date], today: date) -> int:
    """Consecutive study days with a review, ending today (or yesterday: the
    streak is still alive until today's day is over)."""
    days = set(days_with_reviews)
    current = today if today in days else today - timedelta(days=1)
    count = 0
    while current in days:
        count += 1
        current -= timedelta(days=1)
    return count


def collect_stats(
    session: Session,
    today: date,
    learning_by_deck: dict[str, int],
    *,
    history_days: int = 90,
    forecast_days: int = 30,
) -> Stats:
    tomorrow = today + timedelta(days=1)
    active = and_(CardRow.retired.is_(False), CardRow.suspended.is_(False))
    # Everything about past answers comes from review_days (per-day totals),
    # never from scanning the review log itself.
    reviews_today, seconds_today = session.execute(
        select(
            func.coalesce(func.sum(ReviewDayRow.reviews), 0),
            func.coalesce(func.sum(ReviewDayRow.seconds), 0.0),
        ).where(ReviewDayRow.study_day == today)
    ).one()
    seconds_total = session.scalar(select(func.coalesce(func.sum(ReviewDayRow.seconds), 0.0)))
    per_day_all = dict(
        session.execute(
            select(ReviewDayRow.study_day, func.sum(ReviewDayRow.reviews))
            .where(ReviewDayRow.reviews > 0)
            .group_by(ReviewDayRow.study_day)
        ).all()
    )
    days = list(per_day_all)
    per_day = {
        day: count
        for day, count in per_day_all.items()
        if day > today - timedelta(days=history_days)
    }
    forecast_rows = dict(
        session.execute(
            select(CardStateRow.due, func.count())
            .join(CardRow, CardRow.pk == CardStateRow.card_pk)
            .where(
                active,
                CardStateRow.due > today,
                CardStateRow.due <= today + timedelta(days=forecast_days),
            )
            .group_by(CardStateRow.due)
        ).all()
    )
    next_due = session.scalar(
        select(func.min(CardStateRow.due))
        .join(CardRow, CardRow.pk == CardStateRow.card_pk)
        .where(active, CardStateRow.due > today)
    )
    retention_rows = session.execute(
        select(
            ReviewDayRow.deck_id,
            func.sum(ReviewDayRow.scheduled),
            func.sum(ReviewDayRow.passed),
        ).group_by(ReviewDayRow.deck_id)
    ).all()
    retention = {
        deck_id: (total or 0, passed or 0) for deck_id, total, passed in retention_rows if total
    }
    deck_rows = session.execute(
        select(
            DeckRow.id,
            DeckRow.title,
            func.count(CardRow.pk),
            func.sum(case((and_(active, CardStateRow.due.is_(None)), 1), else_=0)),
            func.sum(
                case(
                    (
                        and_(active, CardStateRow.repetitions == 0, CardStateRow.due.is_not(None)),
                        1,
                    ),
                    else_=0,
                )
            ),
            func.sum(case((and_(active, CardStateRow.repetitions > 0), 1), else_=0)),
            func.sum(
                case((and_(CardRow.retired.is_(False), CardRow.suspended.is_(True)), 1), else_=0)
            ),
            func.sum(case((and_(active, CardStateRow.due <= today), 1), else_=0)),
            func.sum(case((and_(active, CardStateRow.due == tomorrow), 1), else_=0)),
        )
        # One pass over the cards gives every per-deck count (and, summed, the totals).
        .outerjoin(CardRow, and_(CardRow.deck_id == DeckRow.id, CardRow.retired.is_(False)))
        .outerjoin(CardStateRow, CardStateRow.card_pk == CardRow.pk)
        .group_by(DeckRow.id, DeckRow.title)
        .order_by(DeckRow.title)
    ).all()
    decks = []
    due_today = due_tomorrow = 0
    for (
        deck_id,
        title,
        total,
        new,
        learning,
        review_count,
        suspended,
        due,
        tomorrow_count,
    ) in deck_rows:
        due_today += due or 0
        due_tomorrow += tomorrow_count or 0
        answered, passed = retention.get(deck_id, (0, 0))
        decks.append(
            DeckStats(
                deck_id=deck_id,
                title=title,
                total=total or 0,
                new=new or 0,
                learning=(learning or 0),
                review=review_count or 0,
                suspended=suspended or 0,
                due_today=(due or 0) + learning_by_deck.get(deck_id, 0),
                retention=passed / answered if answered else None,
            )
        )
    answered_all = sum(total for total, _ in retention.values())
    passed_all = sum(passed for _, passed in retention.values())
    return Stats(
        today=today,
        reviews_today=reviews_today,
        due_today=int(due_today) + sum(learning_by_deck.values()),
        due_tomorrow=int(due_tomorrow),
        streak=streak_length(days, today),
        seconds_today=float(seconds_today),
        seconds_total=float(seconds_total or 0.0),
        retention=passed_all / answered_all if answered_all else None,
        next_due=next_due,
        decks=decks,
        reviews_per_day=[
            (today - timedelta(days=offset), per_day.get(today - timedelta(days=offset), 0))
            for offset in range(history_days - 1, -1, -1)
        ],
        forecast=[
            (today + timedelta(days=offset), forecast_rows.get(today + timedelta(days=offset), 0))
            for offset in range(1, forecast_days + 1)
        ],
    )
