"""Study days in the learner's own time zone, from aware UTC instants.

The learner's day starts at 04:00 local time (as in Anki), so an answer at
01:00 still counts for the evening before. Days are counted as calendar days
of that local clock, never as 24-hour blocks of UTC: a day that loses or
gains an hour to daylight saving is still one day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo

DAY_STARTS_AT_HOUR = 4


def require_utc(when: datetime) -> datetime:
    """``when`` itself, if it is an aware datetime at UTC; a ValueError otherwise.

    Naive datetimes are refused rather than guessed: a naive local time read as
    UTC moves every due date by the learner's offset.
    """
    offset = when.utcoffset()
    if offset is None:
        raise ValueError(f"expected an aware UTC datetime, got naive {when.isoformat()}")
    if offset != timedelta(0):
        raise ValueError(f"expected a UTC datetime, got offset {offset} in {when.isoformat()}")
    return when


@dataclass(frozen=True, slots=True)
class StudyCalendar:
    """The learner's zone and the local hour at which a study day begins."""

    zone: tzinfo = field(default=UTC)
    day_starts_at_hour: int = DAY_STARTS_AT_HOUR

    def __post_init__(self) -> None:
        if not 0 <= self.day_starts_at_hour <= 23:
            raise ValueError(f"day_starts_at_hour must be 0..23, got {self.day_starts_at_hour}")

    def day_of(self, when: datetime) -> date:
        """The study day an instant belongs to."""
        local = require_utc(when).astimezone(self.zone)
        # Wall-clock arithmetic on the local time: 03:59 belongs to yesterday
        # whatever the UTC offset of either day is.
        return (local.replace(tzinfo=None) - timedelta(hours=self.day_starts_at_hour)).date()

    def start_of(self, day: date) -> datetime:
        """The UTC instant at which ``day`` begins (its local start hour)."""
        local = datetime.combine(day, time(self.day_starts_at_hour), tzinfo=self.zone)
        return local.astimezone(UTC)

    def days_between(self, earlier: datetime, later: datetime) -> int:
        """Whole study days from one instant to another (negative if reversed)."""
        return (self.day_of(later) - self.day_of(earlier)).days

    def day_length(self, day: date) -> timedelta:
        """Real time in a study day: 23 or 25 hours on a daylight-saving change."""
        return self.start_of(day + timedelta(days=1)) - self.start_of(day)
