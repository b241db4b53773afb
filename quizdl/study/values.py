"""Plain values the study service hands to the fronts (no ORM objects leak out)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from quizdl.scheduling.sm2 import SM2State

if TYPE_CHECKING:  # annotations only: counting cards need not load pydantic
    from quizdl.decks.model import Card, ChallengeCard

CardStatus = Literal["new", "learning", "review", "suspended", "retired"]


@dataclass(frozen=True)
class DeckSummary:
    id: str
    title: str
    origin: str  # "bundled" or "imported"
    total: int  # active cards (not retired)
    new: int  # new cards that today's queue would show (after the daily limit)
    due: int  # review cards due today or earlier (learning re-drills included)
    unseen: int  # all new cards, regardless of today's limit

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "total": self.total,
            "new": self.new,
            "due": self.due,
        }


@dataclass(frozen=True)
class StudyCard:
    """One card as the review screen needs it."""

    pk: int
    deck_id: str
    deck_title: str
    card: Card
    state: SM2State
    suspended: bool
    retired: bool
    source_path: str | None

    @property
    def card_id(self) -> str:
        return self.card.id


# Which study-more option chose a card (``study.study_more``); logged with each answer.
StudyMoreKind = Literal["new", "ahead", "failed", "sample", "tag", "deck"]


@dataclass(frozen=True, slots=True)  # slots: a 100k-card queue builds ~8k of them
class QueueEntry:
    pk: int
    kind: Literal["review", "new", "learning"]
    # A learning card's next step (aware UTC); None for reviews and new cards.
    due: datetime | None = None
    # The study-more option that chose it; None for today's own queue.
    more: StudyMoreKind | None = None


@dataclass(frozen=True)
class GradeOption:
    """What one grade button would do to the shown card now."""

    grade: int
    # A learning step's wait when the grade keeps the card on today's steps;
    # None when the card next comes on a later day.
    wait: timedelta | None
    days: int  # days from today to the next review this grade sets (SM-2's, or FSRS-6's)
    easiness_before: float
    easiness_after: float
    # FSRS: the predicted probability of recall on the day this grade sets.
    recall: float | None = None
    # Under an interview plan: days from today to the day the plan shows the
    # card instead, when that differs from ``days``; None otherwise.
    planned_days: int | None = None


@dataclass(frozen=True)
class AnswerOutcome:
    review_id: int
    card_pk: int
    quality: int
    redrill: bool  # a same-day repeat (SM-2 rule 7): logged, state unchanged
    again: bool  # graded below 4: the card comes back this session
    before: SM2State
    after: SM2State
    # This answer's lapse made the card a leech (tagged; suspended or flagged).
    leech: bool = False
    # Under an interview plan: the day the plan shows the card next, when it
    # differs from ``after.due`` (the scheduler's day, which the card keeps).
    planned_due: date | None = None


@dataclass(frozen=True)
class ReviewLogEntry:
    id: int
    reviewed_at: datetime
    study_day: date
    quality: int
    kind: str
    answer_seconds: float
    interval_after: int


@dataclass(frozen=True)
class CardDetail:
    card: StudyCard
    status: CardStatus
    lapses: int
    history: list[ReviewLogEntry]


@dataclass(frozen=True)
class BrowseRow:
    pk: int
    deck_id: str
    card_id: str
    type: str
    prompt: str
    tags: tuple[str, ...]
    status: CardStatus
    due: date | None


@dataclass(frozen=True)
class DeckStats:
    deck_id: str
    title: str
    total: int
    new: int
    learning: int
    review: int
    suspended: int
    due_today: int
    retention: float | None  # share of scheduled answers graded ≥ 3


@dataclass(frozen=True)
class Stats:
    today: date
    reviews_today: int
    due_today: int
    due_tomorrow: int
    streak: int
    seconds_today: float
    seconds_total: float
    retention: float | None
    next_due: date | None
    decks: list[DeckStats]
    reviews_per_day: list[tuple[date, int]] = field(default_factory=list)
    forecast: list[tuple[date, int]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "reviews_today": self.reviews_today,
            "due_today": self.due_today,
            "due_tomorrow": self.due_tomorrow,
            "streak": self.streak,
            "seconds_today": round(self.seconds_today, 1),
            "retention": None if self.retention is None else round(self.retention, 4),
            "next_due": None if self.next_due is None else self.next_due.isoformat(),
            "decks": [
                {
                    "id": d.deck_id,
                    "title": d.title,
                    "total": d.total,
                    "new": d.new,
                    "learning": d.learning,
                    "review": d.review,
                    "suspended": d.suspended,
                    "due": d.due_today,
                    "retention": None if d.retention is None else round(d.retention, 4),
                }
                for d in self.decks
            ],
        }


@dataclass(frozen=True)
class ImportedProgress:
    """Scheduling carried over from another tool (e.g. Anki's --with-progress)."""

    state: SM2State
    lapses: int = 0
    suspended: bool = False


@dataclass(frozen=True)
class ImportPlan:
    deck_id: str
    deck_title: str
    deck_exists: bool
    new: list[str]
    updated: list[str]
    unchanged: list[str]
    retired: list[str]
    restored: list[str]  # retired cards that are back in the deck
    # Cards of this source that are the same Anki notes (same GUID) as cards already in
    # another deck: updated there, as Anki does, instead of duplicated here.
    # deck id -> card ids whose text changed / count of those that did not.
    elsewhere_updated: dict[str, list[str]] = field(default_factory=dict)
    elsewhere_unchanged: int = 0
    # The file the deck was imported from, when this import comes from another file
    # and would retire more than half of the deck's cards (``study.importing``).
    other_source: str | None = None
    # Updated cards whose kind changes: card id -> (stored type, new type). From CSV or
    # an Anki package, a copy whose sides no longer read as its kind (study.importing).
    retyped: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def active_before(self) -> int:
        """The deck's cards in study before this import (updated, unchanged or retired)."""
        return len(self.updated) + len(self.unchanged) + len(self.retired)

    @property
    def changes(self) -> int:
        moved = sum(len(ids) for ids in self.elsewhere_updated.values())
        return len(self.new) + len(self.updated) + len(self.retired) + len(self.restored) + moved


# A deck's own fields, beside its cards.
DECK_FIELDS = frozenset({"title", "description", "tags", "version"})


@dataclass(frozen=True)
class SourceTraits:
    """What an import's file can say, so that what it cannot say is not taken for an
    edit (``study.importing``).

    ``two_sided``: a CSV file or an Anki package, which hold a card's front and back
    only: a card there that is a copy of a stored one keeps what else it has.
    ``deck_fields``: the deck's own fields the file gives (a CSV file without a
    ``#deck:`` line gives none: its name only stands in for a title); a deck already
    in the collection keeps the others as they are.
    ``deck_id_given``: the deck's id was named (by the file, or by the learner's
    ``--deck``), not made from a title or file name: a file that does not name its
    deck goes back into the deck it made before.
    """

    two_sided: bool = False
    deck_fields: frozenset[str] = DECK_FIELDS
    deck_id_given: bool = True


NO_TRAITS = SourceTraits()  # a deck file of quizdl's own: every field, cards whole


@dataclass(frozen=True)
class ChallengeInfo:
    card_pk: int
    card_id: str
    deck_id: str
    title: str
    last_passed: bool | None
    due: date | None
    attempts: int
    solution_seen: bool
    card: ChallengeCard

    @property
    def key(self) -> str:
        """``deck/card``: names this card even when another deck reuses its id."""
        return f"{self.deck_id}/{self.card_id}"
