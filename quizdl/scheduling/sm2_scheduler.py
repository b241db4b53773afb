"""SM-2 behind the ``Scheduler`` protocol, with learning steps in minutes.

The long-term schedule is ``sm2.review`` unchanged (exact SM-2). What this
module adds is *when within a day* a card returns: an answer below 4 puts the
card on learning steps (1 and 10 minutes by default) instead of "a few cards
later". Step answers are SM-2 rule 7's same-day repeats: logged, and the SM-2
state set by the day's first answer stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from quizdl.scheduling import sm2
from quizdl.scheduling.days import StudyCalendar, require_utc
from quizdl.scheduling.protocol import (
    Outcome,
    ReviewKind,
    ReviewRecord,
    preview_grades,
    record_review,
)
from quizdl.scheduling.steps import GRADUATED, Steps, answer_of, enter, next_step


@dataclass(frozen=True, slots=True)
class SM2Card:
    """A card's SM-2 state plus where it is within today's learning steps."""

    sm2: sm2.SM2State = field(default_factory=sm2.SM2State)
    lapses: int = 0
    step: int | None = None  # the learning step the card is on, None when off steps
    due: datetime | None = None  # next time to show it (aware UTC); None when new
    last_review: datetime | None = None


@dataclass(frozen=True, slots=True)
class SM2Scheduler:
    calendar: StudyCalendar = field(default_factory=StudyCalendar)
    steps: Steps = field(default_factory=Steps)

    @property
    def name(self) -> str:
        return "sm2"

    def new_card(self) -> SM2Card:
        return SM2Card()

    def review(
        self, state: SM2Card, grade: int, when: datetime
    ) -> tuple[SM2Card, ReviewRecord[SM2Card]]:
        require_utc(when)
        answer = answer_of(grade)
        today = self.calendar.day_of(when)
        scheduled_later = state.sm2.due is not None and state.sm2.due > today
        answered_today = (
            state.last_review is not None and self.calendar.day_of(state.last_review) == today
        )
        if scheduled_later and (state.step is not None or answered_today):
            # A same-day repeat: only the position on the steps moves.
            new_sm2 = state.sm2
            if state.step is not None:
                steps = next_step(self.steps, state.step, answer)
            else:
                steps = enter(self.steps) if grade < sm2.REDRILL_BELOW else GRADUATED
            kind, moved, lapsed = ReviewKind.STEP, False, False
        else:
            new_sm2 = sm2.review(state.sm2, grade, today)
            steps = enter(self.steps) if grade < sm2.REDRILL_BELOW else GRADUATED
            kind = ReviewKind.NEW if state.sm2.due is None else ReviewKind.REVIEW
            moved, lapsed = True, grade < sm2.PASSING and state.sm2.repetitions > 0
        assert new_sm2.due is not None
        due = self.calendar.start_of(new_sm2.due) if steps.delay is None else when + steps.delay
        after = SM2Card(
            sm2=new_sm2,
            lapses=state.lapses + lapsed,
            step=steps.step,
            due=due,
            last_review=when,
        )
        record = record_review(
            self.name,
            state,
            after,
            grade=grade,
            when=when,
            day=today,
            kind=kind,
            moved_schedule=moved,
            lapsed=lapsed,
        )
        return after, record

    def preview(self, state: SM2Card, when: datetime) -> dict[int, Outcome]:
        def describe(record: ReviewRecord[SM2Card], due_day: date) -> Outcome:
            return Outcome(
                grade=record.grade,
                interval=record.interval,
                due=record.due,
                due_day=due_day,
                review_day=record.after.sm2.due,
                easiness_before=state.sm2.easiness,
                easiness_after=record.after.sm2.easiness,
            )

        return preview_grades(self.review, state, when, self.calendar, describe)

    def replay(self, log: Iterable[tuple[datetime, int]]) -> SM2Card:
        """A card's state rebuilt from its answers (time, grade), oldest first."""
        state = self.new_card()
        for when, grade in log:
            state, _ = self.review(state, grade, when)
        return state
