"""Finding and looking at cards: browse, a card's detail and history, suspend."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from quizdl.decks.content import normalise, prompt_of
from quizdl.store import tables
from quizdl.study import leeches
from quizdl.study.card_rows import (
    CARD_WITH_STATE,
    CardRecord,
    card_record,
    card_records,
    find_card_record,
    study_card,
)
from quizdl.study.context import StudyContext
from quizdl.study.errors import UnknownCard
from quizdl.study.learning import learning_cards
from quizdl.study.values import BrowseRow, CardDetail, CardStatus, ReviewLogEntry, StudyCard


def _status(card: CardRecord, learning: set[int]) -> CardStatus:
    if card.retired:
        return "retired"
    if card.suspended:
        return "suspended"
    if card.state.due is None:
        return "new"
    if card.pk in learning or card.state.repetitions == 0:
        return "learning"
    return "review"


class Catalogue:
    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def card(self, pk: int) -> StudyCard:
        with self.context.db.reading() as connection:
            return study_card(card_record(connection, pk))

    def find_card(self, card_id: str, deck_id: str | None = None) -> StudyCard:
        """A card by its id (``card`` or ``deck/card``)."""
        with self.context.db.reading() as connection:
            return study_card(find_card_record(connection, card_id, deck_id))

    def card_pks(self, ids: Sequence[str]) -> dict[str, int]:
        with self.context.db.reading() as connection:
            rows = connection.execute(
                select(tables.cards.c.card_id, tables.cards.c.pk).where(
                    tables.cards.c.card_id.in_(ids)
                )
            )
            return {card_id: pk for card_id, pk in rows}

    def set_suspended(self, pk: int, suspended: bool) -> None:
        with self.context.db.connection() as connection:
            result = connection.execute(
                update(tables.cards).where(tables.cards.c.pk == pk).values(suspended=suspended)
            )
            if result.rowcount == 0:
                raise UnknownCard(f"no card with key {pk}")

    def leech_count(self) -> int:
        """Cards marked as leeches (see ``leeches``), for the home screen."""
        with self.context.db.reading() as connection:
            return leeches.leech_count(connection)

    def browse(
        self,
        text: str = "",
        *,
        deck_id: str | None = None,
        tag: str | None = None,
        card_type: str | None = None,
        status: CardStatus | None = None,
        limit: int = 500,
    ) -> list[BrowseRow]:
        today = self.context.today()
        with self.context.db.reading() as connection:
            learning = {
                c.pk for c in learning_cards(connection, today, self.context.settings.steps)
            }
            query = CARD_WITH_STATE.order_by(tables.cards.c.deck_id, tables.cards.c.position)
            for word in normalise(text).split():
                query = query.where(tables.cards.c.search_text.contains(word, autoescape=True))
            if deck_id:
                query = query.where(tables.cards.c.deck_id == deck_id)
            if card_type:
                query = query.where(tables.cards.c.type == card_type)
            if tag == leeches.LEECH_TAG:
                query = query.where(tables.card_states.c.leech.is_(True))
            elif tag:
                query = query.where(
                    tables.cards.c.search_text.contains(normalise(tag), autoescape=True)
                )
            if status == "retired":
                query = query.where(tables.cards.c.retired.is_(True))
            elif status is not None:
                query = query.where(tables.cards.c.retired.is_(False))
                if status == "suspended":
                    query = query.where(tables.cards.c.suspended.is_(True))
                else:
                    query = query.where(tables.cards.c.suspended.is_(False))
                    if status == "new":
                        query = query.where(tables.card_states.c.due.is_(None))
                    else:
                        query = query.where(tables.card_states.c.due.is_not(None))
            rows: list[BrowseRow] = []
            for card in card_records(connection, query):
                tags = tuple(card.content.get("tags", ()))
                if card.leech and leeches.LEECH_TAG not in tags:
                    tags = (*tags, leeches.LEECH_TAG)
                if tag and tag not in tags:
                    continue
                row_status = _status(card, learning)
                if status is not None and row_status != status:
                    continue
                rows.append(
                    BrowseRow(
                        card.pk,
                        card.deck_id,
                        card.card_id,
                        card.type,
                        prompt_of(card.content),
                        tags,
                        row_status,
                        card.due,
                    )
                )
                if len(rows) >= limit:
                    break
            return rows

    def card_detail(self, pk: int) -> CardDetail:
        today = self.context.today()
        log = tables.reviews.c
        with self.context.db.reading() as connection:
            card = card_record(connection, pk)
            learning = {
                c.pk for c in learning_cards(connection, today, self.context.settings.steps)
            }
            history = [
                ReviewLogEntry(*row)
                for row in connection.execute(
                    select(
                        log.id,
                        log.reviewed_at,
                        log.study_day,
                        log.quality,
                        log.kind,
                        log.answer_seconds,
                        log.interval_after,
                    )
                    .where(log.card_pk == pk)
                    .order_by(log.id)
                )
            ]
            return CardDetail(study_card(card), _status(card, learning), card.lapses, history)
