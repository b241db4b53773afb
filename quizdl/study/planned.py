"""The interview plan in the schedule: on which day each card is shown.

While a plan is active, ``scheduling.plan.make_plan`` decides the day every
seen card of the plan's decks is shown: never after the interview, at least
once in the final stretch (weakest first), and moved a day or more earlier
when that keeps a day within the time budget. The card's own state keeps the
scheduler's due day; this module only reads it, so clearing the plan restores
plain scheduling for every card, and undo (which restores the state) needs
nothing more.

Each card's weakness is its predicted recall on the interview day, from its
log replayed through FSRS-6 (``readiness``); the time a review costs follows
from its recall when it is shown and the learner's own answer times.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import String, type_coerce
from sqlalchemy.engine import Connection

from quizdl.scheduling.fsrs import forgetting_curve
from quizdl.scheduling.plan import (
    Plan,
    PlanCard,
    PlannedDay,
    make_plan,
    planned_day,
    review_seconds,
)
from quizdl.store import tables
from quizdl.store.db import Database
from quizdl.study.card_memory import card_memories
from quizdl.study.fitted import parameters_in_use
from quizdl.study.plans import PlanCards, PlanInfo, current_plan, learner_seconds_per_answer
from quizdl.study.review_logs import as_day

if TYPE_CHECKING:
    from quizdl.store.db import Reader


# The day as the driver gives it (text on SQLite, a date on PostgreSQL): as_day.
_STUDIED = PlanCards(
    tables.cards.c.pk, tables.cards.c.deck_id, type_coerce(tables.card_states.c.due, String)
)


@dataclass(frozen=True)
class PlannedSchedule:
    """Today's view of an active plan over the cards it covers."""

    plan: PlanInfo
    today: date
    days: tuple[PlannedDay[int], ...]  # each study day until the interview
    planned: Mapping[int, date]  # every seen card of the plan: the day it is shown
    own_due: Mapping[int, date]  # the same cards: the scheduler's own due day
    deck_of: Mapping[int, str]
    answered_today: frozenset[int]

    def covers(self, deck_id: str) -> bool:
        return not self.plan.deck_ids or deck_id in self.plan.deck_ids

    def due_today(self) -> list[int]:
        """The plan's cards to review today, weakest first.

        Cards already answered today are left to their learning steps: showing
        one again would only be a same-day repeat.
        """
        if not self.days or self.days[0].day != self.today:
            return []
        return [pk for pk in self.days[0].reviews if pk not in self.answered_today]

    def due_by_deck(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for pk in self.due_today():
            counts[self.deck_of[pk]] = counts.get(self.deck_of[pk], 0) + 1
        return counts

    def moved(self) -> dict[int, date]:
        """Cards the plan shows on another day than the scheduler's own."""
        return {pk: day for pk, day in self.planned.items() if day != self.own_due[pk]}


def planned_schedule(
    reader: Reader, today: date, db: Database | None = None
) -> PlannedSchedule | None:
    """The plan's schedule from today, or None without a plan (or on or after its day).

    With ``db`` the cards' FSRS memories replayed here are kept for the next
    call (``study.card_memory``)."""
    plan = current_plan(reader)
    if plan is None or today >= plan.interview_day:
        return None
    own_due: dict[int, date] = {}
    deck_of: dict[int, str] = {}
    days: dict[object, date] = {}
    unseen = 0
    for pk, deck_id, raw_due in _STUDIED.rows(reader, plan):  # each day parsed once
        if raw_due is None:
            unseen += 1
        else:
            own_due[pk], deck_of[pk] = as_day(raw_due, days), deck_id
    parameters = parameters_in_use(reader).parameters
    memory = card_memories(reader, own_due, parameters, db)
    per_answer = learner_seconds_per_answer(reader)
    settings = plan.settings
    interview_day = plan.interview_day
    recall = forgetting_curve(parameters)
    cards = []
    # Runs for every seen card on each queue: kept to plain arithmetic (no closure
    # or method call per card), the same as Memory.recall_on.
    for pk, due in own_due.items():
        card = memory.get(pk)
        if card is None:  # never answered (a state imported with its schedule)
            cards.append(PlanCard(pk, due, None, 0.0, review_seconds(0.0, per_answer)))
            continue
        last_review = card.last_day
        shown = planned_day(due, last_review, today, settings)
        cards.append(
            PlanCard(
                key=pk,
                own_due=due,
                last_review=last_review,
                recall_on_interview=recall(card.stability, (interview_day - last_review).days),
                seconds=review_seconds(
                    recall(card.stability, (shown - last_review).days), per_answer
                ),
            )
        )
    made: Plan[int] = make_plan(cards, unseen, today, settings, per_answer)
    return PlannedSchedule(
        plan=plan,
        today=today,
        days=made.days,
        planned=dict(made.due),
        own_due=own_due,
        deck_of=deck_of,
        answered_today=frozenset(pk for pk, card in memory.items() if card.last_day == today),
    )


def plan_moves(
    connection: Connection, deck_id: str, own_day: date | None, today: date
) -> date | None:
    """The day an active plan shows a card answered today whose scheduler set
    ``own_day``: None when no plan covers its deck or the plan agrees.

    What the review log keeps beside SM-2's day, and what a grade button
    shows. Load smoothing may still bring the card earlier (``due_today``)."""
    plan = current_plan(connection)
    if plan is None or own_day is None or (plan.deck_ids and deck_id not in plan.deck_ids):
        return None
    day = planned_day(own_day, today, today, plan.settings)
    return day if day != own_day else None


@dataclass(frozen=True)
class PlannedLoad:
    """One study day of the plan, for the stats screen's forecast."""

    day: date
    reviews: int
    new_cards: int
    minutes: float


def planned_load(reader: Reader, today: date, db: Database | None = None) -> list[PlannedLoad]:
    """The plan's load per study day until the interview (empty without a plan)."""
    schedule = planned_schedule(reader, today, db)
    if schedule is None:
        return []
    return [
        PlannedLoad(day.day, len(day.reviews), day.new_cards, day.seconds / 60)
        for day in schedule.days
    ]
