"""The interview plan as use cases; the plan's rules and storage are ``study.plans``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from quizdl.scheduling.plan import DEFAULT_MINUTES_PER_DAY
from quizdl.study.clock import to_utc_naive
from quizdl.study.context import StudyContext
from quizdl.study.planned import PlannedLoad, planned_load
from quizdl.study.plans import (
    PlanInfo,
    PlanStatus,
    clear_plan,
    current_plan,
    plan_status,
    set_plan,
)


class PlanService:
    """The interview plan as use cases: set, clear, read, and today's status."""

    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def set_plan(
        self,
        interview_day: date,
        deck_ids: Sequence[str] = (),
        minutes_per_day: float = DEFAULT_MINUTES_PER_DAY,
    ) -> PlanInfo:
        """Plan toward an interview (replacing any plan): new cards are paced to it."""
        with self.context.db.connection() as connection:
            return set_plan(
                connection,
                self.context.today(),
                to_utc_naive(self.context.clock()),
                interview_day,
                deck_ids,
                minutes_per_day,
            )

    def clear_plan(self) -> bool:
        """Drop the plan (SM-2 alone again); whether there was one."""
        with self.context.db.connection() as connection:
            return clear_plan(connection)

    def plan(self) -> PlanInfo | None:
        with self.context.db.reading() as connection:
            return current_plan(connection)

    def plan_status(self) -> PlanStatus | None:
        """The plan, today's pacing and readiness for the day (None without a plan)."""
        with self.context.db.reading() as connection:
            return plan_status(connection, self.context.today(), self.context.db)

    def planned_load(self) -> list[PlannedLoad]:
        """The plan's reviews, new cards and minutes per study day (empty without a plan)."""
        with self.context.db.reading() as connection:
            return planned_load(connection, self.context.today(), self.context.db)
