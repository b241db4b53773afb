"""Each card's answers as (study day, grade), oldest first: what FSRS replays.

An interview plan replays every seen card's log on each queue, on home's plan
line and on every refit, so a collection with 900,000 answers has all of them
read each time. Through the ORM that read cost more than the replay itself
(a result object and a parsed date per answer); here the rows come straight
from the driver in batches and each distinct study day is parsed once.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import String, select, type_coerce
from sqlalchemy.engine import Connection

from quizdl.store import tables
from quizdl.store.bulk import chunks
from quizdl.store.driver import DriverStatement

DayLog = list[tuple[date, int]]

# The day as the driver gives it (text on SQLite, a date on PostgreSQL): the
# reader converts each distinct value once instead of once per answer.
_ANSWERS = select(
    tables.reviews.c.card_pk,
    type_coerce(tables.reviews.c.study_day, String),
    tables.reviews.c.quality,
).order_by(tables.reviews.c.id)
_WHOLE_LOG = DriverStatement(_ANSWERS)


def as_day(raw: object, seen: dict[object, date]) -> date:
    """A study day as the driver gave it (text on SQLite, a date on PostgreSQL),
    parsed once per distinct value: a log has a few hundred days and up to
    millions of answers."""
    day = seen.get(raw)
    if day is None:
        day = seen[raw] = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    return day


def _collect(
    rows: Iterable[Sequence[Any]],
    logs: dict[int, DayLog],
    days: dict[object, date],
    cards: Container[int] | None = None,
) -> None:
    for pk, raw_day, quality in rows:
        if cards is not None and pk not in cards:
            continue
        log = logs.get(pk)
        if log is None:
            log = logs[pk] = []
        log.append((as_day(raw_day, days), quality))


def day_logs(connection: Connection, cards: Container[int] | None = None) -> dict[int, DayLog]:
    """The logs of ``cards`` (every answered card when None), oldest answer first,
    from one pass over the whole log. A card never answered is absent."""
    logs: dict[int, DayLog] = {}
    days: dict[object, date] = {}
    for batch in _WHOLE_LOG.batches(connection, {}):
        _collect(batch, logs, days, cards)
    return logs


def day_logs_of(connection: Connection, cards: Collection[int]) -> dict[int, DayLog]:
    """The same for a few cards, read through the (card, id) index instead of
    the whole log: what a plan needs after a day's answers."""
    logs: dict[int, DayLog] = {}
    days: dict[object, date] = {}
    for batch in chunks(sorted(cards)):
        _collect(
            connection.execute(_ANSWERS.where(tables.reviews.c.card_pk.in_(batch))), logs, days
        )
    return logs
