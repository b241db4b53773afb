"""The deck list counts from ``card_counts``: the same numbers as joining every card.

``decks list`` and home used to join all cards to their states; they now read
the per-deck counts the triggers keep. The old join (``joined_summaries``
below) is the reference here, over a collection with new, answered, due, learning,
suspended and retired cards, two decks, a daily limit and an interview plan.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from helpers import FixedClock, write_deck
from sqlalchemy import and_, case, func, select

from quizdl.store.models import CardRow, CardStateRow, DeckRow
from quizdl.study import plans
from quizdl.study.factory import open_study
from quizdl.study.learning import learning_by_deck
from quizdl.study.new_cards import introduced_today
from quizdl.study.planned import planned_schedule
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings
from quizdl.study.values import DeckSummary

OTHER_DECK = """\
id: other
title: Another deck
cards:
""" + "".join(
    f"  - id: c{i}\n    type: concept\n    term: Term {i}\n    explanation: Text {i}.\n"
    for i in range(30)
)


def joined_summaries(study: StudyService) -> list[DeckSummary]:
    """The deck list as it was computed before card_counts: every card joined."""
    today = study.context.today()
    settings = study.context.settings
    with study.context.db.read() as session:
        unseen_active = and_(CardStateRow.due.is_(None), CardRow.suspended.is_(False))
        due_active = and_(CardStateRow.due <= today, CardRow.suspended.is_(False))
        counts = session.execute(
            select(
                CardRow.deck_id,
                func.count(),
                func.sum(case((unseen_active, 1), else_=0)),
                func.sum(case((due_active, 1), else_=0)),
            )
            .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
            .where(CardRow.retired.is_(False))
            .group_by(CardRow.deck_id)
        ).all()
        by_deck = {deck: (total, unseen or 0, due or 0) for deck, total, unseen, due in counts}
        introduced = introduced_today(session, today)
        learning = learning_by_deck(session, today, settings.steps)
        decks = session.execute(
            select(DeckRow.id, DeckRow.title, DeckRow.origin).order_by(DeckRow.title)
        ).all()
        order = [deck_id for deck_id, _, _ in decks]
        allowances = plans.new_allowances(
            session, today, order, {d: settings.new_limit(d) for d in order}, introduced
        )
        schedule = planned_schedule(session, today)
        planned_due = {} if schedule is None else schedule.due_by_deck()
    summaries = []
    for deck_id, title, origin in decks:
        total, unseen, due = by_deck.get(deck_id, (0, 0, 0))
        if schedule is not None and schedule.covers(deck_id):
            due = planned_due.get(deck_id, 0)  # the plan's day, not the scheduler's
        summaries.append(
            DeckSummary(
                id=deck_id,
                title=title,
                origin=origin,
                total=total,
                new=min(unseen, allowances[deck_id]),
                due=due + learning.get(deck_id, 0),
                unseen=unseen,
            )
        )
    return summaries


def both(study: StudyService) -> None:
    by_join = joined_summaries(study)
    by_counts = study.statistics.deck_summaries()
    assert by_counts == by_join
    assert by_counts == study.deck_summaries()


def test_counts_match_the_join_through_a_learners_days(
    home: Path, tmp_path: Path, clock: FixedClock
) -> None:
    study = open_study(
        clock=clock, bundled=[], settings=StudySettings(deck_new_cards_per_day={"other": 7})
    )
    try:
        study.import_file(write_deck(tmp_path))
        study.import_file(write_deck(tmp_path, OTHER_DECK, "other.yaml"))
        both(study)
        relu = study.find_card("small/relu").pk
        study.answer(relu, 4, 2.0)
        study.answer(study.find_card("small/dropout").pk, 1, 2.0)  # on today's steps
        for i in range(5):
            study.answer(study.find_card(f"other/c{i}").pk, 5 if i % 2 else 3, 2.0)
        study.set_suspended(study.find_card("other/c10").pk, True)
        study.set_suspended(study.find_card("other/c1").pk, True)
        both(study)
        # A card retired by a re-import leaves every count.
        study.import_file(write_deck(tmp_path, OTHER_DECK.replace("  - id: c29", "  - id: z29")))
        both(study)
        clock.advance(days=1)
        both(study)  # yesterday's answers are due today
        clock.advance(days=6)
        both(study)
        study.set_plan(study.today() + timedelta(days=10), ["other"], 15)
        both(study)  # the plan paces new cards and sets the planned deck's due count
        study.set_plan(study.today() + timedelta(days=20))
        both(study)
        study.clear_plan()
        both(study)
    finally:
        study.db.close()
