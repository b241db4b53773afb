"""card_counts (kept by triggers) agrees with the cards whatever writes them.

Statistics read card_counts instead of joining every card to its state, so a
count that drifts would show the learner wrong numbers: these tests compare
it with a full recount after every kind of write, and the statistics with the
same numbers computed card by card.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from pathlib import Path

from helpers import SMALL_DECK, FixedClock, collection_url, migrate_to, write_deck
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from quizdl.store import tables
from quizdl.store.models import CardRow, CardStateRow
from quizdl.store.tables import UNSEEN_DUE
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.stats import rebuild_card_counts

Key = tuple[str, date, bool, bool]


def recount(service: StudyService) -> Counter[Key]:
    """Active cards per (deck, due day, reviewed, suspended), card by card."""
    with service.db.read() as session:
        rows = session.execute(
            select(CardRow.deck_id, CardStateRow.due, CardStateRow.repetitions, CardRow.suspended)
            .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
            .where(CardRow.retired.is_(False))
        ).all()
    return Counter(
        (deck, due or UNSEEN_DUE, repetitions > 0, bool(suspended))
        for deck, due, repetitions, suspended in rows
    )


def stored(service: StudyService) -> Counter[Key]:
    with service.db.read() as session:
        rows = session.execute(
            select(
                tables.card_counts.c.deck_id,
                tables.card_counts.c.due,
                tables.card_counts.c.reviewed,
                tables.card_counts.c.suspended,
                tables.card_counts.c.cards,
            )
        ).all()
    counts: Counter[Key] = Counter()
    for deck, due, reviewed, suspended, cards in rows:
        assert cards >= 0, (deck, due, reviewed, suspended, cards)
        if cards:
            counts[(deck, due, bool(reviewed), bool(suspended))] = cards
    return counts


def assert_counts_match(service: StudyService) -> None:
    assert stored(service) == recount(service)


def assert_stats_match_cards(service: StudyService) -> None:
    """What `quizdl stats` shows, against the same numbers from every card."""
    today = service.today()
    stats = service.stats()
    with service.db.read() as session:
        cards = session.execute(
            select(
                CardRow.deck_id,
                CardRow.retired,
                CardRow.suspended,
                CardStateRow.due,
                CardStateRow.repetitions,
            ).join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
        ).all()
    live = [card for card in cards if not card.retired]
    active = [card for card in live if not card.suspended]
    forecast = Counter(card.due for card in active if card.due and card.due > today)
    for deck in stats.decks:
        mine = [card for card in live if card.deck_id == deck.deck_id]
        on = [card for card in mine if not card.suspended]
        assert deck.total == len(mine)
        assert deck.suspended == len(mine) - len(on)
        assert deck.new == sum(card.due is None for card in on)
        assert deck.learning == sum(card.repetitions == 0 and card.due is not None for card in on)
        assert deck.review == sum(card.repetitions > 0 for card in on)
    assert stats.due_tomorrow == forecast.get(today + timedelta(days=1), 0)
    assert stats.next_due == (min(forecast) if forecast else None)
    assert dict(stats.forecast) == {
        today + timedelta(days=n): forecast.get(today + timedelta(days=n), 0) for n in range(1, 31)
    }
    reviews_due = sum(1 for card in active if card.due is not None and card.due <= today)
    learning = stats.due_today - reviews_due
    assert learning >= 0  # the rest are cards on today's learning steps


def _open(tmp_path: Path, clock: FixedClock) -> StudyService:
    # With QUIZDL_TEST_POSTGRES these run on PostgreSQL's triggers instead.
    return open_study(database_url=collection_url(tmp_path, "counts"), clock=clock, bundled=[])


def test_counts_follow_answers_undo_suspend_and_reimport(tmp_path: Path) -> None:
    clock = FixedClock()
    service = _open(tmp_path, clock)
    deck = write_deck(tmp_path)
    service.import_file(deck)
    assert_counts_match(service)
    pks = [entry.pk for entry in service.queue()]
    outcomes = [service.answer(pk, grade) for pk, grade in zip(pks, (5, 4, 2, 3), strict=False)]
    assert_counts_match(service)
    assert_stats_match_cards(service)
    service.undo(outcomes[-1].review_id)
    assert_counts_match(service)
    service.set_suspended(pks[0], True)
    assert_counts_match(service)
    assert_stats_match_cards(service)
    clock.advance(days=3)
    for entry in service.queue():
        service.answer(entry.pk, 1)
    assert_counts_match(service)
    # Re-import without one card (retired), then with it again (restored).
    write_deck(tmp_path, SMALL_DECK.split("      - id: pool")[0])
    service.import_file(deck)
    assert_counts_match(service)
    write_deck(tmp_path)
    service.import_file(deck)
    assert_counts_match(service)
    service.set_suspended(pks[0], False)
    assert_counts_match(service)
    assert_stats_match_cards(service)
    service.db.close()


def test_counts_follow_sql_typed_by_hand_and_deletes(tmp_path: Path) -> None:
    service = _open(tmp_path, FixedClock())
    service.import_file(write_deck(tmp_path))
    with service.db.session() as session:
        session.execute(text("UPDATE card_states SET due = '2026-12-01', repetitions = 2"))
        session.execute(text("UPDATE cards SET retired = TRUE WHERE card_id = 'relu'"))
    assert_counts_match(service)
    with service.db.session() as session:
        session.execute(text("DELETE FROM card_states WHERE card_pk = (SELECT min(pk) FROM cards)"))
        session.execute(text("DELETE FROM cards WHERE card_id = 'dropout'"))
    assert_counts_match(service)
    assert_stats_match_cards(service)
    service.db.close()


def test_rebuild_and_migration_fill_agree_with_the_triggers(tmp_path: Path) -> None:
    clock = FixedClock()
    service = _open(tmp_path, clock)
    service.import_file(write_deck(tmp_path))
    for grade, entry in zip((5, 1, 4), service.queue(), strict=False):
        service.answer(entry.pk, grade)
    service.set_suspended(service.queue()[0].pk, True)
    expected = recount(service)
    with service.db.session() as session:
        rebuild_card_counts(session)
    assert stored(service) == expected
    # Down to 0004 and up again: the migration fills the table from the cards.
    migrate_to(service.db, "0004", downgrade=True)
    migrate_to(service.db, "head")
    assert stored(service) == expected
    clock.advance(days=1)
    service.answer(service.queue()[0].pk, 4)  # and the triggers are back
    assert_counts_match(service)
    service.db.close()


_ACTIONS = st.lists(
    st.tuples(
        st.sampled_from(["answer", "undo", "suspend", "unsuspend", "next-day"]),
        st.integers(0, 5),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=25,
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(actions=_ACTIONS)
def test_counts_hold_through_any_sequence_of_study_actions(
    tmp_path_factory: object, actions: list[tuple[str, int, int]]
) -> None:
    directory: Path = tmp_path_factory.mktemp("walk")  # type: ignore[attr-defined]
    clock = FixedClock()
    service = _open(directory, clock)
    service.import_file(write_deck(directory))
    with service.db.read() as session:
        pks = list(session.scalars(select(CardRow.pk).order_by(CardRow.pk)))
    answered: list[int] = []
    for action, grade, which in actions:
        pk = pks[which % len(pks)]
        if action == "answer":
            queue = service.queue()
            if queue:
                answered.append(service.answer(queue[which % len(queue)].pk, grade).review_id)
        elif action == "undo" and answered:
            service.undo(answered.pop())
        elif action in ("suspend", "unsuspend"):
            service.set_suspended(pk, action == "suspend")
        elif action == "next-day":
            clock.advance(days=1 + grade)
            answered.clear()  # undo is for today's last answer
    assert_counts_match(service)
    assert_stats_match_cards(service)
    service.db.close()
