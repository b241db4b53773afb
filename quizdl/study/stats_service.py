"""Statistics as a use case: today's numbers, streak, history and forecast,
and the deck list's counts."""

from __future__ import annotations

from sqlalchemy import select

from quizdl.store import tables
from quizdl.study.context import StudyContext
from quizdl.study.learning import learning_by_deck
from quizdl.study.new_cards import introduced_today, own_allowances
from quizdl.study.stats import collect_stats, count_cards
from quizdl.study.values import DeckSummary, Stats

_DECKS = select(tables.decks.c.id, tables.decks.c.title, tables.decks.c.origin).order_by(
    tables.decks.c.title
)
_ANY_PLAN = select(tables.plans.c.id).limit(1)


class StatsService:
    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def stats(self, *, history_days: int = 90, forecast_days: int = 30) -> Stats:
        today = self.context.today()
        with self.context.db.reading() as connection:
            return collect_stats(
                connection,
                today,
                learning_by_deck(connection, today, self.context.settings.steps),
                history_days=history_days,
                forecast_days=forecast_days,
            )

    def deck_summaries(self) -> list[DeckSummary]:
        """Every deck with its total, new (today's allowance) and due counts.

        Counted from ``card_counts`` (kept exact by triggers), not by joining
        every card to its state: a few hundred rows at 100,000 cards. Under an
        interview plan, the plan sets the new cards and the planned decks' due
        counts; without one its modules are not even loaded."""
        today = self.context.today()
        settings = self.context.settings
        with self.context.db.reading() as connection:
            counts = count_cards(connection, today, forecast_days=0)
            introduced = introduced_today(connection, today)
            learning = learning_by_deck(connection, today, settings.steps)
            decks = connection.execute(_DECKS).all()
            order = [deck_id for deck_id, _, _ in decks]
            limits = {deck_id: settings.new_limit(deck_id) for deck_id in order}
            planned_due: dict[str, int] = {}
            covered: set[str] = set()
            if connection.execute(_ANY_PLAN).first() is None:
                # Without a plan the plan modules (~20 ms to import) are not needed.
                allowances = own_allowances(order, limits, introduced)
            else:
                from quizdl.study import plans
                from quizdl.study.planned import planned_schedule

                allowances = plans.new_allowances(connection, today, order, limits, introduced)
                schedule = planned_schedule(connection, today, self.context.db)
                if schedule is not None:
                    planned_due = schedule.due_by_deck()
                    covered = {d for d in order if schedule.covers(d)}
        summaries = []
        for deck_id, title, origin in decks:
            deck = counts.decks.get(deck_id)
            total, unseen, due = (deck.total, deck.new, deck.due_today) if deck else (0, 0, 0)
            if deck_id in covered:
                due = planned_due.get(deck_id, 0)  # the plan's day, not the scheduler's
            summaries.append(
                DeckSummary(
                    id=deck_id,
                    title=title,
                    origin=origin,
                    total=total,
                    new=min(unseen, allowances[deck_id]),
                    due=due + learning.get(deck_id, 0),
                    unseen=unseen,
                )
            )
        return summaries
