"""What to study: today's queue, cards on learning steps, study-more, the next due day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import bindparam, func, select
from sqlalchemy.sql.elements import ColumnElement

from quizdl.store.driver import DriverStatement
from quizdl.store.models import CardRow, CardStateRow, DeckRow, ReviewRow
from quizdl.study import plans
from quizdl.study.context import StudyContext
from quizdl.study.errors import UnknownDeck
from quizdl.study.learning import learning_cards
from quizdl.study.new_cards import introduced_today
from quizdl.study.planned import planned_schedule
from quizdl.study.study_more import StudyMore, study_more
from quizdl.study.values import QueueEntry

_ACTIVE = (CardRow.retired.is_(False), CardRow.suspended.is_(False))
_DUE_ROWS = (
    select(CardRow.pk, CardRow.deck_id)
    .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
    .where(CardStateRow.due <= bindparam("today"), *_ACTIVE)
    .order_by(CardStateRow.due, CardRow.deck_id, CardRow.position)
)
# Today's due cards (pk, deck), most overdue first.
_DUE = DriverStatement(_DUE_ROWS)
_DUE_IN_DECK = DriverStatement(_DUE_ROWS.where(CardRow.deck_id == bindparam("deck")))


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
        with self.context.db.read() as session:
            active: list[ColumnElement[bool]] = [
                CardRow.retired.is_(False),
                CardRow.suspended.is_(False),
            ]
            if deck_id is not None:
                if session.get(DeckRow, deck_id) is None:
                    raise UnknownDeck(f"no deck with id {deck_id!r}")
                active.append(CardRow.deck_id == deck_id)
            # Run on the driver: thousands of due cards at 100k.
            statement = _DUE if deck_id is None else _DUE_IN_DECK
            due_rows = statement.execute(
                session.connection(), {"today": today, "deck": deck_id}
            ).rows
            due = [pk for pk, _ in due_rows]
            schedule = planned_schedule(session, today, self.context.db)
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
                    session.scalar(
                        select(func.count())
                        .select_from(ReviewRow)
                        .where(
                            ReviewRow.study_day == today,
                            ReviewRow.kind == "scheduled",
                            ReviewRow.due_before.is_not(None),
                        )
                    )
                    or 0
                )
                due = due[: max(0, cap - done)]

            introduced = introduced_today(session, today)
            deck_ids = (
                [deck_id]
                if deck_id is not None
                else list(session.scalars(select(DeckRow.id).order_by(DeckRow.title)))
            )
            allowances = plans.new_allowances(
                session,
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
                    session.scalars(
                        select(CardRow.pk)
                        .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
                        .where(
                            CardRow.deck_id == current,
                            CardStateRow.due.is_(None),
                            CardRow.retired.is_(False),
                            CardRow.suspended.is_(False),
                        )
                        .order_by(CardRow.position)
                        .limit(allowed)
                    )
                )
            on_steps = learning_cards(session, today, settings.steps)
            learning: list[QueueEntry] = []
            if on_steps:
                shown = set(
                    session.scalars(
                        select(CardRow.pk).where(CardRow.pk.in_([c.pk for c in on_steps]), *active)
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
        with self.context.db.read() as session:
            return session.scalar(
                select(func.min(CardStateRow.due))
                .join(CardRow, CardRow.pk == CardStateRow.card_pk)
                .where(
                    CardStateRow.due > today,
                    CardRow.retired.is_(False),
                    CardRow.suspended.is_(False),
                )
            )

    def learning_due(self, pk: int) -> datetime | None:
        """When the card comes back today on its learning steps (aware UTC), or None."""
        with self.context.db.read() as session:
            studied = session.scalar(
                select(CardRow.pk).where(
                    CardRow.pk == pk, CardRow.retired.is_(False), CardRow.suspended.is_(False)
                )
            )
            if studied is None:  # suspended (e.g. as a leech) or retired: not today
                return None
            found = learning_cards(session, self.context.today(), self.context.settings.steps, [pk])
        return found[0].due if found else None

    def study_more(self, more: StudyMore) -> list[QueueEntry]:
        """Cards to study beyond today's queue (see ``study.study_more``)."""
        # Today's queue: narrowed when only a tag or deck is given, left out of
        # the extra new cards otherwise.
        todays = self.queue()
        with self.context.db.read() as session:
            return study_more(session, self.context.today(), more, todays)
