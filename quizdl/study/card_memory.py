"""Each answered card's FSRS memory, replayed only when its log changed.

An interview plan needs every seen card's memory on each queue, home's plan
line and the stats forecast. Replaying every log each time read and replayed
the whole review log (2.5 s of a 3.8 s queue at 100,000 cards and 900,000
answers). The memories are kept in ``card_memories`` with the answer count
and newest answer id each one was computed from; a read replays only the
cards whose log no longer matches, and stores what it replayed.

When a kept memory is trusted:
- the card's answer count and newest answer id are still the row's, and the
  parameters in use are the ones every row was computed with (the
  ``card_memories`` key of ``collection_meta``; a refit changes them, and the
  next read replays everything once);
- undo deletes the undone card's row (``forget``): the next answer may take
  the undone answer's id, and so the same count and id over another log;
- rows are written in a transaction of their own, after checking inside it
  that no undo (the ``undos`` counter) and no other parameters came in since
  the logs were read. Anything that goes wrong there only skips the write:
  the next read replays those cards again.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date

from sqlalchemy import Integer, String, Text, cast, delete, func, or_, select, type_coerce, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from quizdl.scheduling.readiness import Memory, memories
from quizdl.store import tables
from quizdl.store.bulk import chunks, insert_rows
from quizdl.store.db import Database
from quizdl.store.driver import DriverStatement
from quizdl.store.models import CardMemoryRow, CollectionMetaRow, ReviewRow
from quizdl.study.review_logs import as_day, day_logs, day_logs_of

MEMORY_KEY = "card_memories"  # the parameters the kept memories were computed with
UNDOS_KEY = "undos"  # how many answers were ever undone
# Past this many cards to replay, one pass over the whole log beats a look-up per card.
_WHOLE_LOG_FROM = 2_000

_LOG_KEYS = DriverStatement(
    select(ReviewRow.card_pk, func.count(), func.max(ReviewRow.id)).group_by(ReviewRow.card_pk)
)
_KEPT = DriverStatement(
    select(
        CardMemoryRow.card_pk,
        CardMemoryRow.stability,
        type_coerce(CardMemoryRow.last_day, String),  # parsed once per day (as_day)
        CardMemoryRow.answers,
        CardMemoryRow.last_review,
    )
)
_META = DriverStatement(
    select(CollectionMetaRow.key, CollectionMetaRow.value).where(
        or_(CollectionMetaRow.key == MEMORY_KEY, CollectionMetaRow.key == UNDOS_KEY)
    )
)


class _Outdated(Exception):
    """Another front undid an answer or changed the parameters meanwhile."""


def card_memories(
    session: Session,
    cards: Collection[int],
    parameters: tuple[float, ...],
    db: Database | None = None,
) -> dict[int, Memory]:
    """The memory of each of ``cards`` that was ever answered, under ``parameters``.

    With ``db`` (a writable collection) what had to be replayed is kept for
    the next call."""
    connection = session.connection()
    # Read first: a write below is skipped if an undo came in after this.
    meta = dict(_META.execute(connection, {}).rows)
    current = {
        pk: (count, newest)
        for pk, count, newest in _LOG_KEYS.execute(connection, {}).rows
        if pk in cards
    }
    wanted = json.dumps(list(parameters))
    trusted = meta.get(MEMORY_KEY) == wanted
    found: dict[int, Memory] = {}
    if trusted:
        days: dict[object, date] = {}
        for pk, stability, last_day, answers, last_review in _KEPT.execute(connection, {}).rows:
            if current.get(pk) == (answers, last_review):
                found[pk] = Memory(stability, as_day(last_day, days))
    stale = current.keys() - found.keys()
    if not stale:
        return found
    logs = (
        day_logs(connection, stale)
        if len(stale) >= _WHOLE_LOG_FROM
        else day_logs_of(connection, stale)
    )
    replayed = memories(logs, parameters)
    found.update(replayed)
    if db is not None and not db.read_only:
        rows = [
            {
                "card_pk": pk,
                "stability": memory.stability,
                "last_day": memory.last_day,
                "answers": current[pk][0],
                "last_review": current[pk][1],
            }
            for pk, memory in replayed.items()
        ]
        _keep(db, rows, wanted, meta.get(UNDOS_KEY, "0"), replace=not trusted)
    return found


def _keep(
    db: Database, rows: list[dict[str, object]], parameters: str, undos_seen: str, replace: bool
) -> None:
    # insert_rows may run on the driver's own cursor (COPY on PostgreSQL), whose
    # errors SQLAlchemy does not wrap: the driver's base error is caught too.
    driver_error = db.engine.dialect.loaded_dbapi.Error
    try:
        with db.session() as session:
            # A write first, so that what is checked below cannot change before
            # the commit (SQLite: the write lock; PostgreSQL: the row's lock).
            _count_undos(session, 0)
            undos = session.get(CollectionMetaRow, UNDOS_KEY)
            if undos is None or undos.value != undos_seen:
                raise _Outdated
            kept_with = session.get(CollectionMetaRow, MEMORY_KEY)
            if replace:
                session.execute(delete(CardMemoryRow))
                if kept_with is None:
                    session.add(CollectionMetaRow(key=MEMORY_KEY, value=parameters))
                else:
                    kept_with.value = parameters
                session.flush()
            elif kept_with is None or kept_with.value != parameters:
                raise _Outdated
            else:
                for batch in chunks([row["card_pk"] for row in rows]):
                    session.execute(delete(CardMemoryRow).where(CardMemoryRow.card_pk.in_(batch)))
            insert_rows(session.connection(), tables.card_memories, rows)
    except (_Outdated, SQLAlchemyError, driver_error):
        return  # kept memories are a shortcut: the next read replays these cards again


def _count_undos(session: Session, step: int) -> None:
    changed = session.execute(
        update(CollectionMetaRow)
        .where(CollectionMetaRow.key == UNDOS_KEY)
        .values(value=cast(cast(CollectionMetaRow.value, Integer) + step, Text))
    ).rowcount  # type: ignore[attr-defined]
    if not changed:
        session.add(CollectionMetaRow(key=UNDOS_KEY, value=str(step)))
        session.flush()


def forget(session: Session, card_pk: int) -> None:
    """Called by undo in its own transaction: the card's kept memory goes, and
    the undo is counted so that a read that began before it keeps nothing."""
    session.execute(delete(CardMemoryRow).where(CardMemoryRow.card_pk == card_pk))
    _count_undos(session, 1)
