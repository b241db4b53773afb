"""New cards introduced today, per deck, counted from the review log.

A card's first answer is the scheduled answer whose state before had no due
day; counting those for today is what a deck's daily new-card limit and a
plan's pacing both subtract from.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from quizdl.store.tables import cards, reviews

if TYPE_CHECKING:
    from quizdl.store.db import Reader


def introduced_today(reader: Reader, today: date) -> dict[str, int]:
    rows = reader.execute(
        select(cards.c.deck_id, func.count())
        .join(reviews, reviews.c.card_pk == cards.c.pk)
        .where(
            reviews.c.study_day == today,
            reviews.c.kind == "scheduled",
            reviews.c.due_before.is_(None),
        )
        .group_by(cards.c.deck_id)
    )
    return {deck_id: count for deck_id, count in rows}


def own_allowances(
    deck_order: Sequence[str], limits: Mapping[str, int], introduced: Mapping[str, int]
) -> dict[str, int]:
    """New cards each deck may still introduce today under its own daily limit
    (what ``plans.new_allowances`` gives every deck outside a plan)."""
    return {deck: max(0, limits[deck] - introduced.get(deck, 0)) for deck in deck_order}
