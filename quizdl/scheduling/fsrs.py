"""FSRS-6 behind the ``Scheduler`` protocol, through the fsrs-rs-python bindings.

Why fsrs-rs-python rather than py-fsrs (``fsrs``): it is the engine Anki
itself uses, it fits parameters to a review log without PyTorch (py-fsrs'
optimizer needs torch and pandas), and it counts elapsed time in whole days
that we compute, so a day that daylight saving shortens to 23 hours is still a
day (py-fsrs counts 24-hour blocks of UTC). The memory model — stability,
difficulty, the forgetting curve — is the library's; this module adds the
learning steps, the state kept per card, and the log record.

FSRS state is never stored as the source of truth: ``replay`` rebuilds it from
a card's review log, so switching scheduler keeps every card's history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

import fsrs_rs_python as fsrs_rs

from quizdl.scheduling.days import StudyCalendar, require_utc
from quizdl.scheduling.protocol import (
    Outcome,
    ReviewKind,
    ReviewRecord,
    preview_grades,
    record_review,
)
from quizdl.scheduling.steps import (
    DEFAULT_RELEARNING_STEPS,
    GRADUATED,
    Answer,
    StepResult,
    Steps,
    answer_of,
    enter,
    next_step,
)

DEFAULT_PARAMETERS: tuple[float, ...] = tuple(fsrs_rs.DEFAULT_PARAMETERS)
DEFAULT_DESIRED_RETENTION = 0.9
MAXIMUM_INTERVAL_DAYS = 36500


class Phase(StrEnum):
    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


@dataclass(frozen=True, slots=True)
class FSRSCard:
    phase: Phase = Phase.NEW
    stability: float | None = None  # days until recall falls to 90 %
    difficulty: float | None = None  # 1..10
    step: int | None = None
    due: datetime | None = None  # aware UTC
    last_review: datetime | None = None
    lapses: int = 0


def forgetting_curve(parameters: Sequence[float]) -> Callable[[float, float], float]:
    """FSRS-6's forgetting curve under ``parameters``: (stability, elapsed days) to the
    probability of recall. Its constants are worked out once, for callers that ask
    for tens of thousands of cards (a plan's queue).

    R(t) = (1 + f * t / S) ** -w20, where f is chosen so that R(S) = 0.9.
    """
    decay = parameters[20]
    factor = 0.9 ** (-1 / decay) - 1

    def recall(stability: float, elapsed_days: float) -> float:
        return float((1 + factor * max(0.0, elapsed_days) / stability) ** -decay)

    return recall


def retrievability(parameters: Sequence[float], stability: float, elapsed_days: float) -> float:
    """The probability of recall ``elapsed_days`` after a review (``forgetting_curve``)."""
    return forgetting_curve(parameters)(stability, elapsed_days)


@dataclass(frozen=True, slots=True)
class FSRSScheduler:
    calendar: StudyCalendar = field(default_factory=StudyCalendar)
    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    desired_retention: float = DEFAULT_DESIRED_RETENTION
    learning_steps: Steps = field(default_factory=Steps)
    relearning_steps: Steps = field(default_factory=lambda: Steps(DEFAULT_RELEARNING_STEPS))
    maximum_interval: int = MAXIMUM_INTERVAL_DAYS
    _engine: fsrs_rs.FSRS = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not 0 < self.desired_retention < 1:
            raise ValueError(
                f"desired retention must be between 0 and 1, got {self.desired_retention}"
            )
        if len(self.parameters) != len(DEFAULT_PARAMETERS):
            raise ValueError(
                f"FSRS-6 takes {len(DEFAULT_PARAMETERS)} parameters, got {len(self.parameters)}"
            )
        object.__setattr__(self, "_engine", fsrs_rs.FSRS(list(self.parameters)))

    @property
    def name(self) -> str:
        return "fsrs"

    def new_card(self) -> FSRSCard:
        return FSRSCard()

    def interval_days(self, stability: float) -> int:
        """Whole days until recall is predicted to fall to the desired retention."""
        interval = self._engine.next_interval(stability, self.desired_retention, 3)
        return max(1, min(self.maximum_interval, round(interval)))

    def recall_on(self, state: FSRSCard, day: date) -> float:
        """Predicted probability of recalling the card on a study day (0 if never seen)."""
        if state.stability is None or state.last_review is None:
            return 0.0
        elapsed = (day - self.calendar.day_of(state.last_review)).days
        return retrievability(self.parameters, state.stability, elapsed)

    def review(
        self, state: FSRSCard, grade: int, when: datetime
    ) -> tuple[FSRSCard, ReviewRecord[FSRSCard]]:
        require_utc(when)
        answer = answer_of(grade)
        today = self.calendar.day_of(when)
        elapsed = (
            0
            if state.last_review is None
            else (today - self.calendar.day_of(state.last_review)).days
        )
        if elapsed < 0:
            raise ValueError(f"review at {when.isoformat()} is before the card's last review")
        memory = None
        if state.stability is not None and state.difficulty is not None:
            memory = fsrs_rs.MemoryState(state.stability, state.difficulty)
        chosen = _pick(self._engine.next_states(memory, self.desired_retention, elapsed), answer)
        stability, difficulty = chosen.memory.stability, chosen.memory.difficulty

        lapsed = state.phase == Phase.REVIEW and answer == Answer.AGAIN
        steps: StepResult
        if state.phase in (Phase.NEW, Phase.LEARNING):
            steps = next_step(self.learning_steps, state.step or 0, answer)
            phase = Phase.LEARNING
        elif state.phase == Phase.RELEARNING:
            steps = next_step(self.relearning_steps, state.step or 0, answer)
            phase = Phase.RELEARNING
        elif lapsed:
            steps, phase = enter(self.relearning_steps), Phase.RELEARNING
        else:
            steps, phase = GRADUATED, Phase.REVIEW
        if steps.delay is None:
            phase = Phase.REVIEW
            due = self.calendar.start_of(today + timedelta(days=self.interval_days(stability)))
        else:
            due = when + steps.delay

        after = FSRSCard(
            phase=phase,
            stability=stability,
            difficulty=difficulty,
            step=steps.step,
            due=due,
            last_review=when,
            lapses=state.lapses + lapsed,
        )
        if state.phase == Phase.NEW:
            kind = ReviewKind.NEW
        elif state.phase == Phase.REVIEW:
            kind = ReviewKind.REVIEW
        else:
            kind = ReviewKind.STEP
        record = record_review(
            self.name,
            state,
            after,
            grade=grade,
            when=when,
            day=today,
            kind=kind,
            moved_schedule=True,
            lapsed=lapsed,
        )
        return after, record

    def preview(self, state: FSRSCard, when: datetime) -> dict[int, Outcome]:
        def describe(record: ReviewRecord[FSRSCard], due_day: date) -> Outcome:
            after = record.after
            assert after.stability is not None
            on_step = after.step is not None
            return Outcome(
                grade=record.grade,
                interval=record.interval,
                due=record.due,
                due_day=due_day,
                review_day=None if on_step else due_day,
                stability_after=after.stability,
                # Minutes-long steps have no day-scale prediction to show.
                recall_at_due=None if on_step else self.recall_on(after, due_day),
            )

        return preview_grades(self.review, state, when, self.calendar, describe)

    def replay(self, log: Iterable[tuple[datetime, int]]) -> FSRSCard:
        """A card's FSRS state rebuilt from its answers (time, grade), oldest first."""
        state = self.new_card()
        for when, grade in log:
            state, _ = self.review(state, grade, when)
        return state


def _pick(states: fsrs_rs.NextStates, answer: Answer) -> fsrs_rs.ItemState:
    if answer == Answer.AGAIN:
        return states.again
    if answer == Answer.HARD:
        return states.hard
    if answer == Answer.GOOD:
        return states.good
    return states.easy
