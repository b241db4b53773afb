"""Plan arithmetic for an interview date: pacing, caps, the final stretch, load.

Pure functions over study days (local dates, see ``days``). A plan never
changes a scheduler's state: it only says on which day a card is shown, so
clearing the plan restores each card's own due date (``review_under_plan``
returns both).

- Pacing: the unseen cards are spread evenly over the days before the final
  stretch (default 2 days, kept for review), never more a day than the budget
  holds; whatever is still unseen in the stretch comes at once.
- Caps: no card is planned after the interview day; a card not yet seen in the
  final stretch is planned on a study day before the interview, so each card is
  seen at least once in the stretch. A card already seen there rests until the
  interview (its planned day is the interview day itself).
- Budget: each day's new cards are reserved first (bounded by the budget);
  reviews fill the rest. A day over budget hands cards, strongest first (the
  weakest stay nearest the interview), to the nearest earlier day with room.
  What still does not fit is studied weakest first until time runs out.
- Time: seconds per answer from the learner's own recent answer times (median,
  after ``MIN_TIMED_ANSWERS``), ``DEFAULT_SECONDS_PER_ANSWER`` before that.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Generic, TypeVar

from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.protocol import CardState, Outcome, ReviewRecord, Scheduler
from quizdl.scheduling.steps import DEFAULT_LEARNING_STEPS, DEFAULT_RELEARNING_STEPS

DEFAULT_MINUTES_PER_DAY = 20.0
DEFAULT_FINAL_STRETCH_DAYS = 2
# What a plan may ask for: a day's minutes, and an interview up to ten years away
# (a date in year 9999 was taken).
MOST_MINUTES_PER_DAY = 24 * 60
MOST_PLAN_DAYS = 3650
# Before a learner has timed answers: 15 s an answer, between the review
# (8-19 s) and learning (11-20 s) answer costs of Anki's simulator defaults.
DEFAULT_SECONDS_PER_ANSWER = 15.0
MIN_TIMED_ANSWERS = 20
RECENT_ANSWERS = 200
# A pause (the learner left the screen) is not study time.
LONGEST_COUNTED_ANSWER = 120.0
# A new card is answered once, then once per learning step when all goes well.
ANSWERS_PER_NEW_CARD = 1 + len(DEFAULT_LEARNING_STEPS)
ANSWERS_PER_LAPSE = len(DEFAULT_RELEARNING_STEPS)

K = TypeVar("K", bound=Hashable)
StateT = TypeVar("StateT", bound=CardState)


@dataclass(frozen=True, slots=True)
class PlanSettings:
    interview_day: date
    minutes_per_day: float = DEFAULT_MINUTES_PER_DAY
    final_stretch_days: int = DEFAULT_FINAL_STRETCH_DAYS
    # Worked out once: planned_day reads both for every card of the plan, twice per
    # queue (a property's date arithmetic was a seventh of a 90,000-card plan).
    last_study_day: date = field(init=False, repr=False, compare=False)
    stretch_start: date = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.minutes_per_day <= 0:
            raise ValueError(f"minutes per day must be positive, got {self.minutes_per_day}")
        if self.final_stretch_days < 0:
            raise ValueError(f"final stretch must be 0 days or more, got {self.final_stretch_days}")
        object.__setattr__(self, "last_study_day", self.interview_day - timedelta(days=1))
        stretch_start = self.interview_day - timedelta(days=self.final_stretch_days)
        object.__setattr__(self, "stretch_start", stretch_start)

    @property
    def budget_seconds(self) -> float:
        return self.minutes_per_day * 60


def seconds_per_answer(answer_seconds: Sequence[float]) -> float:
    """The learner's typical answer time: the median of recent answers, or the default."""
    recent = [min(LONGEST_COUNTED_ANSWER, s) for s in answer_seconds[-RECENT_ANSWERS:] if s > 0]
    if len(recent) < MIN_TIMED_ANSWERS:
        return DEFAULT_SECONDS_PER_ANSWER
    return float(statistics.median(recent))


def review_seconds(recall: float, per_answer: float) -> float:
    """Expected time of a review: one answer, plus relearning steps if it lapses."""
    return per_answer * (1 + (1 - recall) * ANSWERS_PER_LAPSE)


def new_card_seconds(per_answer: float) -> float:
    return per_answer * ANSWERS_PER_NEW_CARD


def planned_day(own_due: date, last_review: date | None, today: date, plan: PlanSettings) -> date:
    """The day a seen card is shown under the plan (its own due day when no cap applies)."""
    if today >= plan.interview_day:
        return own_due
    # Comparisons, not max(): this runs twice per card on every queue under a plan.
    if own_due <= plan.last_study_day:
        return own_due if own_due > today else today
    if last_review is not None and last_review >= plan.stretch_start:
        return plan.interview_day  # seen in the final stretch: rests until the interview
    return today if today > plan.last_study_day else plan.last_study_day


def paced_new_cards(unseen: int, today: date, plan: PlanSettings) -> int:
    """New cards for ``today`` by pacing alone: the unseen ones spread over the days left."""
    if unseen <= 0 or today >= plan.interview_day:
        return 0
    # In the stretch whatever is still unseen comes at once: late beats never.
    days_for_new = max(1, (plan.stretch_start - today).days)
    return math.ceil(unseen / days_for_new)


def split_in_proportion(total: int, weights: Mapping[str, int]) -> dict[str, int]:
    """``total`` split into whole parts in proportion to ``weights`` (largest
    remainders first, ties by key), no part above its weight."""
    whole = sum(weights.values())
    total = min(max(total, 0), whole)
    if total == 0:
        return dict.fromkeys(weights, 0)
    exact = {key: total * weight / whole for key, weight in weights.items()}
    parts = {key: math.floor(value) for key, value in exact.items()}
    left = total - sum(parts.values())
    for key in sorted(weights, key=lambda k: (parts[k] - exact[k], k))[:left]:
        parts[key] += 1
    return parts


@dataclass(frozen=True, slots=True)
class PlanCard(Generic[K]):
    """A seen card as the plan needs it."""

    key: K
    own_due: date  # the scheduler's next review day
    last_review: date | None
    # Predicted recall on the interview day: the weakness order.
    recall_on_interview: float
    seconds: float  # expected time of its next review


@dataclass(frozen=True, slots=True)
class PlannedDay(Generic[K]):
    day: date
    reviews: tuple[K, ...]  # weakest first: the order to study them in
    new_cards: int
    seconds: float
    # Before the final stretch new cards come before reviews: when time runs
    # out, a review waits a day, but a card never seen is not ready at all.
    # In the stretch reviews (weakest first) come first.
    new_first: bool = True


@dataclass(frozen=True, slots=True)
class Plan(Generic[K]):
    settings: PlanSettings
    today: date
    due: Mapping[K, date]  # every seen card's planned day
    days: tuple[PlannedDay[K], ...] = field(default=())

    @property
    def new_today(self) -> int:
        return self.days[0].new_cards if self.days and self.days[0].day == self.today else 0

    def due_today(self) -> tuple[K, ...]:
        return self.days[0].reviews if self.days and self.days[0].day == self.today else ()


def make_plan(
    cards: Iterable[PlanCard[K]],
    unseen: int,
    today: date,
    settings: PlanSettings,
    per_answer: float = DEFAULT_SECONDS_PER_ANSWER,
) -> Plan[K]:
    """Every seen card's day and each study day's load until the interview."""
    cards = list(cards)
    due = {c.key: planned_day(c.own_due, c.last_review, today, settings) for c in cards}
    if today >= settings.interview_day:
        return Plan(settings, today, due)
    study_days = [today + timedelta(days=i) for i in range((settings.interview_day - today).days)]
    # New cards claim their paced share of each day first: a card never seen
    # is recalled on the day with probability 0, worse than any late review.
    cost_new = new_card_seconds(per_answer)
    new_cards: dict[date, int] = {}
    remaining = unseen
    for day in study_days:
        by_budget = math.floor(settings.budget_seconds / cost_new)
        new_cards[day] = min(remaining, paced_new_cards(remaining, day, settings), by_budget)
        remaining -= new_cards[day]
    capacity = {day: settings.budget_seconds - new_cards[day] * cost_new for day in study_days}

    by_day: dict[date, list[PlanCard[K]]] = {day: [] for day in study_days}
    for card in cards:
        if due[card.key] in by_day:
            by_day[due[card.key]].append(card)
    _smooth(by_day, study_days, capacity)
    days = []
    for day in study_days:
        reviews = sorted(by_day[day], key=lambda c: c.recall_on_interview)
        for card in reviews:
            due[card.key] = day
        load = sum(c.seconds for c in reviews)
        days.append(
            PlannedDay(
                day,
                tuple(c.key for c in reviews),
                new_cards[day],
                load + new_cards[day] * cost_new,
                new_first=day < settings.stretch_start,
            )
        )
    return Plan(settings, today, due, tuple(days))


def _smooth(
    by_day: dict[date, list[PlanCard[K]]], study_days: list[date], capacity: Mapping[date, float]
) -> None:
    """Move cards earlier, strongest first, while that takes a day off its excess.

    A card over a day's budget goes to the latest earlier day with room for it
    (the day before when it can), so it stays as near its own day as the budget
    allows. Repeated until nothing moves, as a move can make room on a day.
    """
    room = {day: capacity[day] - sum(c.seconds for c in by_day[day]) for day in study_days}
    moved = True
    while moved:
        moved = False
        for index in range(len(study_days) - 1, 0, -1):
            later = study_days[index]
            if room[later] >= 0:
                continue
            earlier = study_days[index - 1 :: -1]  # the nearest first
            # A card longer than every earlier day's room goes nowhere: checked
            # against the largest room instead of a scan of the days per card
            # (a day over budget by thousands of cards scanned them all each time).
            most = max(room[day] for day in earlier)
            # Taken out after the pass over the day: list.remove per card made
            # a heavy day quadratic (0.65 s of a 10,000-card plan).
            gone: set[int] = set()
            for card in sorted(by_day[later], key=lambda c: -c.recall_on_interview):
                if room[later] >= 0:
                    break
                if card.seconds > most:
                    continue
                target = next(day for day in earlier if room[day] >= card.seconds)
                gone.add(id(card))
                by_day[target].append(card)
                room[later] += card.seconds
                room[target] -= card.seconds
                most = max(room[day] for day in earlier)
                moved = True
            if gone:
                by_day[later] = [card for card in by_day[later] if id(card) not in gone]


@dataclass(frozen=True, slots=True)
class PlannedReview(Generic[StateT]):
    """A review as logged under a plan: the scheduler's own result and the planned day."""

    state: StateT
    record: ReviewRecord[StateT]
    own_day: date  # the scheduler's next review day (what clearing the plan restores)
    planned_day: date


def review_under_plan(
    scheduler: Scheduler[StateT],
    calendar: StudyCalendar,
    state: StateT,
    grade: int,
    when: datetime,
    plan: PlanSettings,
) -> PlannedReview[StateT]:
    """Grade a card while a plan is active: the scheduler's state, untouched, and both days."""
    after, record = scheduler.review(state, grade, when)
    own_day = calendar.day_of(record.due)
    today = record.study_day
    return PlannedReview(after, record, own_day, planned_day(own_day, today, today, plan))


@dataclass(frozen=True, slots=True)
class PlannedOutcome:
    """A grade button under a plan: the scheduler's outcome and the planned day."""

    outcome: Outcome
    # The day the plan shows the card next, when that differs from the
    # scheduler's own review day; None when they agree or the card is on a step.
    planned_day: date | None


def preview_under_plan(
    scheduler: Scheduler[StateT],
    calendar: StudyCalendar,
    state: StateT,
    when: datetime,
    plan: PlanSettings,
) -> dict[int, PlannedOutcome]:
    """Every grade's outcome at ``when``, with the planned day where the plan moves it."""
    today = calendar.day_of(when)
    previews = {}
    for grade, outcome in scheduler.preview(state, when).items():
        planned: date | None = None
        if outcome.review_day is not None:
            day = planned_day(outcome.review_day, today, today, plan)
            planned = day if day != outcome.review_day else None
        previews[grade] = PlannedOutcome(outcome, planned)
    return previews
