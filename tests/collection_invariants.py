"""What must hold in a collection whatever the learner did (importable by tests).

Checked after random walks through the app and after injected faults: the
review log and the card states tell one story, and the per-day counters
agree with the log.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict

from sqlalchemy import select

from quizdl.scheduling.sm2 import SM2State, review
from quizdl.store import tables
from quizdl.store.models import CardRow, CardStateRow, ReviewRow
from quizdl.study.service import StudyService


def check_collection(service: StudyService) -> None:
    with service.db.read() as session:
        states = {row.card_pk: row for row in session.scalars(select(CardStateRow))}
        decks = {pk: deck for pk, deck in session.execute(select(CardRow.pk, CardRow.deck_id))}
        logs = list(session.scalars(select(ReviewRow).order_by(ReviewRow.id)))
        days = session.execute(select(tables.review_days)).all()
    by_card: dict[int, list[ReviewRow]] = defaultdict(list)
    for log in logs:
        assert 0 <= log.quality <= 5, log.quality
        by_card[log.card_pk].append(log)
    for pk, state in states.items():
        history = by_card.get(pk, [])
        if not history:
            assert (state.repetitions, state.due) == (0, None), f"card {pk} moved without a log"
            continue
        for earlier, later in itertools.pairwise(history):
            # Each answer starts from the state the previous one left.
            assert (later.easiness_before, later.repetitions_before, later.due_before) == (
                earlier.easiness_after,
                earlier.repetitions_after,
                earlier.due_after,
            ), f"card {pk}: review {later.id} does not follow review {earlier.id}"
        for log in history:
            before = SM2State(
                log.easiness_before, log.repetitions_before, log.interval_before, log.due_before
            )
            expected = (
                before if log.kind == "redrill" else review(before, log.quality, log.study_day)
            )
            after = (log.easiness_after, log.repetitions_after, log.interval_after, log.due_after)
            assert after == (
                expected.easiness,
                expected.repetitions,
                expected.interval,
                expected.due,
            ), f"card {pk}: review {log.id} is not SM-2 of its before-state"
        last = history[-1]
        assert (state.easiness, state.repetitions, state.interval, state.due) == (
            last.easiness_after,
            last.repetitions_after,
            last.interval_after,
            last.due_after,
        ), f"card {pk}: state differs from its last review"
    counted = Counter((log.study_day, decks[log.card_pk]) for log in logs)
    for day in days:
        assert day.reviews == counted.get((day.study_day, day.deck_id), 0), (
            f"{day.study_day} {day.deck_id}: counter {day.reviews} vs log "
            f"{counted.get((day.study_day, day.deck_id), 0)}"
        )
