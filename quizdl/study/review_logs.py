"""Each card's answers as (study day, grade), oldest first: what FSRS replays.

An interview plan replays every seen card's log on each queue, on home's plan
line and on every refit, so a collection with 900,000 answers has all of them
read each time. Through the ORM that read cost more than the replay itself
(a result object and a parsed date per answer); here the rows come straight
from the driver in batches and each distinct study day is parsed once.
"""

from __future__ import annotations

from collections.abc import Collection, Container
from datetime import date

from sqlalchemy import String, select, type_coerce
from sqlalchemy.engine import Connection

from quizdl.store.driver import DriverStatement
from quizdl.store.models import ReviewRow

DayLog = list[tuple[date, int]]

# The day as the driver gives it (text on SQLite, a date on PostgreSQL): the
# reader converts each distinct value once instead of once per answer.
_ANSWERS = DriverStatement(
    select(ReviewRow.card_pk, type_coerce(ReviewRow.study_day, String), ReviewRow.quality).order_by(
        ReviewRow.id
    )
)


def as_day(raw: object, seen: dict[object, date]) -> date:
    """A study day as the driver gave it (text on SQLite, a date on PostgreSQL),
    parsed once per distinct value: a log has a few hundred days and up to
    millions of answers."""
    day = seen.get(raw)
    if day is None:
        day = seen[raw] = raw if isinstance(raw, date) else date.fromisoformat(str(raw))
    return day


def day_logs(connection: Connection, cards: Container[int] | None = None) -> dict[int, DayLog]:
    """The logs of ``cards`` (every answered card when None), oldest answer first.

    A card of ``cards`` that was never answered is absent."""
    logs: dict[int, DayLog] = {}
    days: dict[object, date] = {}
    for batch in _ANSWERS.batches(connection, {}):
        for pk, raw_day, quality in batch:
            if cards is not None and pk not in cards:
                continue
            day = days.get(raw_day) or as_day(raw_day, days)
            log = logs.get(pk)
            if log is None:
                logs[pk] = [(day, quality)]
            else:
                log.append((day, quality))
    return logs


_CHUNK = 500  # cards per IN (...) list: well under every driver's parameter limit


def day_logs_of(connection: Connection, cards: Collection[int]) -> dict[int, DayLog]:
    """The logs of a few cards, read through the (card, id) index instead of the
    whole log: what a plan needs after a day's answers."""
    logs: dict[int, DayLog] = {}
    wanted = sorted(cards)
    for start in range(0, len(wanted), _CHUNK):
        rows = connection.execute(
            select(ReviewRow.card_pk, ReviewRow.study_day, ReviewRow.quality)
            .where(ReviewRow.card_pk.in_(wanted[start : start + _CHUNK]))
            .order_by(ReviewRow.card_pk, ReviewRow.id)
        )
        for pk, day, quality in rows:
            logs.setdefault(pk, []).append((day, quality))
    return logs
