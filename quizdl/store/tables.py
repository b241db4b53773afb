"""The learner's collection as SQLAlchemy Core tables: the schema itself.

Every command reads through these. The ORM classes in ``quizdl.store.models``
are mapped onto the same tables for the paths that write objects (imports,
edits, plans); loading the ORM costs ~80 ms at start-up on these machines, so
the read paths (``quizdl stats``, ``quizdl decks list``, opening a collection)
use the tables here and never import it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# card_counts.due for cards never reviewed (card_states.due IS NULL): a key
# column cannot be NULL, and no real due date is this early.
UNSEEN_DUE = date(1900, 1, 1)

decks = Table(
    "decks",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("version", String(64), nullable=False, default="1"),
    Column("tags", JSON, nullable=False, default=list),
    # "bundled" decks are synced from the package on start; "imported" ones
    # only change when the learner imports again.
    Column("origin", String(16), nullable=False),
    Column("source_path", Text),
    Column("content_hash", String(64)),
    Column("imported_at", DateTime, nullable=False),
)

cards = Table(
    "cards",
    metadata,
    Column("pk", Integer, primary_key=True, autoincrement=True),
    Column("deck_id", ForeignKey("decks.id", ondelete="CASCADE"), nullable=False),
    Column("card_id", String(200), nullable=False),
    Column("type", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("content", JSON, nullable=False),
    # NFKC + casefold of the card's text, so search is one LIKE per word.
    Column("search_text", Text, nullable=False, default=""),
    Column("retired", Boolean, nullable=False, default=False),
    Column("suspended", Boolean, nullable=False, default=False),
    UniqueConstraint("deck_id", "card_id", name="uq_cards_deck_card"),
    Index("ix_cards_deck_position", "deck_id", "position"),
    # Per-deck counts read this narrow index instead of the wide card rows
    # (their JSON content): 52 ms -> 22 ms for 100,000 cards.
    Index("ix_cards_deck_state", "deck_id", "retired", "suspended"),
)
# The cards a learner studies: neither retired (gone from their deck) nor suspended.
ACTIVE_CARD = (cards.c.retired.is_(False), cards.c.suspended.is_(False))

card_states = Table(
    "card_states",
    metadata,
    Column("card_pk", ForeignKey("cards.pk", ondelete="CASCADE"), primary_key=True),
    Column("easiness", Float, nullable=False, default=2.5),
    Column("repetitions", Integer, nullable=False, default=0),
    Column("interval", Integer, nullable=False, default=0),
    # NULL means the card has never been reviewed: it is new.
    Column("due", Date),
    Column("lapses", Integer, nullable=False, default=0),
    # Lapsed ``leech_threshold`` times (tagged "leech"): suspended or flagged
    # when it happened, as config.toml's leech_action says.
    Column("leech", Boolean, nullable=False, default=False, server_default=false()),
    Index("ix_card_states_due", "due"),
)

# How many active (not retired) cards of a deck share a due day, a reviewed flag
# (repetitions > 0) and a suspended flag. Kept by database triggers on ``cards``
# and ``card_states`` (migration 0005), so every writer (answer, undo, import,
# suspend, leeches, raw SQL) keeps it right without knowing of it; statistics
# read a few hundred rows instead of joining every card to its state.
card_counts = Table(
    "card_counts",
    metadata,
    Column("deck_id", String(200), primary_key=True),
    Column("due", Date, primary_key=True),  # UNSEEN_DUE when new
    Column("reviewed", Boolean, primary_key=True),
    Column("suspended", Boolean, primary_key=True),
    Column("cards", Integer, nullable=False, default=0),
)

# An interview date new cards are paced toward (one plan at a time).
plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("interview_day", Date, nullable=False),
    Column("minutes_per_day", Float, nullable=False),
    Column("final_stretch_days", Integer, nullable=False),
    # The decks the plan covers; empty for the whole collection.
    Column("deck_ids", JSON, nullable=False, default=list),
    Column("created_at", DateTime, nullable=False),  # UTC
)

# Append-only log of every answer (undo removes only the very last one).
reviews = Table(
    "reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("card_pk", ForeignKey("cards.pk", ondelete="CASCADE"), nullable=False),
    Column("reviewed_at", DateTime, nullable=False),  # UTC
    Column("study_day", Date, nullable=False),  # the learner's day (starts 04:00 local)
    Column("quality", Integer, nullable=False),
    # "scheduled" answers move the SM-2 state; "redrill" ones (SM-2 rule 7,
    # same-day repeats) are logged without changing it.
    Column("kind", String(16), nullable=False),
    Column("answer_seconds", Float, nullable=False, default=0.0),
    Column("easiness_before", Float, nullable=False),
    Column("repetitions_before", Integer, nullable=False),
    Column("interval_before", Integer, nullable=False),
    Column("due_before", Date),
    Column("lapses_before", Integer, nullable=False),
    Column("easiness_after", Float, nullable=False),
    Column("repetitions_after", Integer, nullable=False),
    Column("interval_after", Integer, nullable=False),
    Column("due_after", Date),
    # The study-more option that chose the card ("new", "ahead", "failed",
    # "sample", "tag", "deck"); NULL for an answer from today's own queue.
    Column("study_more", String(16)),
    # Under an interview plan: the day the plan shows the card next when it
    # differs from ``due_after`` (the scheduler's day, which the card keeps).
    Column("planned_due", Date),
    Index("ix_reviews_card", "card_pk", "id"),
    Index("ix_reviews_day", "study_day"),
    # Each card's latest scheduled answer, from the index alone (migration 0006).
    Index("ix_reviews_card_kind", "card_pk", "kind", "id"),
    # A card's answers of today, read on every answer (migration 0007).
    Index("ix_reviews_card_day", "card_pk", "study_day"),
)

# Per-day, per-deck totals of the review log, kept in step by every answer and
# undo, so statistics over a million reviews read a few hundred rows.
review_days = Table(
    "review_days",
    metadata,
    Column("study_day", Date, primary_key=True),
    Column("deck_id", String(200), primary_key=True),
    Column("reviews", Integer, nullable=False, default=0),
    # answers that moved SM-2
    Column("scheduled", Integer, nullable=False, default=0),
    # scheduled answers graded ≥ 3
    Column("passed", Integer, nullable=False, default=0),
    Column("seconds", Float, nullable=False, default=0.0),
)

# FSRS-6 parameters fitted to the learner's own review log (newest row wins).
fitted_parameters = Table(
    "fitted_parameters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("study_day", Date, nullable=False),  # refitted at most once a study day
    Column("fitted_at", DateTime, nullable=False),  # UTC
    Column("review_count", Integer, nullable=False),  # reviews the fit saw
    Column("parameters", JSON, nullable=False),
)

challenge_attempts = Table(
    "challenge_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("card_pk", ForeignKey("cards.pk", ondelete="CASCADE"), nullable=False),
    Column("created_at", DateTime, nullable=False),  # UTC
    # "check" (code was run), "solution" (reference solution seen),
    # "give_up", or "draft" (autosaved code that was not checked).
    Column("event", String(16), nullable=False),
    Column("code", Text, nullable=False, default=""),
    Column("passed", Boolean),
    Column("verdict", JSON),
    Column("seconds", Float, nullable=False, default=0.0),
    # The answer that graded this event's round (a passed check or a give-up),
    # written in the same transaction; NULL while the round is open, and again
    # if that answer is undone.
    Column(
        "review_id",
        ForeignKey("reviews.id", ondelete="SET NULL", name="fk_challenge_attempts_review"),
    ),
    # The card's latest scheduled review when this was recorded: a round is
    # the open events after the card's current latest scheduled review.
    Column("after_review_id", Integer),
    Index("ix_attempts_card", "card_pk", "id"),
    Index("ix_attempts_review", "review_id"),
)

# Facts about the collection itself, by key (migration 0008); e.g.
# ``aligned_days``: which scheduler settings the review days were last aligned
# to (``quizdl.study.factory``).
collection_meta = Table(
    "collection_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Each answered card's FSRS memory as its log last gave it (migration 0009), so an
# interview plan replays only the logs that changed since (``quizdl.study.card_memory``).
# A row is trusted only while the card's answer count and newest answer id are
# still ``answers`` and ``last_review``, and the parameters it was computed with
# (the ``card_memories`` key of ``collection_meta``) are still in use.
card_memories = Table(
    "card_memories",
    metadata,
    Column("card_pk", ForeignKey("cards.pk", ondelete="CASCADE"), primary_key=True),
    Column("stability", Float, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("answers", Integer, nullable=False),
    Column("last_review", Integer, nullable=False),
)
