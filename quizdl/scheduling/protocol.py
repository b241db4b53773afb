"""What every scheduler offers the study layer, whatever its memory model.

py-fsrs' shape: ``review`` returns the new state *and* the log record, so the
caller stores both and never assembles a log row by hand; ``preview`` answers
"what would each grade do" for the grade buttons. Grades are quizdl's 0..5
(SM-2 quality); a scheduler with fewer answers maps them (see ``steps.answer_of``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from quizdl.scheduling.days import StudyCalendar

GRADES = range(6)


class ReviewKind(StrEnum):
    # The card's first answer.
    NEW = "new"
    # An answer on a review day: the scheduler's long-term state moved.
    REVIEW = "review"
    # An answer on a learning or relearning step, minutes after the last one.
    STEP = "step"


class CardState(Protocol):
    """What a plan needs of any scheduler's card state."""

    @property
    def due(self) -> datetime | None: ...

    @property
    def lapses(self) -> int: ...

    @property
    def last_review(self) -> datetime | None: ...


StateT = TypeVar("StateT", bound=CardState)


@dataclass(frozen=True, slots=True)
class ReviewRecord(Generic[StateT]):
    """One answer, ready to be appended to the review log."""

    scheduler: str
    reviewed_at: datetime  # aware UTC
    study_day: date
    grade: int
    kind: ReviewKind
    # Whether the answer moved the long-term schedule. SM-2's step answers do
    # not (SM-2 rule 7: same-day repeats are logged, the schedule stands).
    moved_schedule: bool
    lapsed: bool
    before: StateT
    after: StateT
    interval: timedelta  # from reviewed_at to the next due
    due: datetime  # aware UTC


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one grade would do now, for the grade buttons."""

    grade: int
    interval: timedelta
    due: datetime  # aware UTC
    due_day: date
    # The study day of the next long-term review this grade sets (SM-2's due
    # date even when the card first returns on a minutes-long step); None
    # while FSRS has the card on a step.
    review_day: date | None
    # SM-2: the card's easiness before and after this grade.
    easiness_before: float | None = None
    easiness_after: float | None = None
    # FSRS: memory stability in days after this grade, and the predicted
    # probability of recall when the card next comes due.
    stability_after: float | None = None
    recall_at_due: float | None = None


class Scheduler(Protocol[StateT]):
    """A pure scheduler: no clock, no I/O; every instant is passed in, aware UTC."""

    @property
    def name(self) -> str: ...

    def new_card(self) -> StateT: ...

    def review(
        self, state: StateT, grade: int, when: datetime
    ) -> tuple[StateT, ReviewRecord[StateT]]:
        """Grade ``state`` with ``grade`` at ``when``: the new state and its log record."""
        ...

    def preview(self, state: StateT, when: datetime) -> dict[int, Outcome]:
        """Every grade's outcome if it were given at ``when``."""
        ...

    def replay(self, log: Iterable[tuple[datetime, int]]) -> StateT:
        """The state a card's answers (time, grade), oldest first, lead to.

        How a card keeps its history when the learner switches scheduler.
        """
        ...


def record_review(
    scheduler: str,
    before: StateT,
    after: StateT,
    *,
    grade: int,
    when: datetime,
    day: date,
    kind: ReviewKind,
    moved_schedule: bool,
    lapsed: bool,
) -> ReviewRecord[StateT]:
    """The log record of one answer, its interval and due taken from ``after``."""
    due = after.due
    if due is None:
        raise ValueError("a reviewed card must have a due time")
    return ReviewRecord(
        scheduler=scheduler,
        reviewed_at=when,
        study_day=day,
        grade=grade,
        kind=kind,
        moved_schedule=moved_schedule,
        lapsed=lapsed,
        before=before,
        after=after,
        interval=due - when,
        due=due,
    )


def preview_grades(
    review: Callable[[StateT, int, datetime], tuple[StateT, ReviewRecord[StateT]]],
    state: StateT,
    when: datetime,
    calendar: StudyCalendar,
    describe: Callable[[ReviewRecord[StateT], date], Outcome],
) -> dict[int, Outcome]:
    """Every grade's outcome at ``when``: each grade is reviewed for real on the
    unchanged ``state``, and ``describe`` turns its record (and the study day
    it is due) into the scheduler's own account of it."""
    outcomes = {}
    for grade in GRADES:
        _, record = review(state, grade, when)
        outcomes[grade] = describe(record, calendar.day_of(record.due))
    return outcomes
