"""What to study: today's queue, cards on learning steps, study-more, the next due day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.sql.elements import ColumnElement

from quizdl.store import tables
from quizdl.store.driver import DriverStatement
from quizdl.study import plans
from quizdl.study.context import StudyContext
from quizdl.study.learning import learning_cards
from quizdl.study.new_cards import introduced_today
from quizdl.study.planned import planned_schedule
from quizdl.study.study_more import StudyMore, require_deck, study_more
from quizdl.study.values import QueueEntry

_DUE_ROWS = (
    select(tables.cards.c.pk, tables.cards.c.deck_id)
    .join(tables.card_states, tables.card_states.c.card_pk == tables.cards.c.pk)
    .where(tables.card_states.c.due <= bindparam("today"), *tables.ACTIVE_CARD)
    .order_by(tables.card_states.c.due, tables.cards.c.deck_id, tables.cards.c.position)
)
# Today's due cards (pk, deck), most overdue first.
_DUE = DriverStatement(_DUE_ROWS)
_DUE_IN_DECK = DriverStatement(_DUE_ROWS.where(tables.cards.c.deck_id == bindparam("deck")))


class StudyQueue:
    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def queue(self, deck_id: str | None = None) -> list[QueueEntry]:
        """Today's queue: due reviews (most overdue first), then new cards in
        deck order up to each deck's daily limit, then today's re-drills.

        Under an interview plan its decks' reviews are the ones the plan shows
        today (``study.planned``), weakest first, before other decks' reviews;
        before the plan's final stretch new cards come before reviews."""
        today = self.context.today()
        settings = self.context.settings
        with self.context.db.reading() as connection:
            active: list[ColumnElement[bool]] = [*tables.ACTIVE_CARD]
            if deck_id is not None:
                require_deck(connection, deck_id)
                active.append(tables.cards.c.deck_id == deck_id)
            # Run on the driver: thousands of due cards at 100k.
            statement = _DUE if deck_id is None else _DUE_IN_DECK
            due_rows = statement.execute(connection, {"today": today, "deck": deck_id}).rows
            due = [pk for pk, _ in due_rows]
            schedule = planned_schedule(connection, today, self.context.db)
            if schedule is not None:
                planned = [
                    pk
                    for pk in schedule.due_today()
                    if deck_id is None or schedule.deck_of[pk] == deck_id
                ]
                due = planned + [pk for pk, deck in due_rows if not schedule.covers(deck)]
            cap = settings.max_reviews_per_day
            if cap is not None:
                done = (
                    connection.scalar(
                        select(func.count())
                        .select_from(tables.reviews)
                        .where(
                            tables.reviews.c.study_day == today,
                            tables.reviews.c.kind == "scheduled",
                            tables.reviews.c.due_before.is_not(None),
                        )
                    )
                    or 0
                )
                due = due[: max(0, cap - done)]

            introduced = introduced_today(connection, today)
            deck_ids = (
                [deck_id]
                if deck_id is not None
                else list(
                    connection.scalars(select(tables.decks.c.id).order_by(tables.decks.c.title))
                )
            )
            allowances = plans.new_allowances(
                connection,
                today,
                deck_ids,
                {d: settings.new_limit(d) for d in deck_ids},
                introduced,
            )
            new: list[int] = []
            for current in deck_ids:
                allowed = allowances[current]
                if allowed <= 0:
                    continue
                new.extend(
                    connection.scalars(
                        select(tables.cards.c.pk)
                        .join(tables.card_states, tables.card_states.c.card_pk == tables.cards.c.pk)
                        .where(
                            tables.cards.c.deck_id == current,
                            tables.card_states.c.due.is_(None),
                            *tables.ACTIVE_CARD,
                        )
                        .order_by(tables.cards.c.position)
                        .limit(allowed)
                    )
                )
            on_steps = learning_cards(connection, today, settings.steps)
            learning: list[QueueEntry] = []
            if on_steps:
                shown = set(
                    connection.scalars(
                        select(tables.cards.c.pk).where(
                            tables.cards.c.pk.in_([c.pk for c in on_steps]), *active
                        )
                    )
                )
                learning = [QueueEntry(c.pk, "learning", c.due) for c in on_steps if c.pk in shown]
        reviews = [QueueEntry(pk, "review") for pk in due]
        new_cards = [QueueEntry(pk, "new") for pk in new]
        if schedule is not None and schedule.days and schedule.days[0].new_first:
            # Before the plan's final stretch new cards come first: if time
            # runs out, a review can wait a day, but an unseen card is not
            # ready at all (as bench_plan.py simulates it).
            return new_cards + reviews + learning
        return reviews + new_cards + learning

    def next_due_date(self) -> date | None:
        """The first day after today with a card due (for "nothing due" screens)."""
        today = self.context.today()
        with self.context.db.reading() as connection:
            due: date | None = connection.scalar(
                select(func.min(tables.card_states.c.due))
                .join(tables.cards, tables.cards.c.pk == tables.card_states.c.card_pk)
                .where(
                    tables.card_states.c.due > today,
                    *tables.ACTIVE_CARD,
                )
            )
        return due

    def learning_due(self, pk: int) -> datetime | None:
        """When the card comes back today on its learning steps (aware UTC), or None."""
        with self.context.db.reading() as connection:
            studied = connection.scalar(
                select(tables.cards.c.pk).where(tables.cards.c.pk == pk, *tables.ACTIVE_CARD)
            )
            if studied is None:  # suspended (e.g. as a leech) or retired: not today
                return None
            found = learning_cards(
                connection, self.context.today(), self.context.settings.steps, [pk]
            )
        return found[0].due if found else None

    def study_more(self, more: StudyMore) -> list[QueueEntry]:
        """Cards to study beyond today's queue (see ``study.study_more``)."""
        # Today's queue: narrowed when only a tag or deck is given, left out of
        # the extra new cards otherwise.
        todays = self.queue()
        with self.context.db.reading() as connection:
            return study_more(connection, self.context.today(), more, todays)
