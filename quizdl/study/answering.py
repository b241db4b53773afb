"""Answering cards: grade, undo, and what each grade would do.

One short transaction per answer: the log row and the card's new state are
committed before ``answer`` returns, so a crash never loses a graded card.
``answer_in`` is the same inside a caller's transaction (a challenge check
records its attempt and the grade it earns together).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from quizdl.scheduling.sm2 import PASSING, REDRILL_BELOW, SM2State, next_interval, review
from quizdl.scheduling.sm2_scheduler import SM2Card, SM2Scheduler
from quizdl.store.models import CardRow, CardStateRow, ReviewRow
from quizdl.study import daily, leeches
from quizdl.study.card_rows import card_rows, state_of
from quizdl.study.clock import study_day, to_utc_naive
from quizdl.study.context import StudyContext
from quizdl.study.errors import NothingToUndo, UnknownCard
from quizdl.study.learning import learning_cards
from quizdl.study.values import AnswerOutcome, GradeOption

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


class Answering:
    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def answer(self, pk: int, quality: int, answer_seconds: float = 0.0) -> AnswerOutcome:
        """Grade a card: log row and new SM-2 state in one committed transaction."""
        with self.context.db.session() as session:
            outcome = self.answer_in(session, pk, quality, answer_seconds)
            lapsed = not outcome.redrill and quality < PASSING and outcome.before.repetitions > 0
            if leeches.mark_if_leech(session, pk, lapsed, self.context.settings.leech_rule):
                outcome = replace(outcome, leech=True)
            return outcome

    def answer_in(
        self, session: Session, pk: int, quality: int, answer_seconds: float = 0.0
    ) -> AnswerOutcome:
        """``answer`` inside the caller's transaction."""
        if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
            raise ValueError(f"quality must be an integer from 0 to 5, got {quality!r}")
        now = self.context.clock()
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
        with self.context.db.read() as session:
            return session.scalar(select(func.max(ReviewRow.id))) or 0

    def last_answer_today(self, pk: int) -> AnswerOutcome | None:
        """The card's latest answer of today, however it was given (e.g. by a
        passed challenge check), as an AnswerOutcome."""
        today = self.context.today()
        with self.context.db.read() as session:
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
        with self.context.db.session() as session:
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
                session,
                log.card_pk,
                log.lapses_before,
                lapses_undone,
                self.context.settings.leech_rule,
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

    def grade_preview(self, pk: int) -> dict[int, GradeOption]:
        """What each grade would do to the card now, through the scheduler's own
        preview: a learning step's wait, or the days to the next review, and
        the easiness before and after."""
        now = self.context.clock()
        today = study_day(now)
        with self.context.db.read() as session:
            _, state, _ = card_rows(session, pk)
            steps = learning_cards(session, today, self.context.settings.steps, [pk])
        utc_now = now.astimezone(UTC)
        card = SM2Card(
            sm2=state_of(state),
            lapses=state.lapses,
            step=steps[0].step if steps else None,
            due=steps[0].due if steps else None,
            last_review=utc_now if steps else None,
        )
        scheduler = SM2Scheduler(self.context.calendar(now), self.context.settings.steps)
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
