"""SQLAlchemy 2.0 models of the learner's collection.

Rows never leave the store/study layers: the study service turns them into
plain values before a CLI command or a widget sees them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


class DeckRow(Base):
    __tablename__ = "decks"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[str] = mapped_column(String(64), default="1")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    # "bundled" decks are synced from the package on start; "imported" ones
    # only change when the learner imports again.
    origin: Mapped[str] = mapped_column(String(16))
    source_path: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class CardRow(Base):
    __tablename__ = "cards"
    __table_args__ = (
        UniqueConstraint("deck_id", "card_id", name="uq_cards_deck_card"),
        Index("ix_cards_deck_position", "deck_id", "position"),
        # Per-deck counts read this narrow index instead of the wide card rows
        # (their JSON content): 52 ms -> 22 ms for 100,000 cards.
        Index("ix_cards_deck_state", "deck_id", "retired", "suspended"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    deck_id: Mapped[str] = mapped_column(ForeignKey("decks.id", ondelete="CASCADE"))
    card_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    # NFKC + casefold of the card's text, so search is one LIKE per word.
    search_text: Mapped[str] = mapped_column(Text, default="")
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)


class CardStateRow(Base):
    __tablename__ = "card_states"
    __table_args__ = (Index("ix_card_states_due", "due"),)

    card_pk: Mapped[int] = mapped_column(
        ForeignKey("cards.pk", ondelete="CASCADE"), primary_key=True
    )
    easiness: Mapped[float] = mapped_column(Float, default=2.5)
    repetitions: Mapped[int] = mapped_column(Integer, default=0)
    interval: Mapped[int] = mapped_column(Integer, default=0)
    # NULL means the card has never been reviewed: it is new.
    due: Mapped[date | None] = mapped_column(Date)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    # Lapsed ``leech_threshold`` times (tagged "leech"): suspended or flagged
    # when it happened, as config.toml's leech_action says.
    leech: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


# card_counts.due for cards never reviewed (card_states.due IS NULL): a key
# column cannot be NULL, and no real due date is this early.
UNSEEN_DUE = date(1900, 1, 1)


class CardCountRow(Base):
    """How many active (not retired) cards of a deck share a due day, a reviewed
    flag (repetitions > 0) and a suspended flag.

    Kept by database triggers on ``cards`` and ``card_states`` (migration 0005),
    so every writer (answer, undo, import, suspend, leeches, raw SQL) keeps it
    right without knowing of it; statistics read a few hundred rows instead of
    joining every card to its state.
    """

    __tablename__ = "card_counts"

    deck_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    due: Mapped[date] = mapped_column(Date, primary_key=True)  # UNSEEN_DUE when new
    reviewed: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    suspended: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    cards: Mapped[int] = mapped_column(Integer, default=0)


class PlanRow(Base):
    """An interview date new cards are paced toward (one plan at a time)."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_day: Mapped[date] = mapped_column(Date)
    minutes_per_day: Mapped[float] = mapped_column(Float)
    final_stretch_days: Mapped[int] = mapped_column(Integer)
    # The decks the plan covers; empty for the whole collection.
    deck_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime)  # UTC


class ReviewRow(Base):
    """Append-only log of every answer (undo removes only the very last one)."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_card", "card_pk", "id"),
        Index("ix_reviews_day", "study_day"),
        # Each card's latest scheduled answer, from the index alone (migration 0006).
        Index("ix_reviews_card_kind", "card_pk", "kind", "id"),
        # A card's answers of today, read on every answer (migration 0007).
        Index("ix_reviews_card_day", "card_pk", "study_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_pk: Mapped[int] = mapped_column(ForeignKey("cards.pk", ondelete="CASCADE"))
    reviewed_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    study_day: Mapped[date] = mapped_column(Date)  # the learner's day (starts 04:00 local)
    quality: Mapped[int] = mapped_column(Integer)
    # "scheduled" answers move the SM-2 state; "redrill" ones (SM-2 rule 7,
    # same-day repeats) are logged without changing it.
    kind: Mapped[str] = mapped_column(String(16))
    answer_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    easiness_before: Mapped[float] = mapped_column(Float)
    repetitions_before: Mapped[int] = mapped_column(Integer)
    interval_before: Mapped[int] = mapped_column(Integer)
    due_before: Mapped[date | None] = mapped_column(Date)
    lapses_before: Mapped[int] = mapped_column(Integer)
    easiness_after: Mapped[float] = mapped_column(Float)
    repetitions_after: Mapped[int] = mapped_column(Integer)
    interval_after: Mapped[int] = mapped_column(Integer)
    due_after: Mapped[date | None] = mapped_column(Date)
    # The study-more option that chose the card ("new", "ahead", "failed",
    # "sample", "tag", "deck"); NULL for an answer from today's own queue.
    study_more: Mapped[str | None] = mapped_column(String(16))
    # Under an interview plan: the day the plan shows the card next when it
    # differs from ``due_after`` (the scheduler's day, which the card keeps).
    planned_due: Mapped[date | None] = mapped_column(Date)


class ReviewDayRow(Base):
    """Per-day, per-deck totals of the review log, kept in step by every answer
    and undo, so statistics over a million reviews read a few hundred rows."""

    __tablename__ = "review_days"

    study_day: Mapped[date] = mapped_column(Date, primary_key=True)
    deck_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    reviews: Mapped[int] = mapped_column(Integer, default=0)
    scheduled: Mapped[int] = mapped_column(Integer, default=0)  # answers that moved SM-2
    passed: Mapped[int] = mapped_column(Integer, default=0)  # scheduled answers graded ≥ 3
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class FittedParametersRow(Base):
    """FSRS-6 parameters fitted to the learner's own review log (newest row wins)."""

    __tablename__ = "fitted_parameters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    study_day: Mapped[date] = mapped_column(Date)  # refitted at most once a study day
    fitted_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    review_count: Mapped[int] = mapped_column(Integer)  # reviews the fit saw
    parameters: Mapped[list[float]] = mapped_column(JSON)


class ChallengeAttemptRow(Base):
    __tablename__ = "challenge_attempts"
    __table_args__ = (
        Index("ix_attempts_card", "card_pk", "id"),
        Index("ix_attempts_review", "review_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_pk: Mapped[int] = mapped_column(ForeignKey("cards.pk", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime)  # UTC
    # "check" (code was run), "solution" (reference solution seen),
    # "give_up", or "draft" (autosaved code that was not checked).
    event: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(Text, default="")
    passed: Mapped[bool | None] = mapped_column(Boolean)
    verdict: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    # The answer that graded this event's round (a passed check or a give-up),
    # written in the same transaction; NULL while the round is open, and again
    # if that answer is undone.
    review_id: Mapped[int | None] = mapped_column(
        ForeignKey("reviews.id", ondelete="SET NULL", name="fk_challenge_attempts_review")
    )
    # The card's latest scheduled review when this was recorded: a round is
    # the open events after the card's current latest scheduled review.
    after_review_id: Mapped[int | None] = mapped_column(Integer)


class CollectionMetaRow(Base):
    """Facts about the collection itself, by key (migration 0008); e.g.
    ``aligned_days``: which scheduler settings the review days were last
    aligned to (``quizdl.study.factory``)."""

    __tablename__ = "collection_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class CardMemoryRow(Base):
    """Each answered card's FSRS memory as its log last gave it (migration 0009),
    so an interview plan replays only the logs that changed since
    (``quizdl.study.card_memory``). A row is trusted only while the card's
    answer count and newest answer id are still ``answers`` and
    ``last_review``, and the parameters it was computed with (the
    ``card_memories`` key of ``collection_meta``) are still in use."""

    __tablename__ = "card_memories"

    card_pk: Mapped[int] = mapped_column(
        ForeignKey("cards.pk", ondelete="CASCADE"), primary_key=True
    )
    stability: Mapped[float] = mapped_column(Float)
    last_day: Mapped[date] = mapped_column(Date)
    answers: Mapped[int] = mapped_column(Integer)
    last_review: Mapped[int] = mapped_column(Integer)
