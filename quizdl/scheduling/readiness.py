"""Readiness: the predicted probability of recalling each card on the interview day.

Each card's own review log is replayed through FSRS-6 (whatever scheduler
set its due dates), and the forgetting curve is read on the interview day.
The parameters are FSRS' published defaults until the learner has
``MIN_REVIEWS_TO_FIT`` reviews, then parameters fitted to their own log.
"""

from __future__ import annotations

import statistics
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

import fsrs_rs_python as fsrs_rs

from quizdl.scheduling.fsrs import DEFAULT_PARAMETERS, retrievability
from quizdl.scheduling.steps import answer_of

MIN_REVIEWS_TO_FIT = 1000
# A card counts as ready when its predicted recall on the day reaches this.
READY_AT = 0.9

K = TypeVar("K", bound=Hashable)
DayLog = Sequence[tuple[date, int]]  # (study day, grade 0..5), oldest first
# FSRS' rating of each SM-2 grade (``answer_of``), looked up once per answer of a
# replay: a plan replays every answer in the log.
_RATING = {grade: int(answer_of(grade)) for grade in range(6)}


def fsrs_items(days_and_grades: Sequence[tuple[date, int]]) -> list[fsrs_rs.FSRSItem]:
    """A card's history as FSRS training items: one per review made a day or more
    after the one before, with every answer up to it (how Anki trains FSRS)."""
    reviews: list[fsrs_rs.FSRSReview] = []
    items = []
    previous: date | None = None
    for day, grade in days_and_grades:
        delta = 0 if previous is None else (day - previous).days
        reviews.append(fsrs_rs.FSRSReview(int(answer_of(grade)), delta))
        if delta > 0:
            items.append(fsrs_rs.FSRSItem(list(reviews)))
        previous = day
    return items


@dataclass(frozen=True, slots=True)
class Memory:
    """A card's FSRS-6 memory after its last answer."""

    stability: float  # days until recall falls to 90 %
    last_day: date  # the study day of its last answer

    def recall_on(self, parameters: Sequence[float], day: date) -> float:
        return retrievability(parameters, self.stability, (day - self.last_day).days)


def memories(
    logs: Mapping[K, Sequence[tuple[date, int]]], parameters: Sequence[float]
) -> dict[K, Memory]:
    """Each answered card's memory from its (study day, grade) log, oldest first.

    The same state ``FSRSScheduler.replay`` reaches (a test checks), in one
    engine call per card and without converting times: what the queue under a
    plan can afford on every call.
    """
    engine = fsrs_rs.FSRS(list(parameters))
    review = fsrs_rs.FSRSReview
    found = {}
    for key, log in logs.items():
        if not log:
            continue
        reviews = []
        previous = log[0][0]
        for day, grade in log:
            rating = _RATING.get(grade)
            if rating is None:  # out of range: the same error as everywhere else
                rating = int(answer_of(grade))
            reviews.append(review(rating, (day - previous).days))
            previous = day
        state = engine.memory_state(fsrs_rs.FSRSItem(reviews))
        found[key] = Memory(state.stability, previous)
    return found


def fit_parameters(
    logs: Iterable[Sequence[tuple[date, int]]],
) -> tuple[float, ...]:
    """FSRS-6 parameters fitted to a learner's logs (study day, grade) per card."""
    items = [item for log in logs for item in fsrs_items(log)]
    if not items:
        return DEFAULT_PARAMETERS
    fitted = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS)).compute_parameters(items)
    return tuple(fitted)


def choose_parameters(review_count: int, fitted: Sequence[float] | None) -> tuple[float, ...]:
    """Fitted parameters once there are enough reviews to trust them, else the defaults."""
    if fitted is None or review_count < MIN_REVIEWS_TO_FIT:
        return DEFAULT_PARAMETERS
    return tuple(fitted)


@dataclass(frozen=True, slots=True)
class GroupReadiness:
    name: str
    cards: int
    ready: int  # cards at or above READY_AT
    mean_recall: float  # the expected fraction recalled on the day


@dataclass(frozen=True, slots=True)
class ReadinessReport(Generic[K]):
    interview_day: date
    per_card: Mapping[K, float]
    overall: GroupReadiness
    groups: tuple[GroupReadiness, ...]  # by deck or tag, weakest first


def readiness(
    found: Mapping[K, Memory],
    interview_day: date,
    parameters: Sequence[float],
    groups: Mapping[K, Sequence[str]],
) -> ReadinessReport[K]:
    """Readiness per card, overall and per group (deck, tag) for the interview day.

    ``groups`` names every card to judge with the groups it counts in;
    ``found`` has their memories (``memories`` with ``parameters``), and a
    card without one was never answered.
    """
    # A card never answered is not recalled at all.
    per_card = {
        key: found[key].recall_on(parameters, interview_day) if key in found else 0.0
        for key in groups
    }
    members: dict[str, list[float]] = {}
    for key, recall in per_card.items():
        for name in groups[key]:
            members.setdefault(name, []).append(recall)
    summaries = sorted(
        (_summary(name, recalls) for name, recalls in members.items()),
        key=lambda g: (g.mean_recall, g.name),
    )
    return ReadinessReport(
        interview_day, per_card, _summary("all", list(per_card.values())), tuple(summaries)
    )


def _summary(name: str, recalls: list[float]) -> GroupReadiness:
    return GroupReadiness(
        name=name,
        cards=len(recalls),
        ready=sum(r >= READY_AT for r in recalls),
        mean_recall=statistics.fmean(recalls) if recalls else 0.0,
    )
