"""Putting a validated Deck into the collection: plan first, then apply in one transaction.

Cards are matched by id, so re-importing an edited deck keeps each card's
history; cards that left the deck are retired (kept, never shown), and come
back with their history if they return.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from quizdl.decks.content import card_to_content, search_text_of
from quizdl.decks.model import Deck
from quizdl.store.models import CardRow, CardStateRow, DeckRow
from quizdl.study.values import ImportedProgress, ImportPlan


@dataclass(frozen=True)
class _Existing:
    pk: int
    content: dict[str, Any]
    retired: bool
    position: int


def _existing_cards(session: Session, deck_id: str) -> dict[str, _Existing]:
    rows = session.execute(
        select(
            CardRow.card_id, CardRow.pk, CardRow.content, CardRow.retired, CardRow.position
        ).where(CardRow.deck_id == deck_id)
    )
    return {row.card_id: _Existing(row.pk, row.content, row.retired, row.position) for row in rows}


def plan_import(session: Session, deck: Deck) -> ImportPlan:
    existing = _existing_cards(session, deck.id)
    deck_exists = session.get(DeckRow, deck.id) is not None
    new: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    restored: list[str] = []
    for card in deck.cards:
        old = existing.get(card.id)
        if old is None:
            new.append(card.id)
        elif old.retired:
            restored.append(card.id)
        elif old.content != card_to_content(card):
            updated.append(card.id)
        else:
            unchanged.append(card.id)
    in_deck = {card.id for card in deck.cards}
    retired = [
        card_id for card_id, old in existing.items() if not old.retired and card_id not in in_deck
    ]
    return ImportPlan(deck.id, deck.title, deck_exists, new, updated, unchanged, retired, restored)


def apply_import(
    session: Session,
    deck: Deck,
    *,
    origin: str,
    source_path: str | None,
    content_hash: str | None,
    now: datetime,
    progress: Mapping[str, ImportedProgress] | None = None,
) -> ImportPlan:
    plan = plan_import(session, deck)
    row = session.get(DeckRow, deck.id)
    if row is None:
        row = DeckRow(id=deck.id)
        session.add(row)
    row.title = deck.title
    row.description = deck.description
    row.version = str(deck.version)
    row.tags = list(deck.tags)
    row.origin = origin
    row.source_path = source_path
    row.content_hash = content_hash
    row.imported_at = now
    session.flush()

    existing = _existing_cards(session, deck.id)
    fresh: list[dict[str, Any]] = []
    for position, card in enumerate(deck.cards):
        content = card_to_content(card)
        old = existing.get(card.id)
        if old is None:
            fresh.append(
                {
                    "deck_id": deck.id,
                    "card_id": card.id,
                    "type": card.type,
                    "position": position,
                    "content": content,
                    "search_text": search_text_of(content),
                    "retired": False,
                    "suspended": False,
                }
            )
        elif old.retired or old.content != content or old.position != position:
            session.execute(
                update(CardRow)
                .where(CardRow.pk == old.pk)
                .values(
                    type=card.type,
                    position=position,
                    content=content,
                    search_text=search_text_of(content),
                    retired=False,
                )
            )
    if fresh:
        pks = session.scalars(
            insert(CardRow).returning(CardRow.pk, sort_by_parameter_order=True), fresh
        ).all()
        states = []
        for pk, values in zip(pks, fresh, strict=True):
            carried = (progress or {}).get(values["card_id"])
            state: dict[str, Any] = {
                "card_pk": pk,
                "easiness": 2.5,
                "repetitions": 0,
                "interval": 0,
                "due": None,
                "lapses": 0,
            }
            if carried is not None:
                state.update(
                    easiness=carried.state.easiness,
                    repetitions=carried.state.repetitions,
                    interval=carried.state.interval,
                    due=carried.state.due,
                    lapses=carried.lapses,
                )
            states.append(state)
        session.execute(insert(CardStateRow), states)
        if progress:
            suspended = [
                pk
                for pk, values in zip(pks, fresh, strict=True)
                if (p := progress.get(values["card_id"])) is not None and p.suspended
            ]
            if suspended:
                session.execute(
                    update(CardRow).where(CardRow.pk.in_(suspended)).values(suspended=True)
                )
    if plan.retired:
        session.execute(
            update(CardRow)
            .where(CardRow.deck_id == deck.id, CardRow.card_id.in_(plan.retired))
            .values(retired=True)
        )
    return plan
