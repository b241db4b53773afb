"""Reading cards with their state and deck, by key or by id, as plain values."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, select

from quizdl.decks.content import card_from_content
from quizdl.scheduling.sm2 import SM2State
from quizdl.store import tables
from quizdl.study.errors import UnknownCard
from quizdl.study.values import StudyCard

if TYPE_CHECKING:
    from quizdl.store.db import Reader

_cards, _states, _decks = tables.cards.c, tables.card_states.c, tables.decks.c

CARD_WITH_STATE: Select[Any] = (
    select(
        _cards.pk,
        _cards.deck_id,
        _cards.card_id,
        _cards.type,
        _cards.content,
        _cards.retired,
        _cards.suspended,
        _states.easiness,
        _states.repetitions,
        _states.interval,
        _states.due,
        _states.lapses,
        _states.leech,
        _decks.title,
        _decks.source_path,
    )
    .join(tables.card_states, _states.card_pk == _cards.pk)
    .join(tables.decks, _decks.id == _cards.deck_id)
)


@dataclass(frozen=True, slots=True)
class CardRecord:
    """A card's row with its state and its deck's title, as stored."""

    pk: int
    deck_id: str
    card_id: str
    type: str
    content: dict[str, Any]
    retired: bool
    suspended: bool
    state: SM2State
    lapses: int
    leech: bool
    deck_title: str
    source_path: str | None

    @property
    def due(self) -> date | None:
        return self.state.due


def card_records(reader: Reader, query: Select[Any]) -> Iterator[CardRecord]:
    """The records of ``query``, a ``CARD_WITH_STATE`` narrowed by the caller."""
    for row in reader.execute(query):
        (pk, deck_id, card_id, card_type, content, retired, suspended) = row[:7]
        easiness, repetitions, interval, due, lapses, leech, title, source_path = row[7:]
        yield CardRecord(
            pk,
            deck_id,
            card_id,
            card_type,
            content,
            retired,
            suspended,
            SM2State(easiness, repetitions, interval, due),
            lapses,
            leech,
            title,
            source_path,
        )


def card_record(reader: Reader, pk: int) -> CardRecord:
    found = next(card_records(reader, CARD_WITH_STATE.where(_cards.pk == pk)), None)
    if found is None:
        raise UnknownCard(f"no card with key {pk}")
    return found


def find_card_record(reader: Reader, card_id: str, deck_id: str | None = None) -> CardRecord:
    """A card by its id (``card`` or ``deck/card``); active cards first."""
    if deck_id is None and "/" in card_id:
        deck_id, card_id = card_id.split("/", 1)
    query = CARD_WITH_STATE.where(_cards.card_id == card_id).order_by(_cards.retired, _decks.id)
    if deck_id is not None:
        query = query.where(_cards.deck_id == deck_id)
    found = next(card_records(reader, query.limit(1)), None)
    if found is None:
        raise UnknownCard(f"no card with id {card_id!r}")
    return found


def study_card(record: CardRecord) -> StudyCard:
    return StudyCard(
        pk=record.pk,
        deck_id=record.deck_id,
        deck_title=record.deck_title,
        card=card_from_content(record.content),
        state=record.state,
        suspended=record.suspended,
        retired=record.retired,
        source_path=record.source_path,
    )
