"""Time, injected: tests pass a fixed clock and never depend on the real date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

Clock = Callable[[], datetime]

# Like Anki, the learner's day starts at 04:00 local time, so a session after
# midnight still counts for the evening before.
DAY_STARTS_AT_HOUR = 4


def system_clock() -> datetime:
    return datetime.now().astimezone()


def study_day(moment: datetime) -> date:
    """The learner's study day for an aware local datetime."""
    return (moment - timedelta(hours=DAY_STARTS_AT_HOUR)).date()


def to_utc_naive(moment: datetime) -> datetime:
    """What the database stores: UTC without tzinfo (portable across engines)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)
