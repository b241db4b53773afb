"""Interview plans: a date that new cards are paced toward, and readiness for it.

The arithmetic is ``scheduling.plan`` (pacing, the learner's answer time) and
``scheduling.readiness`` (each card's log replayed through FSRS-6); this
module reads what they need from the database and stores the plan. One plan
at a time: setting a new one replaces it. The plan sets its decks' new-card
count for today (``new_allowances``) and decides on which day a seen
card is shown (``study.planned``); it never moves a card's SM-2 state, so
clearing it leaves every card's schedule as SM-2 set it.

Readiness uses FSRS parameters fitted to the learner's own log once there
are enough reviews (``study.fitted``, refitted at most daily).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Text, bindparam, cast, delete, func, insert, select

from quizdl.scheduling.plan import (
    DEFAULT_FINAL_STRETCH_DAYS,
    DEFAULT_MINUTES_PER_DAY,
    MOST_MINUTES_PER_DAY,
    MOST_PLAN_DAYS,
    RECENT_ANSWERS,
    PlanSettings,
    new_card_seconds,
    paced_new_cards,
    seconds_per_answer,
    split_in_proportion,
)
from quizdl.scheduling.readiness import MIN_REVIEWS_TO_FIT, readiness
from quizdl.store import tables
from quizdl.store.db import Database, connection_of
from quizdl.store.driver import DriverStatement
from quizdl.study.card_memory import card_memories
from quizdl.study.errors import StudyError, UnknownDeck
from quizdl.study.fitted import FittedParameters, parameters_in_use
from quizdl.study.new_cards import introduced_today, own_allowances

if TYPE_CHECKING:
    from sqlalchemy import ColumnElement

    from quizdl.store.db import Reader, Writer


@dataclass(frozen=True)
class PlanInfo:
    interview_day: date
    minutes_per_day: float
    final_stretch_days: int
    deck_ids: tuple[str, ...]  # empty: the whole collection

    @property
    def settings(self) -> PlanSettings:
        return PlanSettings(self.interview_day, self.minutes_per_day, self.final_stretch_days)

    def as_json(self) -> dict[str, Any]:
        return {
            "interview_day": self.interview_day.isoformat(),
            "minutes_per_day": self.minutes_per_day,
            "final_stretch_days": self.final_stretch_days,
            "decks": list(self.deck_ids) or None,
        }


@dataclass(frozen=True)
class Readiness:
    name: str  # "all", "deck:ID" or "tag:NAME"
    cards: int
    ready: int  # predicted recall on the day ≥ scheduling.readiness.READY_AT
    mean_recall: float  # the expected fraction recalled on the day

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "cards": self.cards,
            "ready": self.ready,
            "expected_recall": round(self.mean_recall, 4),
        }


@dataclass(frozen=True)
class PlanStatus:
    plan: PlanInfo
    today: date
    days_left: int
    unseen: int
    pacing: Pacing  # today's new cards (introduced today included)
    overall: Readiness
    groups: tuple[Readiness, ...]  # decks and tags, weakest first
    # The parameters readiness used: fitted to the learner's log (with the day
    # and the review count of the fit), or None for FSRS' published defaults.
    fitted: FittedParameters | None = None
    reviews: int = 0  # answers in the learner's whole log

    def parameters_json(self) -> dict[str, Any]:
        if self.fitted is None:
            return {"source": "default", "reviews": self.reviews, "fit_at": MIN_REVIEWS_TO_FIT}
        return {
            "source": "fitted",
            "fitted_on": self.fitted.study_day.isoformat(),
            "fitted_reviews": self.fitted.review_count,
            "reviews": self.reviews,
        }

    def as_json(self) -> dict[str, Any]:
        return {
            **self.plan.as_json(),
            "today": self.today.isoformat(),
            "days_left": self.days_left,
            "cards": self.overall.cards,
            "unseen": self.unseen,
            "new_today": self.pacing.new_today,
            "new_needed_per_day": self.pacing.needed,
            "readiness": self.overall.as_json(),
            "groups": [group.as_json() for group in self.groups],
            "parameters": self.parameters_json(),
        }


# Read on every answer (the log keeps the plan's day): compiled once, run on
# the driver (store.driver).
_CURRENT_PLAN = DriverStatement(
    select(
        tables.plans.c.interview_day,
        tables.plans.c.minutes_per_day,
        tables.plans.c.final_stretch_days,
        tables.plans.c.deck_ids,
    )
    .order_by(tables.plans.c.id.desc())
    .limit(1)
)


def current_plan(reader: Reader) -> PlanInfo | None:
    row = _CURRENT_PLAN.execute(connection_of(reader), {}).first()
    if row is None:
        return None
    day, minutes, stretch, deck_ids = row
    return PlanInfo(day, minutes, stretch, tuple(deck_ids or ()))


def set_plan(
    writer: Writer,
    today: date,
    now: datetime,
    interview_day: date,
    deck_ids: Sequence[str] = (),
    minutes_per_day: float = DEFAULT_MINUTES_PER_DAY,
    final_stretch_days: int = DEFAULT_FINAL_STRETCH_DAYS,
) -> PlanInfo:
    """Store a plan in place of any other; StudyError when it cannot be one."""
    if not today < interview_day <= today + timedelta(days=MOST_PLAN_DAYS):
        raise StudyError(
            f"the interview day must be after today ({today.isoformat()}) and at most "
            f"{MOST_PLAN_DAYS} days away, got {interview_day.isoformat()}"
        )
    if not (math.isfinite(minutes_per_day) and 0 < minutes_per_day <= MOST_MINUTES_PER_DAY):
        raise StudyError(
            f"minutes per day must be more than 0 and at most {MOST_MINUTES_PER_DAY}, "
            f"got {minutes_per_day:g}"
        )
    known = set(writer.scalars(select(tables.decks.c.id)))
    for deck_id in deck_ids:
        if deck_id not in known:
            raise UnknownDeck(f"no deck with id {deck_id!r}")
    plan = PlanInfo(
        interview_day, float(minutes_per_day), final_stretch_days, tuple(dict.fromkeys(deck_ids))
    )
    writer.execute(delete(tables.plans))
    writer.execute(
        insert(tables.plans).values(
            interview_day=plan.interview_day,
            minutes_per_day=plan.minutes_per_day,
            final_stretch_days=plan.final_stretch_days,
            deck_ids=list(plan.deck_ids),
            created_at=now,
        )
    )
    return plan


def clear_plan(writer: Writer) -> bool:
    """Remove the plan; whether there was one."""
    return bool(writer.execute(delete(tables.plans)).rowcount)  # type: ignore[attr-defined]


def _covers(plan: PlanInfo, deck_id: str) -> bool:
    return not plan.deck_ids or deck_id in plan.deck_ids


def _unseen_by_deck(reader: Reader) -> dict[str, int]:
    rows = reader.execute(
        select(tables.cards.c.deck_id, func.count())
        .join(tables.card_states, tables.card_states.c.card_pk == tables.cards.c.pk)
        .where(tables.card_states.c.due.is_(None), *tables.ACTIVE_CARD)
        .group_by(tables.cards.c.deck_id)
    )
    return {deck_id: count for deck_id, count in rows}


def learner_seconds_per_answer(reader: Reader) -> float:
    recent = reader.scalars(
        select(tables.reviews.c.answer_seconds)
        .order_by(tables.reviews.c.id.desc())
        .limit(RECENT_ANSWERS)
    ).all()
    return seconds_per_answer(list(reversed(recent)))


@dataclass(frozen=True)
class Pacing:
    """Today's new cards under a plan, counted from the morning (today's
    introductions included), so introducing cards does not shrink the share."""

    needed: int  # to see every card before the final stretch
    allowed: int  # what the daily time budget leaves room for
    unseen_by_deck: Mapping[str, int]  # the plan's decks, this morning

    @property
    def new_today(self) -> int:
        return min(self.needed, self.allowed)


def pacing(reader: Reader, plan: PlanInfo, today: date, introduced: Mapping[str, int]) -> Pacing:
    if today >= plan.interview_day:
        return Pacing(0, 0, {})
    unseen = _unseen_by_deck(reader)
    morning = {
        deck: unseen.get(deck, 0) + introduced.get(deck, 0)
        for deck in unseen.keys() | introduced.keys()
        if _covers(plan, deck)
    }
    needed = paced_new_cards(sum(morning.values()), today, plan.settings)
    budget = math.floor(
        plan.settings.budget_seconds / new_card_seconds(learner_seconds_per_answer(reader))
    )
    return Pacing(needed, max(budget, 0), morning)


def new_allowances(
    reader: Reader,
    today: date,
    deck_order: Sequence[str],
    settings_limit: Mapping[str, int],
    introduced: Mapping[str, int],
) -> dict[str, int]:
    """New cards each deck may still introduce today.

    A deck outside the plan keeps its own limit. The plan's decks share the
    plan's count instead of theirs, in proportion to their unseen cards, so
    what the queue offers is what the plan paced and its time budget holds
    (their own limits added on top once overran a 3-minute budget twice).
    """
    allowed = own_allowances(deck_order, settings_limit, introduced)
    plan = current_plan(reader)
    if plan is None or today >= plan.interview_day:
        return allowed
    today_pacing = pacing(reader, plan, today, introduced)
    shares = split_in_proportion(today_pacing.new_today, today_pacing.unseen_by_deck)
    for deck_id in deck_order:
        if _covers(plan, deck_id):
            allowed[deck_id] = max(0, shares.get(deck_id, 0) - introduced.get(deck_id, 0))
    return allowed


class PlanCards:
    """Columns of the active cards, joined to their states, that a plan covers, read as
    compiled statements on the driver (no per-row result objects over 100,000 cards).
    A plan over some decks reads only theirs, through the cards' (deck, state) index."""

    def __init__(self, *columns: ColumnElement[Any]) -> None:
        rows = (
            select(*columns)
            .join(tables.card_states, tables.card_states.c.card_pk == tables.cards.c.pk)
            .where(*tables.ACTIVE_CARD)
        )
        self._every = DriverStatement(rows)
        self._in_deck = DriverStatement(rows.where(tables.cards.c.deck_id == bindparam("deck")))

    def rows(self, reader: Reader, plan: PlanInfo) -> list[tuple[Any, ...]]:
        connection = connection_of(reader)
        if not plan.deck_ids:
            return self._every.execute(connection, {}).rows
        return [
            row
            for deck_id in dict.fromkeys(plan.deck_ids)
            for row in self._in_deck.execute(connection, {"deck": deck_id}).rows
        ]


# Each card's tags as JSON text, taken out of its content by the database: parsing
# every card's whole content in Python took a third of plan_status at 100,000 cards.
_CARD_TAGS = PlanCards(
    tables.cards.c.pk, tables.cards.c.deck_id, cast(tables.cards.c.content["tags"], Text)
)


def plan_status(reader: Reader, today: date, db: Database | None = None) -> PlanStatus | None:
    """The plan with today's pacing and readiness for the interview day."""
    plan = current_plan(reader)
    if plan is None:
        return None
    groups: dict[int, list[str]] = {}
    # A deck's cards share a few tag lists: each distinct one is parsed once.
    tag_groups: dict[str | None, list[str]] = {}
    for pk, deck_id, raw_tags in _CARD_TAGS.rows(reader, plan):
        tags = tag_groups.get(raw_tags)
        if tags is None:
            parsed = json.loads(raw_tags) if raw_tags else None
            tags = tag_groups[raw_tags] = [f"tag:{tag}" for tag in parsed or ()]
        groups[pk] = [f"deck:{deck_id}", *tags]
    in_use = parameters_in_use(reader)
    found = card_memories(reader, groups, in_use.parameters, db)
    report = readiness(found, plan.interview_day, in_use.parameters, groups)
    introduced = introduced_today(reader, today)
    unseen = sum(1 for pk in groups if pk not in found)

    def value(group: Any) -> Readiness:
        return Readiness(group.name, group.cards, group.ready, group.mean_recall)

    return PlanStatus(
        plan=plan,
        today=today,
        days_left=(plan.interview_day - today).days,
        unseen=unseen,
        pacing=pacing(reader, plan, today, introduced),
        overall=value(report.overall),
        groups=tuple(value(group) for group in report.groups),
        fitted=in_use.fitted,
        reviews=in_use.reviews,
    )
