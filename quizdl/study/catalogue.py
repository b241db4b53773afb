"""Finding and looking at cards: browse, a card's detail and history, suspend."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update

from quizdl.decks.content import normalise, prompt_of
from quizdl.store.models import CardRow, CardStateRow, ReviewRow
from quizdl.study import leeches
from quizdl.study.card_rows import card_rows, find_card_rows, study_card
from quizdl.study.context import StudyContext
from quizdl.study.errors import UnknownCard
from quizdl.study.learning import learning_cards
from quizdl.study.values import BrowseRow, CardDetail, CardStatus, ReviewLogEntry, StudyCard


def _status(card: CardRow, state: CardStateRow, learning: set[int]) -> CardStatus:
    if card.retired:
        return "retired"
    if card.suspended:
        return "suspended"
    if state.due is None:
        return "new"
    if card.pk in learning or state.repetitions == 0:
        return "learning"
    return "review"


class Catalogue:
    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def card(self, pk: int) -> StudyCard:
        with self.context.db.read() as session:
            return study_card(*card_rows(session, pk))

    def find_card(self, card_id: str, deck_id: str | None = None) -> StudyCard:
        """A card by its id (``card`` or ``deck/card``)."""
        with self.context.db.read() as session:
            return study_card(*find_card_rows(session, card_id, deck_id))

    def card_pks(self, ids: Sequence[str]) -> dict[str, int]:
        with self.context.db.read() as session:
            rows = session.execute(
                select(CardRow.card_id, CardRow.pk).where(CardRow.card_id.in_(ids))
            )
            return {card_id: pk for card_id, pk in rows}

    def set_suspended(self, pk: int, suspended: bool) -> None:
        with self.context.db.session() as session:
            result = session.execute(
                update(CardRow).where(CardRow.pk == pk).values(suspended=suspended)
            )
            if result.rowcount == 0:  # type: ignore[attr-defined]
                raise UnknownCard(f"no card with key {pk}")

    def leech_count(self) -> int:
        """Cards marked as leeches (see ``leeches``), for the home screen."""
        with self.context.db.read() as session:
            return leeches.leech_count(session)

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
        with self.context.db.read() as session:
            learning = {c.pk for c in learning_cards(session, today, self.context.settings.steps)}
            query = (
                select(CardRow, CardStateRow)
                .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
                .order_by(CardRow.deck_id, CardRow.position)
            )
            for word in normalise(text).split():
                query = query.where(CardRow.search_text.contains(word, autoescape=True))
            if deck_id:
                query = query.where(CardRow.deck_id == deck_id)
            if card_type:
                query = query.where(CardRow.type == card_type)
            if tag == leeches.LEECH_TAG:
                query = query.where(CardStateRow.leech.is_(True))
            elif tag:
                query = query.where(CardRow.search_text.contains(normalise(tag), autoescape=True))
            if status == "retired":
                query = query.where(CardRow.retired.is_(True))
            elif status is not None:
                query = query.where(CardRow.retired.is_(False))
                if status == "suspended":
                    query = query.where(CardRow.suspended.is_(True))
                else:
                    query = query.where(CardRow.suspended.is_(False))
                    if status == "new":
                        query = query.where(CardStateRow.due.is_(None))
                    else:
                        query = query.where(CardStateRow.due.is_not(None))
            rows: list[BrowseRow] = []
            for card, state in session.execute(query):
                tags = tuple(card.content.get("tags", ()))
                if state.leech and leeches.LEECH_TAG not in tags:
                    tags = (*tags, leeches.LEECH_TAG)
                if tag and tag not in tags:
                    continue
                row_status = _status(card, state, learning)
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
                        state.due,
                    )
                )
                if len(rows) >= limit:
                    break
            return rows

    def card_detail(self, pk: int) -> CardDetail:
        today = self.context.today()
        with self.context.db.read() as session:
            card, state, deck = card_rows(session, pk)
            learning = {c.pk for c in learning_cards(session, today, self.context.settings.steps)}
            history = [
                ReviewLogEntry(
                    r.id,
                    r.reviewed_at,
                    r.study_day,
                    r.quality,
                    r.kind,
                    r.answer_seconds,
                    r.interval_after,
                )
                for r in session.scalars(
                    select(ReviewRow).where(ReviewRow.card_pk == pk).order_by(ReviewRow.id)
                )
            ]
            return CardDetail(
                study_card(card, state, deck), _status(card, state, learning), state.lapses, history
            )
