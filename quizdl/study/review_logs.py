"""Each card's answers as (study day, grade), oldest first: what FSRS replays.

An interview plan replays every seen card's log on each queue, on home's plan
line and on every refit, so a collection with 900,000 answers has all of them
read each time. Through the ORM that read cost more than the replay itself
(a result object and a parsed date per answer); here the rows come straight
from the driver in batches and each distinct study day is parsed once.
"""

from __future__ import annotations

from collections.abc import Container
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


def day_logs(connection: Connection, cards: Container[int] | None = None) -> dict[int, DayLog]:
    """The logs of ``cards`` (every answered card when None), oldest answer first.

    A card of ``cards`` that was never answered is absent."""
    logs: dict[int, DayLog] = {}
    days: dict[object, date] = {}
    for batch in _ANSWERS.batches(connection, {}):
        for pk, raw_day, quality in batch:
            if cards is not None and pk not in cards:
                continue
            day = days.get(raw_day)
            if day is None:
                day = days[raw_day] = (
                    raw_day if isinstance(raw_day, date) else date.fromisoformat(raw_day)
                )
            log = logs.get(pk)
            if log is None:
                logs[pk] = [(day, quality)]
            else:
                log.append((day, quality))
    return logs
