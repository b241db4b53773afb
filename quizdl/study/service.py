"""The study service: every use case the CLI and the TUI share.

One short transaction per user action; every answer is committed before the
method returns, so a crash can never lose a graded card. Returned values are
plain dataclasses (``quizdl.study.values``); no ORM object leaves this layer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import and_, bindparam, case, delete, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from quizdl.decks.content import card_from_content, normalise, prompt_of
from quizdl.decks.loader import parse_deck, read_text, text_digest
from quizdl.decks.model import Deck
from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.plan import DEFAULT_MINUTES_PER_DAY
from quizdl.scheduling.sm2 import PASSING, REDRILL_BELOW, SM2State, next_interval, review
from quizdl.scheduling.sm2_scheduler import SM2Card, SM2Scheduler
from quizdl.store.db import Database
from quizdl.store.models import CardRow, CardStateRow, DeckRow, ReviewRow
from quizdl.study import daily, importing, leeches, plans
from quizdl.study.clock import Clock, study_day, system_clock, to_utc_naive
from quizdl.study.errors import ImportRefused, NothingToUndo, UnknownCard, UnknownDeck
from quizdl.study.learning import learning_cards
from quizdl.study.settings import StudySettings
from quizdl.study.stats import collect_stats
from quizdl.study.study_more import StudyMore, study_more
from quizdl.study.values import (
    AnswerOutcome,
    BrowseRow,
    CardDetail,
    CardStatus,
    DeckSummary,
    GradeOption,
    ImportedProgress,
    ImportPlan,
    QueueEntry,
    ReviewLogEntry,
    Stats,
    StudyCard,
)

if TYPE_CHECKING:
    from quizdl.study.challenges import ChallengeBook


_CARD_WITH_STATE = (
    select(CardRow, CardStateRow, DeckRow)
    .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
    .join(DeckRow, DeckRow.id == CardRow.deck_id)
)
_ANSWER_STATE = (
    select(
        CardStateRow.easiness,
        CardStateRow.repetitions,
        CardStateRow.interval,
        CardStateRow.due,
        CardStateRow.lapses,
        CardRow.deck_id,
    )
    .join(CardRow, CardRow.pk == CardStateRow.card_pk)
    .where(CardStateRow.card_pk == bindparam("pk"))
)
_ANSWERED_ON = (
    select(ReviewRow.id)
    .where(ReviewRow.card_pk == bindparam("pk"), ReviewRow.study_day == bindparam("day"))
    .limit(1)
)
_INSERT_REVIEW = insert(ReviewRow).returning(ReviewRow.id)
_UPDATE_STATE = (
    update(CardStateRow)
    .where(CardStateRow.card_pk == bindparam("key"))
    .values(
        easiness=bindparam("easiness"),
        repetitions=bindparam("repetitions"),
        interval=bindparam("interval"),
        due=bindparam("due"),
        lapses=bindparam("lapses"),
    )
)


def _state_of(row: CardStateRow) -> SM2State:
    return SM2State(row.easiness, row.repetitions, row.interval, row.due)


class StudyService:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = system_clock,
        settings: StudySettings | None = None,
    ) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings or StudySettings()
        # Why this collection can only be read (None when answers can be saved):
        # the fronts disable grading and say so instead of failing at the first write.
        self.read_only: str | None = None

    @cached_property
    def challenges(self) -> ChallengeBook:
        """Challenge attempts and grading (``quizdl.study.challenges``)."""
        from quizdl.study.challenges import ChallengeBook

        return ChallengeBook(self)

    # -- time -------------------------------------------------------------

    def today(self) -> date:
        return study_day(self.clock())

    # -- decks ------------------------------------------------------------

    def sync_bundled(self, paths: Iterable[Path]) -> list[str]:
        """Import bundled decks whose file changed since the last start.

        Returns the ids of the decks that were (re)imported. Cheap when
        nothing changed: one hash per file and one query.
        """
        with self.db.read() as session:
            known = dict(session.execute(select(DeckRow.id, DeckRow.content_hash)).all())
            hashes = set(known.values())
        synced: list[str] = []
        for path in paths:
            text = read_text(path)
            digest = text_digest(text)
            if digest in hashes:
                continue
            deck = parse_deck(text, str(path))
            with self.db.session() as session:
                importing.apply_import(
                    session,
                    deck,
                    origin="bundled",
                    source_path=str(path),
                    content_hash=digest,
                    now=to_utc_naive(self.clock()),
                )
            synced.append(deck.id)
        return synced

    def _refuse_bundled_clash(self, session: Session, deck: Deck, origin: str) -> None:
        row = session.get(DeckRow, deck.id)
        if row is not None and row.origin == "bundled" and origin != "bundled":
            raise ImportRefused(
                f"deck id {deck.id!r} belongs to a bundled deck; give your deck another id"
            )

    def plan_import(self, deck: Deck, *, origin: str = "imported") -> ImportPlan:
        with self.db.read() as session:
            self._refuse_bundled_clash(session, deck, origin)
            return importing.plan_import(session, deck)

    def import_deck(
        self,
        deck: Deck,
        *,
        source_path: str | None = None,
        content_hash: str | None = None,
        origin: str = "imported",
        progress: Mapping[str, ImportedProgress] | None = None,
        media: Mapping[str, bytes] | None = None,
    ) -> ImportPlan:
        """Apply a validated deck in one transaction; returns what changed.

        ``media`` (stored name -> bytes) is written to the media folder first, so a
        committed card never points at a file that is not there."""
        if media:
            importing.store_media(media)
        with self.db.session() as session:
            self._refuse_bundled_clash(session, deck, origin)
            return importing.apply_import(
                session,
                deck,
                origin=origin,
                source_path=source_path,
                content_hash=content_hash,
                now=to_utc_naive(self.clock()),
                progress=progress,
            )

    def import_file(self, path: Path) -> ImportPlan:
        """Validate and import a YAML deck file; DeckError when it is not valid."""
        text = read_text(path)
        deck = parse_deck(text, str(path))
        return self.import_deck(
            deck, source_path=str(path.resolve()), content_hash=text_digest(text)
        )

    def export_deck(self, deck_id: str) -> tuple[Deck, dict[str, ImportedProgress]]:
        """The deck as a Deck value (active cards, deck order) and each card's progress."""
        with self.db.read() as session:
            row = session.get(DeckRow, deck_id)
            if row is None:
                raise UnknownDeck(f"no deck with id {deck_id!r}")
            rows = session.execute(
                select(CardRow, CardStateRow)
                .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
                .where(CardRow.deck_id == deck_id, CardRow.retired.is_(False))
                .order_by(CardRow.position)
            ).all()
            cards = [card_from_content(card.content) for card, _ in rows]
            progress = {
                card.card_id: ImportedProgress(_state_of(state), state.lapses, card.suspended)
                for card, state in rows
            }
            version: int | str = int(row.version) if row.version.isdigit() else row.version
            deck = Deck(
                id=row.id,
                title=row.title,
                description=row.description,
                version=version,
                tags=tuple(row.tags),
                cards=tuple(cards),
            )
            return deck, progress

    def deck_summaries(self) -> list[DeckSummary]:
        today = self.today()
        with self.db.read() as session:
            counts = session.execute(
                select(
                    CardRow.deck_id,
                    func.count(),
                    func.sum(
                        case(
                            (and_(CardStateRow.due.is_(None), CardRow.suspended.is_(False)), 1),
                            else_=0,
                        )
                    ),
                    func.sum(
                        case(
                            (and_(CardStateRow.due <= today, CardRow.suspended.is_(False)), 1),
                            else_=0,
                        )
                    ),
                )
                .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
                .where(CardRow.retired.is_(False))
                .group_by(CardRow.deck_id)
            ).all()
            by_deck = {
                deck_id: (total, unseen or 0, due or 0) for deck_id, total, unseen, due in counts
            }
            introduced = self._new_introduced_today(session, today)
            learning = self._learning_by_deck(session, today)
            decks = session.execute(
                select(DeckRow.id, DeckRow.title, DeckRow.origin).order_by(DeckRow.title)
            ).all()
            order = [deck_id for deck_id, _, _ in decks]
            allowances = plans.new_allowances(
                session, today, order, {d: self.settings.new_limit(d) for d in order}, introduced
            )
        summaries = []
        for deck_id, title, origin in decks:
            total, unseen, due = by_deck.get(deck_id, (0, 0, 0))
            allowed = allowances[deck_id]
            summaries.append(
                DeckSummary(
                    id=deck_id,
                    title=title,
                    origin=origin,
                    total=total,
                    new=min(unseen, allowed),
                    due=due + learning.get(deck_id, 0),
                    unseen=unseen,
                )
            )
        return summaries

    # -- today's queue ----------------------------------------------------

    def _learning_pks(self, session: Session, today: date) -> list[int]:
        """Cards still on today's learning steps (SM-2 rule 7), soonest due first."""
        return [card.pk for card in learning_cards(session, today, self.settings.steps)]

    def learning_due(self, pk: int) -> datetime | None:
        """When the card comes back today on its learning steps (aware UTC), or None."""
        with self.db.read() as session:
            studied = session.scalar(
                select(CardRow.pk).where(
                    CardRow.pk == pk, CardRow.retired.is_(False), CardRow.suspended.is_(False)
                )
            )
            if studied is None:  # suspended (e.g. as a leech) or retired: not today
                return None
            found = learning_cards(session, self.today(), self.settings.steps, [pk])
        return found[0].due if found else None

    def leech_count(self) -> int:
        """Cards marked as leeches (see ``leeches``), for the home screen."""
        with self.db.read() as session:
            return leeches.leech_count(session)

    def _learning_by_deck(self, session: Session, today: date) -> dict[str, int]:
        pks = self._learning_pks(session, today)
        if not pks:
            return {}
        rows = session.execute(
            select(CardRow.deck_id, func.count())
            .where(CardRow.pk.in_(pks), CardRow.retired.is_(False), CardRow.suspended.is_(False))
            .group_by(CardRow.deck_id)
        )
        return {deck_id: count for deck_id, count in rows}

    def _new_introduced_today(self, session: Session, today: date) -> dict[str, int]:
        rows = session.execute(
            select(CardRow.deck_id, func.count())
            .join(ReviewRow, ReviewRow.card_pk == CardRow.pk)
            .where(
                ReviewRow.study_day == today,
                ReviewRow.kind == "scheduled",
                ReviewRow.due_before.is_(None),
            )
            .group_by(CardRow.deck_id)
        )
        return {deck_id: count for deck_id, count in rows}

    def queue(self, deck_id: str | None = None) -> list[QueueEntry]:
        """Today's queue: due reviews (most overdue first), then new cards in
        deck order up to each deck's daily limit, then today's re-drills."""
        today = self.today()
        with self.db.read() as session:
            active: list[ColumnElement[bool]] = [
                CardRow.retired.is_(False),
                CardRow.suspended.is_(False),
            ]
            if deck_id is not None:
                if session.get(DeckRow, deck_id) is None:
                    raise UnknownDeck(f"no deck with id {deck_id!r}")
                active.append(CardRow.deck_id == deck_id)
            due_rows = (
                session.execute(
                    select(CardRow.pk)
                    .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
                    .where(CardStateRow.due <= today, *active)
                    .order_by(CardStateRow.due, CardRow.deck_id, CardRow.position)
                )
                .scalars()
                .all()
            )
            due = list(due_rows)
            cap = self.settings.max_reviews_per_day
            if cap is not None:
                done = (
                    session.scalar(
                        select(func.count())
                        .select_from(ReviewRow)
                        .where(
                            ReviewRow.study_day == today,
                            ReviewRow.kind == "scheduled",
                            ReviewRow.due_before.is_not(None),
                        )
                    )
                    or 0
                )
                due = due[: max(0, cap - done)]

            introduced = self._new_introduced_today(session, today)
            deck_ids = (
                [deck_id]
                if deck_id is not None
                else list(session.scalars(select(DeckRow.id).order_by(DeckRow.title)))
            )
            allowances = plans.new_allowances(
                session,
                today,
                deck_ids,
                {d: self.settings.new_limit(d) for d in deck_ids},
                introduced,
            )
            new: list[int] = []
            for current in deck_ids:
                allowed = allowances[current]
                if allowed <= 0:
                    continue
                new.extend(
                    session.scalars(
                        select(CardRow.pk)
                        .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
                        .where(
                            CardRow.deck_id == current,
                            CardStateRow.due.is_(None),
                            CardRow.retired.is_(False),
                            CardRow.suspended.is_(False),
                        )
                        .order_by(CardRow.position)
                        .limit(allowed)
                    )
                )
            on_steps = learning_cards(session, today, self.settings.steps)
            learning: list[QueueEntry] = []
            if on_steps:
                shown = set(
                    session.scalars(
                        select(CardRow.pk).where(CardRow.pk.in_([c.pk for c in on_steps]), *active)
                    )
                )
                learning = [QueueEntry(c.pk, "learning", c.due) for c in on_steps if c.pk in shown]
        return (
            [QueueEntry(pk, "review") for pk in due]
            + [QueueEntry(pk, "new") for pk in new]
            + learning
        )

    def next_due_date(self) -> date | None:
        """The first day after today with a card due (for "nothing due" screens)."""
        today = self.today()
        with self.db.read() as session:
            return session.scalar(
                select(func.min(CardStateRow.due))
                .join(CardRow, CardRow.pk == CardStateRow.card_pk)
                .where(
                    CardStateRow.due > today,
                    CardRow.retired.is_(False),
                    CardRow.suspended.is_(False),
                )
            )

    # -- cards ------------------------------------------------------------

    def _study_card(self, card: CardRow, state: CardStateRow, deck: DeckRow) -> StudyCard:
        return StudyCard(
            pk=card.pk,
            deck_id=card.deck_id,
            deck_title=deck.title,
            card=card_from_content(card.content),
            state=_state_of(state),
            suspended=card.suspended,
            retired=card.retired,
            source_path=deck.source_path,
        )

    @staticmethod
    def _card_rows(session: Session, pk: int) -> tuple[CardRow, CardStateRow, DeckRow]:
        row = session.execute(_CARD_WITH_STATE.where(CardRow.pk == pk)).one_or_none()
        if row is None:
            raise UnknownCard(f"no card with key {pk}")
        card, state, deck = row
        return card, state, deck

    def card(self, pk: int) -> StudyCard:
        with self.db.read() as session:
            return self._study_card(*self._card_rows(session, pk))

    @staticmethod
    def find_card_rows(
        session: Session, card_id: str, deck_id: str | None = None
    ) -> tuple[CardRow, CardStateRow, DeckRow]:
        """A card's rows by its id (``card`` or ``deck/card``); active cards first."""
        if deck_id is None and "/" in card_id:
            deck_id, card_id = card_id.split("/", 1)
        query = _CARD_WITH_STATE.where(CardRow.card_id == card_id).order_by(
            CardRow.retired, DeckRow.id
        )
        if deck_id is not None:
            query = query.where(CardRow.deck_id == deck_id)
        row = session.execute(query.limit(1)).one_or_none()
        if row is None:
            raise UnknownCard(f"no card with id {card_id!r}")
        card, state, deck = row
        return card, state, deck

    def find_card(self, card_id: str, deck_id: str | None = None) -> StudyCard:
        """A card by its id (``card`` or ``deck/card``)."""
        with self.db.read() as session:
            return self._study_card(*self.find_card_rows(session, card_id, deck_id))

    def grade_preview(self, pk: int) -> dict[int, GradeOption]:
        """What each grade would do to the card now, through the scheduler's own
        preview: a learning step's wait, or the days to the next review, and
        the easiness before and after."""
        now = self.clock()
        today = study_day(now)
        with self.db.read() as session:
            _, state, _ = self._card_rows(session, pk)
            steps = learning_cards(session, today, self.settings.steps, [pk])
        utc_now = now.astimezone(UTC)
        card = SM2Card(
            sm2=_state_of(state),
            lapses=state.lapses,
            step=steps[0].step if steps else None,
            due=steps[0].due if steps else None,
            last_review=utc_now if steps else None,
        )
        scheduler = SM2Scheduler(StudyCalendar(zone=now.tzinfo or UTC), self.settings.steps)
        options = {}
        for grade, outcome in scheduler.preview(card, utc_now).items():
            on_steps = outcome.due_day == today
            assert outcome.review_day is not None  # SM-2 always sets a review day
            options[grade] = GradeOption(
                grade=grade,
                wait=outcome.interval if on_steps else None,
                days=(outcome.review_day - today).days,
                easiness_before=outcome.easiness_before or state.easiness,
                easiness_after=outcome.easiness_after or state.easiness,
            )
        return options

    def interval_preview(self, state: SM2State, redrill: bool = False) -> dict[int, int]:
        """Grade -> interval in days, for the grade buttons ("1d", "6d", "17d")."""
        if redrill:
            return {q: state.interval for q in range(6)}
        return {q: next_interval(state, q) for q in range(6)}

    # -- answering --------------------------------------------------------

    def answer(self, pk: int, quality: int, answer_seconds: float = 0.0) -> AnswerOutcome:
        """Grade a card: log row and new SM-2 state in one committed transaction."""
        with self.db.session() as session:
            outcome = self.answer_in(session, pk, quality, answer_seconds)
            lapsed = not outcome.redrill and quality < PASSING and outcome.before.repetitions > 0
            if leeches.mark_if_leech(session, pk, lapsed, self.settings.leech_rule):
                outcome = replace(outcome, leech=True)
            return outcome

    def answer_in(
        self, session: Session, pk: int, quality: int, answer_seconds: float = 0.0
    ) -> AnswerOutcome:
        """``answer`` inside the caller's transaction (a challenge check records its
        attempt and the grade it earns together)."""
        if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
            raise ValueError(f"quality must be an integer from 0 to 5, got {quality!r}")
        now = self.clock()
        today = study_day(now)
        seconds = max(0.0, float(answer_seconds))
        # The hot path of a review session: prebuilt Core statements on the
        # session's connection skip the ORM's per-call statement building.
        connection = session.connection()
        found = connection.execute(_ANSWER_STATE, {"pk": pk}).one_or_none()
        if found is None:
            raise UnknownCard(f"no card with key {pk}")
        before = SM2State(found.easiness, found.repetitions, found.interval, found.due)
        # A card already answered today is a same-day repeat (SM-2 rule 7):
        # logged, but the schedule set by its first answer stands.
        redrill = connection.execute(_ANSWERED_ON, {"pk": pk, "day": today}).first() is not None
        after = before if redrill else review(before, quality, today)
        review_id = connection.execute(
            _INSERT_REVIEW,
            {
                "card_pk": pk,
                "reviewed_at": to_utc_naive(now),
                "study_day": today,
                "quality": quality,
                "kind": "redrill" if redrill else "scheduled",
                "answer_seconds": seconds,
                "easiness_before": before.easiness,
                "repetitions_before": before.repetitions,
                "interval_before": before.interval,
                "due_before": before.due,
                "lapses_before": found.lapses,
                "easiness_after": after.easiness,
                "repetitions_after": after.repetitions,
                "interval_after": after.interval,
                "due_after": after.due,
            },
        ).scalar_one()
        daily.add_answer(
            connection,
            today,
            found.deck_id,
            scheduled=not redrill,
            quality=quality,
            seconds=seconds,
        )
        if not redrill:
            lapsed = quality < PASSING and before.repetitions > 0
            connection.execute(
                _UPDATE_STATE,
                {
                    "key": pk,
                    "easiness": after.easiness,
                    "repetitions": after.repetitions,
                    "interval": after.interval,
                    "due": after.due,
                    "lapses": found.lapses + (1 if lapsed else 0),
                },
            )
        return AnswerOutcome(
            review_id=review_id,
            card_pk=pk,
            quality=quality,
            redrill=redrill,
            again=quality < REDRILL_BELOW,
            before=before,
            after=after,
        )

    def newest_review_id(self) -> int:
        with self.db.read() as session:
            return session.scalar(select(func.max(ReviewRow.id))) or 0

    def last_answer_today(self, pk: int) -> AnswerOutcome | None:
        """The card's latest answer of today, however it was given (e.g. by a
        passed challenge check), as an AnswerOutcome."""
        today = self.today()
        with self.db.read() as session:
            log = session.scalar(
                select(ReviewRow)
                .where(ReviewRow.card_pk == pk, ReviewRow.study_day == today)
                .order_by(ReviewRow.id.desc())
                .limit(1)
            )
            if log is None:
                return None
            return AnswerOutcome(
                review_id=log.id,
                card_pk=pk,
                quality=log.quality,
                redrill=log.kind == "redrill",
                again=log.quality < REDRILL_BELOW,
                before=SM2State(
                    log.easiness_before, log.repetitions_before, log.interval_before, log.due_before
                ),
                after=SM2State(
                    log.easiness_after, log.repetitions_after, log.interval_after, log.due_after
                ),
            )

    def undo(self, review_id: int) -> int:
        """Take back an answer (only the newest one); returns the card's key."""
        with self.db.session() as session:
            newest = session.scalar(select(func.max(ReviewRow.id)))
            if newest is None:
                raise NothingToUndo("nothing to undo")
            if newest != review_id:
                raise NothingToUndo("only the most recent answer can be undone")
            log = session.get(ReviewRow, review_id)
            state = session.get(CardStateRow, log.card_pk) if log else None
            if log is None or state is None:
                raise NothingToUndo("nothing to undo")
            lapses_undone = state.lapses
            state.easiness, state.repetitions = log.easiness_before, log.repetitions_before
            state.interval, state.due = log.interval_before, log.due_before
            state.lapses = log.lapses_before
            leeches.unmark_after_undo(
                session, log.card_pk, log.lapses_before, lapses_undone, self.settings.leech_rule
            )
            deck_id = session.scalar(select(CardRow.deck_id).where(CardRow.pk == log.card_pk))
            if deck_id is not None:
                daily.add_answer(
                    session.connection(),
                    log.study_day,
                    deck_id,
                    scheduled=log.kind == "scheduled",
                    quality=log.quality,
                    seconds=log.answer_seconds,
                    sign=-1,
                )
            session.execute(delete(ReviewRow).where(ReviewRow.id == review_id))
            return log.card_pk

    def set_suspended(self, pk: int, suspended: bool) -> None:
        with self.db.session() as session:
            result = session.execute(
                update(CardRow).where(CardRow.pk == pk).values(suspended=suspended)
            )
            if result.rowcount == 0:  # type: ignore[attr-defined]
                raise UnknownCard(f"no card with key {pk}")

    # -- browse -----------------------------------------------------------

    @staticmethod
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
        today = self.today()
        with self.db.read() as session:
            learning = set(self._learning_pks(session, today))
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
                row_status = self._status(card, state, learning)
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
        today = self.today()
        with self.db.read() as session:
            card, state, deck = self._card_rows(session, pk)
            learning = set(self._learning_pks(session, today))
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
                self._study_card(card, state, deck),
                self._status(card, state, learning),
                state.lapses,
                history,
            )

    def study_more(self, more: StudyMore) -> list[QueueEntry]:
        """Cards to study beyond today's queue (see ``study.study_more``)."""
        # Today's queue: narrowed when only a tag or deck is given, left out of
        # the extra new cards otherwise.
        todays = self.queue()
        with self.db.read() as session:
            return study_more(session, self.today(), more, todays)

    # -- interview plan -------------------------------------------------------

    def set_plan(
        self,
        interview_day: date,
        deck_ids: Sequence[str] = (),
        minutes_per_day: float = DEFAULT_MINUTES_PER_DAY,
    ) -> plans.PlanInfo:
        """Plan toward an interview (replacing any plan): new cards are paced to it."""
        with self.db.session() as session:
            return plans.set_plan(
                session,
                self.today(),
                to_utc_naive(self.clock()),
                interview_day,
                deck_ids,
                minutes_per_day,
            )

    def clear_plan(self) -> bool:
        """Drop the plan (SM-2 alone again); whether there was one."""
        with self.db.session() as session:
            return plans.clear_plan(session)

    def plan(self) -> plans.PlanInfo | None:
        with self.db.read() as session:
            return plans.current_plan(session)

    def plan_status(self) -> plans.PlanStatus | None:
        """The plan, today's pacing and readiness for the day (None without a plan)."""
        now = self.clock()
        with self.db.read() as session:
            return plans.plan_status(session, study_day(now), now.tzinfo or UTC)

    # -- statistics ---------------------------------------------------------

    def stats(self, *, history_days: int = 90, forecast_days: int = 30) -> Stats:
        today = self.today()
        with self.db.read() as session:
            return collect_stats(
                session,
                today,
                self._learning_by_deck(session, today),
                history_days=history_days,
                forecast_days=forecast_days,
            )

    # -- helpers for other use-case modules -------------------------------

    def card_pks(self, ids: Sequence[str]) -> dict[str, int]:
        with self.db.read() as session:
            rows = session.execute(
                select(CardRow.card_id, CardRow.pk).where(CardRow.card_id.in_(ids))
            )
            return {card_id: pk for card_id, pk in rows}
