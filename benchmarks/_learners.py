"""Simulated learners for the plan benchmark (never used by the app or the tests).

A learner's true memory follows FSRS-6 with their own parameters, drawn
around the published defaults. How they answer follows Anki's simulator
defaults (fsrs-rs-python's ``default_simulator_config``): the first rating of
a new card, the rating on a same-day learning step given the one before, the
hard/good/easy split of a recalled review, and the seconds each answer takes.
A review a day or more after the last one is recalled with the true
retrievability. The scheduler under test sees only the grades and the times.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime

import fsrs_rs_python as fsrs_rs

from quizdl.scheduling.fsrs import DEFAULT_PARAMETERS, retrievability

_CONFIG = fsrs_rs.default_simulator_config()
FIRST_RATING = list(_CONFIG.first_rating_prob)
REVIEW_RATING = list(_CONFIG.review_rating_prob)  # hard, good, easy when recalled
LEARNING_NEXT = [list(row) for row in _CONFIG.learning_step_transitions]
RELEARNING_NEXT = [list(row) for row in _CONFIG.relearning_step_transitions]
# Seconds per answer by state (learning, review, relearning) and rating.
COSTS = [list(row) for row in _CONFIG.state_rating_costs]

# FSRS-6's bounds (py-fsrs' LOWER/UPPER_BOUNDS_PARAMETERS), so a drawn learner
# is one the model allows.
LOWER = (0.001,) * 4 + (1.0, 0.001, 0.001, 0.001, 0.0, 0.0, 0.001, 0.001, 0.001, 0.001)
LOWER += (0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.1)
UPPER = (100.0,) * 4 + (10.0, 4.0, 4.0, 0.75, 4.5, 0.8, 3.5, 5.0, 0.25, 0.9, 4.0, 1.0, 6.0)
UPPER += (2.0, 2.0, 0.8, 0.8)

# Anki's grade names to quizdl's SM-2 grades: again, hard, good, easy.
GRADE_OF_RATING = {1: 1, 2: 3, 3: 4, 4: 5}


def draw_parameters(rng: random.Random, spread: float = 0.2) -> list[float]:
    """Each default parameter times e^N(0, spread), clipped to FSRS-6's bounds."""
    drawn = []
    for value, low, high in zip(DEFAULT_PARAMETERS, LOWER, UPPER, strict=True):
        drawn.append(min(high, max(low, value * math.exp(rng.gauss(0.0, spread)))))
    return drawn


def _choose(rng: random.Random, weights: list[float]) -> int:
    """A rating 1..len(weights) drawn with these weights."""
    return rng.choices(range(1, len(weights) + 1), weights=weights)[0]


@dataclass
class TrueCard:
    stability: float = 0.0
    difficulty: float = 0.0
    last_day: date | None = None
    last_rating: int = 0
    graduated: bool = False  # has had a review a day or more after its first
    relearning: bool = False


@dataclass
class Learner:
    """One simulated learner: true parameters and the state of every card."""

    seed: int
    cards: int
    parameters: list[float] = field(init=False)
    rng: random.Random = field(init=False)
    engine: fsrs_rs.FSRS = field(init=False)
    memory: list[TrueCard] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.parameters = draw_parameters(self.rng)
        self.engine = fsrs_rs.FSRS(self.parameters)
        self.memory = [TrueCard() for _ in range(self.cards)]

    def answer(self, card: int, day: date, when: datetime) -> tuple[int, float]:
        """The learner answers ``card``: (SM-2 grade, seconds spent)."""
        del when  # the day decides; the time only orders answers within it
        true = self.memory[card]
        if true.last_day is None:
            rating, state, elapsed = _choose(self.rng, FIRST_RATING), 0, 0
            memory = None
        else:
            elapsed = (day - true.last_day).days
            memory = fsrs_rs.MemoryState(true.stability, true.difficulty)
            if elapsed >= 1:
                recall = retrievability(self.parameters, true.stability, elapsed)
                rating = 1 + _choose(self.rng, REVIEW_RATING) if self.rng.random() < recall else 1
                state = 1
                true.relearning = rating == 1
                true.graduated = True
            else:
                table = RELEARNING_NEXT if true.relearning else LEARNING_NEXT
                row = table[min(true.last_rating, 3) - 1]
                rating = _choose(self.rng, row)
                state = 2 if true.relearning else 0
        states = self.engine.next_states(memory, 0.9, elapsed)
        chosen = (states.again, states.hard, states.good, states.easy)[rating - 1]
        true.stability = chosen.memory.stability
        true.difficulty = chosen.memory.difficulty
        true.last_day = day
        true.last_rating = rating
        return GRADE_OF_RATING[rating], COSTS[state][rating - 1]

    def recall_on(self, day: date) -> float:
        """Expected fraction of all cards recalled on ``day`` (unseen cards: 0)."""
        total = 0.0
        for true in self.memory:
            if true.last_day is not None:
                elapsed = (day - true.last_day).days
                total += retrievability(self.parameters, true.stability, elapsed)
        return total / len(self.memory)
