"""Today's learning cards: which cards are on learning steps, and when each is due.

Nothing about steps is stored: the day's review log is replayed through the
step rules (``scheduling.steps.steps_of_day``), so an app restarted mid-day,
an undo, or a challenge graded in its editor all leave the same answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from quizdl.scheduling.steps import StepResult, Steps, steps_of_day
from quizdl.store.tables import ACTIVE_CARD, cards, reviews

if TYPE_CHECKING:
    from quizdl.store.db import Reader


@dataclass(frozen=True)
class LearningCard:
    pk: int
    step: int
    due: datetime  # aware UTC: the last answer today plus the step's delay


def _as_utc(stored: datetime) -> datetime:
    # The log stores UTC without tzinfo (see clock.to_utc_naive).
    return stored.replace(tzinfo=UTC) if stored.tzinfo is None else stored.astimezone(UTC)


def _learning_of(pk: int, answers: list[tuple[int, datetime]], steps: Steps) -> LearningCard | None:
    result: StepResult = steps_of_day(steps, (grade for grade, _ in answers))
    if result.step is None or result.delay is None:
        return None
    return LearningCard(pk, result.step, _as_utc(answers[-1][1]) + result.delay)


def learning_cards(
    reader: Reader, today: date, steps: Steps, pks: Iterable[int] | None = None
) -> list[LearningCard]:
    """Cards still on their steps after today's answers, soonest due first."""
    query = (
        select(reviews.c.card_pk, reviews.c.quality, reviews.c.reviewed_at)
        .where(reviews.c.study_day == today)
        .order_by(reviews.c.id)
    )
    if pks is not None:
        query = query.where(reviews.c.card_pk.in_(list(pks)))
    answers: dict[int, list[tuple[int, datetime]]] = {}
    for pk, quality, reviewed_at in reader.execute(query):
        answers.setdefault(pk, []).append((quality, reviewed_at))
    found = (_learning_of(pk, day, steps) for pk, day in answers.items())
    return sorted((card for card in found if card is not None), key=lambda c: (c.due, c.pk))


def learning_by_deck(reader: Reader, today: date, steps: Steps) -> dict[str, int]:
    """Cards on today's steps per deck, leaving out suspended and retired ones."""
    pks = [card.pk for card in learning_cards(reader, today, steps)]
    if not pks:
        return {}
    rows = reader.execute(
        select(cards.c.deck_id, func.count())
        .where(cards.c.pk.in_(pks), *ACTIVE_CARD)
        .group_by(cards.c.deck_id)
    )
    return {deck_id: count for deck_id, count in rows}
