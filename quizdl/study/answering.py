"""Answering cards: grade, undo, and what each grade would do.

One short transaction per answer: the log row and the card's new state are
committed before ``answer`` returns, so a crash never loses a graded card.
``answer_in`` is the same inside a caller's transaction (a challenge check
records its attempt and the grade it earns together).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.protocol import ReviewRecord
from quizdl.scheduling.sm2 import REDRILL_BELOW, SM2State
from quizdl.scheduling.sm2_scheduler import SM2Card, SM2Scheduler
from quizdl.scheduling.steps import Steps, steps_of_day
from quizdl.store import tables
from quizdl.store.db import connection_of
from quizdl.store.driver import DriverStatement
from quizdl.store.faults import CollectionReadOnly
from quizdl.study import card_memory, daily, leeches
from quizdl.study.card_rows import CardRecord, card_record
from quizdl.study.clock import study_day, to_utc_naive
from quizdl.study.context import StudyContext
from quizdl.study.errors import NothingToUndo, UnknownCard
from quizdl.study.fsrs_days import align_due_days, fsrs_card, fsrs_day, fsrs_scheduler
from quizdl.study.planned import plan_moves
from quizdl.study.values import AnswerOutcome, GradeOption, StudyMoreKind

if TYPE_CHECKING:
    from quizdl.store.db import Writer

# The hot path of a review session: each statement is compiled once and run on
# the driver's cursor (store.driver), skipping SQLAlchemy's per-call work.
_ANSWER_STATE = DriverStatement(
    select(
        tables.card_states.c.easiness,
        tables.card_states.c.repetitions,
        tables.card_states.c.interval,
        tables.card_states.c.due,
        tables.card_states.c.lapses,
        tables.cards.c.deck_id,
    )
    .join(tables.cards, tables.cards.c.pk == tables.card_states.c.card_pk)
    .where(tables.card_states.c.card_pk == bindparam("pk"))
)
# The card's answers of today, oldest first: whether this answer is a
# same-day repeat, and where the card is on its learning steps.
_ANSWERS_TODAY = DriverStatement(
    select(tables.reviews.c.quality, tables.reviews.c.reviewed_at)
    .where(
        tables.reviews.c.card_pk == bindparam("pk"), tables.reviews.c.study_day == bindparam("day")
    )
    .order_by(tables.reviews.c.id)
)
# Every column of the log but its key: log_row gives them all, with the
# study-more option and the plan's day added by answer_on.
_LOG_COLUMNS = tuple(column.key for column in tables.reviews.columns if column.key != "id")
_INSERT_REVIEW = DriverStatement(
    insert(tables.reviews).returning(tables.reviews.c.id), _LOG_COLUMNS
)
_SET_DUE = DriverStatement(
    update(tables.card_states)
    .where(tables.card_states.c.card_pk == bindparam("key"))
    .values(due=bindparam("due"))
)
_UPDATE_STATE = DriverStatement(
    update(tables.card_states)
    .where(tables.card_states.c.card_pk == bindparam("key"))
    .values(
        easiness=bindparam("easiness"),
        repetitions=bindparam("repetitions"),
        interval=bindparam("interval"),
        due=bindparam("due"),
        lapses=bindparam("lapses"),
    )
)


def _as_utc(stored: datetime) -> datetime:
    # The log stores UTC without tzinfo (see clock.to_utc_naive).
    return stored.replace(tzinfo=UTC)


def sm2_card(
    state: SM2State,
    lapses: int,
    answers_today: Sequence[tuple[int, datetime]],
    steps: Steps,
    calendar: StudyCalendar,
) -> SM2Card:
    """The scheduler's view of a card: its SM-2 state and, from today's answers
    (grade, aware UTC time), where it stands on the learning steps."""
    due = None if state.due is None else calendar.start_of(state.due)
    if not answers_today:
        return SM2Card(sm2=state, lapses=lapses, due=due)
    on = steps_of_day(steps, (grade for grade, _ in answers_today))
    last = answers_today[-1][1]
    if on.delay is not None:
        due = last + on.delay
    return SM2Card(sm2=state, lapses=lapses, step=on.step, due=due, last_review=last)


def log_row(pk: int, record: ReviewRecord[SM2Card], seconds: float) -> dict[str, Any]:
    """The review log's row for one answer, from the scheduler's record."""
    before, after = record.before.sm2, record.after.sm2
    return {
        "card_pk": pk,
        "reviewed_at": to_utc_naive(record.reviewed_at),
        "study_day": record.study_day,
        "quality": record.grade,
        # SM-2 rule 7: a same-day repeat is logged, the schedule stands.
        "kind": "scheduled" if record.moved_schedule else "redrill",
        "answer_seconds": seconds,
        "easiness_before": before.easiness,
        "repetitions_before": before.repetitions,
        "interval_before": before.interval,
        "due_before": before.due,
        "lapses_before": record.before.lapses,
        "easiness_after": after.easiness,
        "repetitions_after": after.repetitions,
        "interval_after": after.interval,
        "due_after": after.due,
    }


class Answering:
    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def refusal(self) -> str | None:
        """Why answers cannot be saved to this collection, in one line naming
        it; None when they can. Both fronts check it before asking for a grade,
        and ``answer_in`` refuses with it before writing anything."""
        reason = self.context.read_only
        if reason is None:
            return None
        where = self.context.db.path or "the collection"
        return f"Answers cannot be saved: {where} is open read-only ({reason})."

    def answer(
        self,
        pk: int,
        quality: int,
        answer_seconds: float = 0.0,
        study_more: StudyMoreKind | None = None,
    ) -> AnswerOutcome:
        """Grade a card: log row and new SM-2 state in one committed transaction.

        ``study_more`` is the study-more option that chose the card, logged
        with the answer (it changes nothing else)."""
        # A bare connection, not an ORM session: the answer path never loads
        # objects, and a session's set-up and commit cost more than the writes.
        with self.context.db.connection() as connection:
            return self.answer_on(connection, pk, quality, answer_seconds, study_more)

    def answer_in(
        self,
        writer: Writer,
        pk: int,
        quality: int,
        answer_seconds: float = 0.0,
        study_more: StudyMoreKind | None = None,
    ) -> AnswerOutcome:
        """``answer`` inside the caller's transaction."""
        return self.answer_on(connection_of(writer), pk, quality, answer_seconds, study_more)

    def answer_on(
        self,
        connection: Connection,
        pk: int,
        quality: int,
        answer_seconds: float = 0.0,
        study_more: StudyMoreKind | None = None,
    ) -> AnswerOutcome:
        """``answer`` on the caller's connection, inside its transaction.

        The scheduler reviews the card and returns its new state with the log
        record; this method only stores both. Every answer counts the same
        here, a challenge's grade as much as a card's: its lapse counts, and
        may make the card a leech."""
        if isinstance(quality, bool) or not isinstance(quality, int) or not 0 <= quality <= 5:
            raise ValueError(f"quality must be an integer from 0 to 5, got {quality!r}")
        refusal = self.refusal()
        if refusal is not None:
            raise CollectionReadOnly(refusal)
        now = self.context.clock()
        today = study_day(now)
        calendar = self.context.calendar(now)
        seconds = max(0.0, float(answer_seconds))
        found = _ANSWER_STATE.execute(connection, {"pk": pk}).first()
        if found is None:
            raise UnknownCard(f"no card with key {pk}")
        easiness, repetitions, interval, due, lapses, deck_id = found
        answers_today = [
            (grade, _as_utc(at))
            for grade, at in _ANSWERS_TODAY.execute(connection, {"pk": pk, "day": today}).rows
        ]
        steps = self.context.settings.steps
        card = sm2_card(
            SM2State(easiness, repetitions, interval, due), lapses, answers_today, steps, calendar
        )
        after, record = SM2Scheduler(calendar, steps).review(card, quality, now.astimezone(UTC))
        # Under FSRS, FSRS-6 sets the day the card is next shown (see
        # study.fsrs_days); SM-2's state moves underneath exactly as always.
        fsrs = fsrs_scheduler(self.context.settings, deck_id, calendar)
        if fsrs is not None:
            state = fsrs_card(connection, pk, fsrs)
            day = fsrs_day(fsrs, state, quality, now.astimezone(UTC))
            after = replace(after, sm2=replace(after.sm2, due=day))
            record = replace(record, after=after)
        row = log_row(pk, record, seconds)
        # Under an interview plan the log keeps the plan's day beside SM-2's
        # (which the card's state keeps): see study.planned.
        planned = (
            plan_moves(connection, deck_id, after.sm2.due, today) if record.moved_schedule else None
        )
        row.update(study_more=study_more, planned_due=planned)
        review_id = _INSERT_REVIEW.execute(connection, row).rows[0][0]
        daily.add_answer(
            connection,
            today,
            deck_id,
            scheduled=record.moved_schedule,
            quality=quality,
            seconds=seconds,
        )
        if record.moved_schedule:
            _UPDATE_STATE.execute(
                connection,
                {
                    "key": pk,
                    "easiness": after.sm2.easiness,
                    "repetitions": after.sm2.repetitions,
                    "interval": after.sm2.interval,
                    "due": after.sm2.due,
                    "lapses": after.lapses,
                },
            )
        elif fsrs is not None:
            # A same-day repeat leaves SM-2 as it was (rule 7); FSRS-6 counts it.
            _SET_DUE.execute(connection, {"key": pk, "due": after.sm2.due})
        rule = self.context.settings.leech_rule
        leech = leeches.mark_if_leech(connection, pk, record.lapsed, rule)
        return AnswerOutcome(
            review_id=review_id,
            card_pk=pk,
            quality=quality,
            redrill=not record.moved_schedule,
            again=quality < REDRILL_BELOW,
            before=card.sm2,
            after=after.sm2,
            leech=leech,
            planned_due=planned,
        )

    def newest_review_id(self) -> int:
        with self.context.db.reading() as connection:
            newest: int | None = connection.scalar(select(func.max(tables.reviews.c.id)))
        return newest or 0

    def last_answer_today(self, pk: int) -> AnswerOutcome | None:
        """The card's latest answer of today, however it was given (e.g. by a
        passed challenge check), as an AnswerOutcome."""
        today = self.context.today()
        with self.context.db.reading() as connection:
            log = connection.execute(
                select(tables.reviews)
                .where(tables.reviews.c.card_pk == pk, tables.reviews.c.study_day == today)
                .order_by(tables.reviews.c.id.desc())
                .limit(1)
            ).first()
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
        with self.context.db.connection() as connection:
            newest = connection.scalar(select(func.max(tables.reviews.c.id)))
            if newest is None:
                raise NothingToUndo("nothing to undo")
            if newest != review_id:
                raise NothingToUndo("only the most recent answer can be undone")
            # The answer with its card's deck and the lapses it left the card at.
            log = connection.execute(
                select(
                    tables.reviews,
                    tables.card_states.c.lapses.label("lapses_undone"),
                    tables.cards.c.deck_id,
                )
                .join(tables.card_states, tables.card_states.c.card_pk == tables.reviews.c.card_pk)
                .join(tables.cards, tables.cards.c.pk == tables.reviews.c.card_pk)
                .where(tables.reviews.c.id == review_id)
            ).first()
            if log is None:
                raise NothingToUndo("nothing to undo")
            _UPDATE_STATE.execute(
                connection,
                {
                    "key": log.card_pk,
                    "easiness": log.easiness_before,
                    "repetitions": log.repetitions_before,
                    "interval": log.interval_before,
                    "due": log.due_before,
                    "lapses": log.lapses_before,
                },
            )
            leeches.unmark_after_undo(
                connection,
                log.card_pk,
                log.lapses_before,
                log.lapses_undone,
                self.context.settings.leech_rule,
            )
            daily.add_answer(
                connection,
                log.study_day,
                log.deck_id,
                scheduled=log.kind == "scheduled",
                quality=log.quality,
                seconds=log.answer_seconds,
                sign=-1,
            )
            connection.execute(delete(tables.reviews).where(tables.reviews.c.id == review_id))
            card_memory.forget(connection, log.card_pk)
            return int(log.card_pk)

    def grade_preview(self, pk: int) -> dict[int, GradeOption]:
        """What each grade would do to the card now, through the scheduler's own
        preview: a learning step's wait, or the days to the next review, and
        the easiness before and after."""
        now = self.context.clock()
        today = study_day(now)
        calendar = self.context.calendar(now)
        steps = self.context.settings.steps
        with self.context.db.reading() as connection:
            record = card_record(connection, pk)
            answers_today = [
                (grade, _as_utc(at))
                for grade, at in _ANSWERS_TODAY.execute(connection, {"pk": pk, "day": today}).rows
            ]
            card = sm2_card(record.state, record.lapses, answers_today, steps, calendar)
            scheduler = SM2Scheduler(calendar, steps)
            options = {}
            for grade, outcome in scheduler.preview(card, now.astimezone(UTC)).items():
                on_steps = outcome.due_day == today
                assert outcome.review_day is not None  # SM-2 always sets a review day
                options[grade] = GradeOption(
                    grade=grade,
                    wait=outcome.interval if on_steps else None,
                    days=(outcome.review_day - today).days,
                    easiness_before=outcome.easiness_before or record.state.easiness,
                    easiness_after=outcome.easiness_after or record.state.easiness,
                )
            options = self._fsrs_options(connection, record, now, options)
            return self._planned_options(connection, record.deck_id, today, options)

    @staticmethod
    def _planned_options(
        connection: Connection, deck_id: str, today: date, options: dict[int, GradeOption]
    ) -> dict[int, GradeOption]:
        """Under an interview plan: each grade's planned day where it differs
        from the active scheduler's (``study.planned.plan_moves``)."""
        planned_options = {}
        for grade, option in options.items():
            own_day = today + timedelta(days=option.days)
            planned = plan_moves(connection, deck_id, own_day, today)
            planned_options[grade] = (
                option if planned is None else replace(option, planned_days=(planned - today).days)
            )
        return planned_options

    def _fsrs_options(
        self,
        connection: Connection,
        record: CardRecord,
        now: datetime,
        options: dict[int, GradeOption],
    ) -> dict[int, GradeOption]:
        """Under FSRS: each grade's review day from FSRS-6, with the predicted
        recall on that day; a learning step's wait stays as it is."""
        calendar = self.context.calendar(now)
        today = study_day(now)
        fsrs = fsrs_scheduler(self.context.settings, record.deck_id, calendar)
        if fsrs is None:
            return options
        outcomes = fsrs.preview(fsrs_card(connection, record.pk, fsrs), now.astimezone(UTC))
        return {
            grade: replace(
                option,
                days=(outcomes[grade].due_day - today).days,
                recall=outcomes[grade].recall_at_due,
            )
            for grade, option in options.items()
        }

    def align_due_days(self) -> int:
        """Each answered card's next day as its deck's scheduler sets it (after
        the learner switched between SM-2 and FSRS); how many cards moved."""
        with self.context.db.connection() as connection:
            return align_due_days(connection, self.context.settings, self.context.calendar())
