"""ORM classes mapped onto the collection's tables (``quizdl.store.tables``).

Only the paths that write whole objects (imports, deck edits and exports,
challenge attempts) use them, so only the tables those paths touch have a
class; everything else reads and writes the Core tables, so that no start-up
loads the ORM. Rows never leave the store/study layers: the
study service turns them into plain values before a CLI command or a widget
sees them. The annotations give each attribute its type; the columns
themselves are the tables'.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import DeclarativeBase, Mapped

from quizdl.store import tables


class Base(DeclarativeBase):
    metadata = tables.metadata


class DeckRow(Base):
    __table__ = tables.decks

    id: Mapped[str]
    title: Mapped[str]
    description: Mapped[str]
    version: Mapped[str]
    tags: Mapped[list[str]]
    origin: Mapped[str]
    source_path: Mapped[str | None]
    content_hash: Mapped[str | None]
    imported_at: Mapped[datetime]


class CardRow(Base):
    __table__ = tables.cards

    pk: Mapped[int]
    deck_id: Mapped[str]
    card_id: Mapped[str]
    type: Mapped[str]
    position: Mapped[int]
    content: Mapped[dict[str, Any]]
    search_text: Mapped[str]
    retired: Mapped[bool]
    suspended: Mapped[bool]


class CardStateRow(Base):
    __table__ = tables.card_states

    card_pk: Mapped[int]
    easiness: Mapped[float]
    repetitions: Mapped[int]
    interval: Mapped[int]
    due: Mapped[date | None]
    lapses: Mapped[int]
    leech: Mapped[bool]


class ReviewRow(Base):
    __table__ = tables.reviews

    id: Mapped[int]
    card_pk: Mapped[int]
    reviewed_at: Mapped[datetime]
    study_day: Mapped[date]
    quality: Mapped[int]
    kind: Mapped[str]
    answer_seconds: Mapped[float]
    easiness_before: Mapped[float]
    repetitions_before: Mapped[int]
    interval_before: Mapped[int]
    due_before: Mapped[date | None]
    lapses_before: Mapped[int]
    easiness_after: Mapped[float]
    repetitions_after: Mapped[int]
    interval_after: Mapped[int]
    due_after: Mapped[date | None]
    study_more: Mapped[str | None]
    planned_due: Mapped[date | None]


class ChallengeAttemptRow(Base):
    __table__ = tables.challenge_attempts

    id: Mapped[int]
    card_pk: Mapped[int]
    created_at: Mapped[datetime]
    event: Mapped[str]
    code: Mapped[str]
    passed: Mapped[bool | None]
    verdict: Mapped[dict[str, Any] | None]
    seconds: Mapped[float]
    review_id: Mapped[int | None]
    after_review_id: Mapped[int | None]
