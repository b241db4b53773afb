"""A review log generated through the real answer path, on a fixed clock.

The learner's memory follows FSRS-6 with ``FORGETFUL`` parameters (initial
stabilities a tenth of the published ones), so parameters fitted to the log
differ visibly from the defaults.
"""

from __future__ import annotations

import random
from datetime import UTC

from helpers import FixedClock

from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.fsrs import DEFAULT_PARAMETERS, FSRSCard, FSRSScheduler
from quizdl.scheduling.steps import Steps
from quizdl.study.service import StudyService

FORGETFUL = (*(w / 10 for w in DEFAULT_PARAMETERS[:4]), *DEFAULT_PARAMETERS[4:])


def deck_text(count: int, deck_id: str = "big") -> str:
    cards = "".join(
        f"  - {{id: c{i}, type: qa, tags: [t{i % 3}], question: 'Q{i}?', answer: 'a{i}'}}\n"
        for i in range(count)
    )
    return f"id: {deck_id}\ntitle: {deck_id.title()}\ncards:\n{cards}"


def answer_like_a_forgetful_learner(
    service: StudyService, clock: FixedClock, reviews: int, seed: int = 7
) -> int:
    """Study each day's queue as the forgetful learner would, through
    ``service.answer``, until ``reviews`` answers are logged; a day a pass."""
    rng = random.Random(seed)
    calendar = StudyCalendar(clock().tzinfo or UTC)
    truth = FSRSScheduler(calendar, FORGETFUL, learning_steps=Steps(()), relearning_steps=Steps(()))
    memory: dict[int, FSRSCard] = {}
    given = 0
    while given < reviews:
        for entry in service.queue():
            if entry.kind == "learning":
                continue
            now = clock().astimezone(UTC)
            state = memory.get(entry.pk, truth.new_card())
            recalled = rng.random() < truth.recall_on(state, calendar.day_of(now))
            grade = 4 if recalled or state.stability is None else 1
            memory[entry.pk], _ = truth.review(state, grade, now)
            service.answer(entry.pk, grade, 8.0)
            given += 1
            if given >= reviews:
                break
        clock.advance(days=1)
    return given
