"""Reading one card with its state and deck, by key or by id, as plain values."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from quizdl.decks.content import card_from_content
from quizdl.scheduling.sm2 import SM2State
from quizdl.store.models import CardRow, CardStateRow, DeckRow
from quizdl.study.errors import UnknownCard
from quizdl.study.values import StudyCard

CARD_WITH_STATE = (
    select(CardRow, CardStateRow, DeckRow)
    .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
    .join(DeckRow, DeckRow.id == CardRow.deck_id)
)


def state_of(row: CardStateRow) -> SM2State:
    return SM2State(row.easiness, row.repetitions, row.interval, row.due)


def card_rows(session: Session, pk: int) -> tuple[CardRow, CardStateRow, DeckRow]:
    row = session.execute(CARD_WITH_STATE.where(CardRow.pk == pk)).one_or_none()
    if row is None:
        raise UnknownCard(f"no card with key {pk}")
    card, state, deck = row
    return card, state, deck


def find_card_rows(
    session: Session, card_id: str, deck_id: str | None = None
) -> tuple[CardRow, CardStateRow, DeckRow]:
    """A card's rows by its id (``card`` or ``deck/card``); active cards first."""
    if deck_id is None and "/" in card_id:
        deck_id, card_id = card_id.split("/", 1)
    query = CARD_WITH_STATE.where(CardRow.card_id == card_id).order_by(CardRow.retired, DeckRow.id)
    if deck_id is not None:
        query = query.where(CardRow.deck_id == deck_id)
    row = session.execute(query.limit(1)).one_or_none()
    if row is None:
        raise UnknownCard(f"no card with id {card_id!r}")
    card, state, deck = row
    return card, state, deck


def study_card(card: CardRow, state: CardStateRow, deck: DeckRow) -> StudyCard:
    return StudyCard(
        pk=card.pk,
        deck_id=card.deck_id,
        deck_title=deck.title,
        card=card_from_content(card.content),
        state=state_of(state),
        suspended=card.suspended,
        retired=card.retired,
        source_path=deck.source_path,
    )
