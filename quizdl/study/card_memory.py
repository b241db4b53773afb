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
from typing import TYPE_CHECKING

from sqlalchemy import (
    Integer,
    String,
    Text,
    cast,
    delete,
    func,
    insert,
    select,
    type_coerce,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from quizdl.scheduling.readiness import Memory, memories
from quizdl.store import tables
from quizdl.store.bulk import chunks, insert_rows
from quizdl.store.db import Database, connection_of
from quizdl.store.driver import DriverStatement
from quizdl.store.meta import meta_values, set_meta
from quizdl.study.review_logs import as_day, day_logs, day_logs_of

if TYPE_CHECKING:
    from quizdl.store.db import Reader, Writer

MEMORY_KEY = "card_memories"  # the parameters the kept memories were computed with
UNDOS_KEY = "undos"  # how many answers were ever undone
# Past this many cards to replay, one pass over the whole log beats a look-up per card.
_WHOLE_LOG_FROM = 2_000

_LOG_KEYS = DriverStatement(
    select(tables.reviews.c.card_pk, func.count(), func.max(tables.reviews.c.id)).group_by(
        tables.reviews.c.card_pk
    )
)
_KEPT = DriverStatement(
    select(
        tables.card_memories.c.card_pk,
        tables.card_memories.c.stability,
        type_coerce(tables.card_memories.c.last_day, String),  # parsed once per day (as_day)
        tables.card_memories.c.answers,
        tables.card_memories.c.last_review,
    )
)


class _Outdated(Exception):
    """Another front undid an answer or changed the parameters meanwhile."""


def card_memories(
    reader: Reader,
    cards: Collection[int],
    parameters: tuple[float, ...],
    db: Database | None = None,
) -> dict[int, Memory]:
    """The memory of each of ``cards`` that was ever answered, under ``parameters``.

    With ``db`` (a writable collection) what had to be replayed is kept for
    the next call."""
    connection = connection_of(reader)
    # Read first: a write below is skipped if an undo came in after this.
    meta = meta_values(connection, (MEMORY_KEY, UNDOS_KEY))
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
        with db.connection() as connection:
            # A write first, so that what is checked below cannot change before
            # the commit (SQLite: the write lock; PostgreSQL: the row's lock).
            _count_undos(connection, 0)
            meta = meta_values(connection, (MEMORY_KEY, UNDOS_KEY))
            if meta.get(UNDOS_KEY) != undos_seen:
                raise _Outdated
            if replace:
                connection.execute(delete(tables.card_memories))
                set_meta(connection, MEMORY_KEY, parameters)
            elif meta.get(MEMORY_KEY) != parameters:
                raise _Outdated
            else:
                for batch in chunks([row["card_pk"] for row in rows]):
                    connection.execute(
                        delete(tables.card_memories).where(
                            tables.card_memories.c.card_pk.in_(batch)
                        )
                    )
            insert_rows(connection, tables.card_memories, rows)
    except (_Outdated, SQLAlchemyError, driver_error):
        return  # kept memories are a shortcut: the next read replays these cards again


def _count_undos(writer: Writer, step: int) -> None:
    changed = writer.execute(
        update(tables.collection_meta)
        .where(tables.collection_meta.c.key == UNDOS_KEY)
        .values(value=cast(cast(tables.collection_meta.c.value, Integer) + step, Text))
    ).rowcount  # type: ignore[attr-defined]
    if not changed:
        writer.execute(insert(tables.collection_meta).values(key=UNDOS_KEY, value=str(step)))


def forget(writer: Writer, card_pk: int) -> None:
    """Called by undo in its own transaction: the card's kept memory goes, and
    the undo is counted so that a read that began before it keeps nothing."""
    writer.execute(delete(tables.card_memories).where(tables.card_memories.c.card_pk == card_pk))
    _count_undos(writer, 1)
