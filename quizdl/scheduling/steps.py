"""Learning steps: a card answered badly comes back after minutes, not cards.

Anki's rules, in terms of four answers (again / hard / good / easy) so SM-2's
six grades and FSRS' four ratings share them (see ``answer_of``):

- again: back to the first step;
- hard: the same step again (on the first step, halfway between the first
  two delays, or 1.5 x the only delay);
- good: the next step, or the card leaves the steps after the last one;
- easy: the card leaves the steps at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import IntEnum

# Anki's defaults for new cards (1 and 10 minutes) and for lapses (10 minutes).
DEFAULT_LEARNING_STEPS = (timedelta(minutes=1), timedelta(minutes=10))
DEFAULT_RELEARNING_STEPS = (timedelta(minutes=10),)


class Answer(IntEnum):
    """The four answers the steps distinguish (FSRS' ratings, same numbers)."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


def answer_of(grade: int) -> Answer:
    """SM-2's quality 0..5 as one of four answers: 0-2 again, 3 hard, 4 good, 5 easy."""
    if isinstance(grade, bool) or not isinstance(grade, int) or not 0 <= grade <= 5:
        raise ValueError(f"quality must be an integer from 0 to 5, got {grade!r}")
    if grade < 3:
        return Answer.AGAIN
    return Answer(grade - 1)


@dataclass(frozen=True, slots=True)
class Steps:
    """Step delays in order; empty means no steps (the card is scheduled in days)."""

    delays: tuple[timedelta, ...] = DEFAULT_LEARNING_STEPS

    def __post_init__(self) -> None:
        for delay in self.delays:
            if delay <= timedelta(0):
                raise ValueError(f"a learning step must be longer than zero, got {delay}")

    @classmethod
    def of_minutes(cls, minutes: Sequence[float]) -> Steps:
        """Steps from minutes, as a config file gives them (``[1, 10]``)."""
        return cls(tuple(timedelta(minutes=m) for m in minutes))


@dataclass(frozen=True, slots=True)
class StepResult:
    """Where an answer leaves a card: on ``step`` due after ``delay``, or graduated."""

    step: int | None
    delay: timedelta | None

    @property
    def graduated(self) -> bool:
        return self.step is None


GRADUATED = StepResult(None, None)


def enter(steps: Steps) -> StepResult:
    """A card that starts its steps: the first delay (graduated if there are none)."""
    if not steps.delays:
        return GRADUATED
    return StepResult(0, steps.delays[0])


def next_step(steps: Steps, step: int, answer: Answer) -> StepResult:
    """The result of answering a card that is on ``step`` of ``steps``."""
    delays = steps.delays
    # A card on a step that a shorter configuration no longer has is treated
    # as past its last step (it leaves on good, repeats the last delay otherwise).
    if not delays or (step >= len(delays) and answer >= Answer.GOOD):
        return GRADUATED
    step = min(step, len(delays) - 1)
    if answer == Answer.AGAIN:
        return StepResult(0, delays[0])
    if answer == Answer.HARD:
        if step == 0:
            delay = delays[0] * 1.5 if len(delays) == 1 else (delays[0] + delays[1]) / 2
            return StepResult(0, delay)
        return StepResult(step, delays[step])
    if answer == Answer.GOOD and step + 1 < len(delays):
        return StepResult(step + 1, delays[step + 1])
    return GRADUATED


def steps_of_day(steps: Steps, grades: Iterable[int]) -> StepResult:
    """Where one day's answers to a card, oldest first, leave it on the steps.

    The rule ``SM2Scheduler.review`` applies answer by answer: an answer off
    the steps (the day's first, or one after the card left them) below 4
    starts the steps; an answer on a step moves along them. Replaying the
    day's log this way lets a restarted app know each card's step and due
    time without storing either.
    """
    result = GRADUATED
    for grade in grades:
        answer = answer_of(grade)
        if result.step is None:
            result = enter(steps) if answer < Answer.GOOD else GRADUATED
        else:
            result = next_step(steps, result.step, answer)
    return result
