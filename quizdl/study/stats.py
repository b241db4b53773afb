"""Statistics over the review log: today, streak, retention, history, forecast."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import delete, false, func, insert, select

from quizdl.store import tables
from quizdl.store.tables import UNSEEN_DUE
from quizdl.study.values import DeckStats, Stats

if TYPE_CHECKING:
    from quizdl.store.db import Reader, Writer


@dataclass
class _DeckCounts:
    total: int = 0  # not retired, suspended included
    new: int = 0
    learning: int = 0
    review: int = 0
    suspended: int = 0
    due_today: int = 0


@dataclass
class CardCounts:
    """Today's picture of the collection's cards, from ``card_counts``."""

    decks: dict[str, _DeckCounts] = field(default_factory=dict)
    due_today: int = 0
    due_tomorrow: int = 0
    next_due: date | None = None
    forecast: dict[date, int] = field(default_factory=dict)  # day after today -> cards due


# Built once: statistics run on every visit to the stats screen and home.
_CARD_COUNTS = select(
    tables.card_counts.c.deck_id,
    tables.card_counts.c.due,
    tables.card_counts.c.reviewed,
    tables.card_counts.c.suspended,
    tables.card_counts.c.cards,
).where(tables.card_counts.c.cards != 0)
_PER_DAY = select(
    tables.review_days.c.study_day,
    func.sum(tables.review_days.c.reviews),
    func.sum(tables.review_days.c.seconds),
).group_by(tables.review_days.c.study_day)
_RETENTION = select(
    tables.review_days.c.deck_id,
    func.sum(tables.review_days.c.scheduled),
    func.sum(tables.review_days.c.passed),
).group_by(tables.review_days.c.deck_id)
_DECKS = select(tables.decks.c.id, tables.decks.c.title).order_by(tables.decks.c.title)


def count_cards(reader: Reader, today: date, forecast_days: int = 30) -> CardCounts:
    """Per-deck and per-day card counts, read from ``card_counts`` (one row per
    deck, due day and flags: a few hundred rows where the cards are 100,000s).

    The table is kept by triggers (migration 0005), so it agrees with the cards
    and their states after any write; ``rebuild_card_counts`` recomputes it.
    """
    tomorrow = today + timedelta(days=1)
    last_forecast_day = today + timedelta(days=forecast_days)
    counts = CardCounts()
    rows = reader.execute(_CARD_COUNTS)
    for deck_id, due, reviewed, suspended, cards in rows:
        deck = counts.decks.get(deck_id)
        if deck is None:
            deck = counts.decks[deck_id] = _DeckCounts()
        deck.total += cards
        if suspended:
            deck.suspended += cards
            continue
        unseen = due == UNSEEN_DUE
        if unseen:
            deck.new += cards
        elif not reviewed:
            deck.learning += cards
        if reviewed:
            deck.review += cards
        if unseen:
            continue
        if due <= today:
            deck.due_today += cards
            counts.due_today += cards
            continue
        if due == tomorrow:
            counts.due_tomorrow += cards
        if counts.next_due is None or due < counts.next_due:
            counts.next_due = due
        if due <= last_forecast_day:
            counts.forecast[due] = counts.forecast.get(due, 0) + cards
    return counts


def rebuild_card_counts(writer: Writer) -> None:
    """Recompute ``card_counts`` from the cards (after a repair; the triggers keep it
    otherwise). The same grouping as the migration's first fill."""
    writer.execute(delete(tables.card_counts))
    due = func.coalesce(tables.card_states.c.due, UNSEEN_DUE)
    reviewed = tables.card_states.c.repetitions > 0
    rows = (
        select(tables.cards.c.deck_id, due, reviewed, tables.cards.c.suspended, func.count())
        .join(tables.card_states, tables.card_states.c.card_pk == tables.cards.c.pk)
        .where(tables.cards.c.retired == false())
        .group_by(tables.cards.c.deck_id, due, reviewed, tables.cards.c.suspended)
    )
    writer.execute(
        insert(tables.card_counts).from_select(
            ["deck_id", "due", "reviewed", "suspended", "cards"], rows
        )
    )


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
    reader: Reader,
    today: date,
    learning_by_deck: dict[str, int],
    *,
    history_days: int = 90,
    forecast_days: int = 30,
) -> Stats:
    # Everything about past answers comes from review_days (per-day totals),
    # never from scanning the review log itself.
    reviews_today, seconds_today, seconds_total = 0, 0.0, 0.0
    per_day_all: dict[date, int] = {}
    for day, reviews, seconds in reader.execute(_PER_DAY):
        seconds_total += seconds or 0.0
        if day == today:
            reviews_today, seconds_today = reviews or 0, seconds or 0.0
        if reviews:
            per_day_all[day] = reviews
    days = list(per_day_all)
    per_day = {
        day: count
        for day, count in per_day_all.items()
        if day > today - timedelta(days=history_days)
    }
    retention_rows = reader.execute(_RETENTION).all()
    retention = {
        deck_id: (total or 0, passed or 0) for deck_id, total, passed in retention_rows if total
    }
    counts = count_cards(reader, today, forecast_days)
    decks = []
    for deck_id, title in reader.execute(_DECKS).all():
        deck = counts.decks.get(deck_id, _DeckCounts())
        answered, passed = retention.get(deck_id, (0, 0))
        decks.append(
            DeckStats(
                deck_id=deck_id,
                title=title,
                total=deck.total,
                new=deck.new,
                learning=deck.learning,
                review=deck.review,
                suspended=deck.suspended,
                due_today=deck.due_today + learning_by_deck.get(deck_id, 0),
                retention=passed / answered if answered else None,
            )
        )
    answered_all = sum(total for total, _ in retention.values())
    passed_all = sum(passed for _, passed in retention.values())
    return Stats(
        today=today,
        reviews_today=reviews_today,
        due_today=counts.due_today + sum(learning_by_deck.values()),
        due_tomorrow=counts.due_tomorrow,
        streak=streak_length(days, today),
        seconds_today=float(seconds_today),
        seconds_total=seconds_total,
        retention=passed_all / answered_all if answered_all else None,
        next_due=counts.next_due,
        decks=decks,
        reviews_per_day=[
            (today - timedelta(days=offset), per_day.get(today - timedelta(days=offset), 0))
            for offset in range(history_days - 1, -1, -1)
        ],
        forecast=[
            (today + timedelta(days=offset), counts.forecast.get(today + timedelta(days=offset), 0))
            for offset in range(1, forecast_days + 1)
        ],
    )
