"""FSRS as an option: which scheduler sets a card's review day, and that day.

How the two schedulers share one collection:

- The review log is the one source of truth. Every answer is logged with the
  SM-2 state before and after it, whichever scheduler is in use, so SM-2 keeps
  running underneath FSRS and ``card_states`` keeps its exact SM-2 easiness,
  repetitions, interval and lapses.
- ``card_states.due`` is the day the card is next shown, set by the card's
  deck's scheduler (``scheduler = "fsrs"`` in config.toml, for the collection or
  per deck). Under FSRS it is the day FSRS-6 predicts recall falls to the
  desired retention; the log's ``due_before``/``due_after`` record that day, so
  undo restores it exactly.
- FSRS state is never stored: it is replayed from the card's log (every answer,
  same-day ones included, as FSRS-6 models them), with FSRS-6's default
  parameters. Learning steps (minutes) stay quizdl's own for both schedulers;
  FSRS decides only the day.
- Switching either way is ``align_due_days`` at start-up: each answered card's
  day is recomputed from its log — FSRS by replay, SM-2 as its latest scheduled
  answer's day plus its interval — so the history is kept and switching back
  gives plain SM-2 again. A card with no log (progress imported from Anki)
  keeps its imported day under both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.engine import Connection

from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.fsrs import FSRSCard, FSRSScheduler
from quizdl.scheduling.steps import Steps
from quizdl.store import tables
from quizdl.store.bulk import chunks
from quizdl.store.db import connection_of
from quizdl.study.settings import StudySettings

if TYPE_CHECKING:
    from quizdl.store.db import Reader, Writer

NO_STEPS = Steps(())

_CARD_LOG = (
    select(tables.reviews.c.reviewed_at, tables.reviews.c.quality)
    .where(tables.reviews.c.card_pk == bindparam("pk"))
    .order_by(tables.reviews.c.id)
)
_SET_DUE = (
    update(tables.card_states)
    .where(tables.card_states.c.card_pk == bindparam("key"))
    .values(due=bindparam("due"))
)


def fsrs_scheduler(
    settings: StudySettings, deck_id: str, calendar: StudyCalendar
) -> FSRSScheduler | None:
    """The deck's FSRS scheduler, or None when SM-2 sets its days."""
    if settings.scheduler_of(deck_id) != "fsrs":
        return None
    # No FSRS steps: quizdl's learning steps (the same for SM-2) keep a failed
    # card coming back within the day; FSRS only chooses the review day.
    return FSRSScheduler(
        calendar=calendar,
        desired_retention=settings.retention_of(deck_id),
        learning_steps=NO_STEPS,
        relearning_steps=NO_STEPS,
    )


def _utc(stored: datetime) -> datetime:
    # The log stores UTC without tzinfo (see clock.to_utc_naive).
    return stored.replace(tzinfo=UTC)


def card_log(connection: Connection, pk: int) -> list[tuple[datetime, int]]:
    """A card's answers (aware UTC time, grade), oldest first."""
    return [(_utc(at), grade) for at, grade in connection.execute(_CARD_LOG, {"pk": pk})]


def fsrs_card(connection: Connection, pk: int, scheduler: FSRSScheduler) -> FSRSCard:
    """The card's FSRS state, replayed from its whole log."""
    return scheduler.replay(card_log(connection, pk))


def fsrs_day(scheduler: FSRSScheduler, state: FSRSCard, grade: int, when: datetime) -> date:
    """The review day FSRS sets when ``state`` is graded ``grade`` at ``when``."""
    _, record = scheduler.review(state, grade, when)
    return scheduler.calendar.day_of(record.due)


def _sm2_days(reader: Reader) -> dict[int, date]:
    """SM-2's day for every answered card: its latest scheduled answer's study
    day plus the interval that answer set (what ``sm2.review`` makes ``due``)."""
    latest = (
        select(tables.reviews.c.card_pk, func.max(tables.reviews.c.id).label("id"))
        .where(tables.reviews.c.kind == "scheduled")
        .group_by(tables.reviews.c.card_pk)
        .subquery()
    )
    rows = reader.execute(
        select(
            tables.reviews.c.card_pk, tables.reviews.c.study_day, tables.reviews.c.interval_after
        ).join(latest, latest.c.id == tables.reviews.c.id)
    )
    return {pk: day + timedelta(days=interval) for pk, day, interval in rows}


def _fsrs_days(
    reader: Reader, settings: StudySettings, calendar: StudyCalendar, pks: Sequence[int]
) -> dict[int, date]:
    """FSRS-6's day for each of ``pks``, each replayed from its own log."""
    logs: dict[int, list[tuple[datetime, int]]] = defaultdict(list)
    decks: dict[int, str] = {}
    for batch in chunks(pks):
        decks.update(
            reader.execute(
                select(tables.cards.c.pk, tables.cards.c.deck_id).where(
                    tables.cards.c.pk.in_(batch)
                )
            ).all()
        )
        answers = (
            select(tables.reviews.c.card_pk, tables.reviews.c.reviewed_at, tables.reviews.c.quality)
            .where(tables.reviews.c.card_pk.in_(batch))
            .order_by(tables.reviews.c.id)
        )
        for pk, at, grade in reader.execute(answers):
            logs[pk].append((_utc(at), grade))
    schedulers: dict[str, FSRSScheduler | None] = {}
    days: dict[int, date] = {}
    for pk, log in logs.items():
        deck_id = decks[pk]
        if deck_id not in schedulers:
            schedulers[deck_id] = fsrs_scheduler(settings, deck_id, calendar)
        scheduler = schedulers[deck_id]
        assert scheduler is not None
        state = scheduler.replay(log)
        assert state.due is not None
        days[pk] = calendar.day_of(state.due)
    return days


def align_due_days(writer: Writer, settings: StudySettings, calendar: StudyCalendar) -> int:
    """Set every answered card's day to what its deck's scheduler says; returns
    how many changed (none unless the scheduler setting changed since).

    Only cards on FSRS whose day is still SM-2's are replayed: a day that
    differs from SM-2's was set by FSRS already, so a start-up under FSRS
    replays a few cards, not the whole log (a new ``desired_retention``
    applies from each card's next answer)."""
    sm2_days = _sm2_days(writer)
    current = dict(
        writer.execute(select(tables.card_states.c.card_pk, tables.card_states.c.due)).all()
    )
    on_fsrs: set[int] = set()
    if settings.uses_fsrs:
        decks = dict(writer.execute(select(tables.cards.c.pk, tables.cards.c.deck_id)).all())
        on_fsrs = {pk for pk in sm2_days if settings.scheduler_of(decks[pk]) == "fsrs"}
    expected = {pk: day for pk, day in sm2_days.items() if pk not in on_fsrs}
    stale = sorted(pk for pk in on_fsrs if current.get(pk) == sm2_days[pk])
    expected.update(_fsrs_days(writer, settings, calendar, stale))
    changes = [
        {"key": pk, "due": day}
        for pk, day in expected.items()
        if pk in current and current[pk] != day
    ]
    if changes:
        connection_of(writer).execute(_SET_DUE, changes)
    return len(changes)
