"""What every study service shares: the collection, the clock, the settings.

One value handed to each service (``library``, ``queue``, ``answering``,
``catalogue``, ``plan_service``, ``stats_service``, ``challenges``) instead of each
holding its own copy, so a test's fixed clock or a read-only collection is
seen by all of them at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from quizdl.scheduling.days import StudyCalendar
from quizdl.store.db import Database
from quizdl.study.clock import Clock, study_day, system_clock
from quizdl.study.settings import StudySettings


@dataclass
class StudyContext:
    db: Database
    clock: Clock = system_clock
    settings: StudySettings = field(default_factory=StudySettings)
    # Why this collection can only be read (None when answers can be saved).
    read_only: str | None = None

    def today(self) -> date:
        return study_day(self.clock())

    def calendar(self, now: datetime | None = None) -> StudyCalendar:
        """The learner's study days in the clock's own time zone."""
        moment = self.clock() if now is None else now
        return StudyCalendar(zone=moment.tzinfo or UTC)
