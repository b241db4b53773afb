from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import SMALL_DECK, FixedClock, write_deck
from sqlalchemy import select

from quizdl.store.models import CardRow, CardStateRow, ReviewRow
from quizdl.study.errors import ImportRefused, NothingToUndo, UnknownDeck
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.session import ReviewSession
from quizdl.study.settings import StudySettings


def ids(service: StudyService, deck_id: str | None = None) -> list[str]:
    return [service.card(entry.pk).card_id for entry in service.queue(deck_id)]


def test_new_cards_come_in_deck_order(service: StudyService) -> None:
    assert ids(service) == ["relu", "dropout", "softmax-output", "pool"]
    assert {entry.kind for entry in service.queue()} == {"new"}


def test_answer_is_committed_with_log_and_state(service: StudyService) -> None:
    pk = service.queue()[0].pk
    outcome = service.answer(pk, 5, 3.5)
    assert outcome.after.interval == 1 and outcome.after.due == date(2026, 11, 28)
    with service.db.read() as session:
        log = session.scalars(select(ReviewRow)).one()
        state = session.get(CardStateRow, pk)
    assert (log.quality, log.kind, log.answer_seconds) == (5, "scheduled", 3.5)
    assert log.due_before is None and log.due_after == date(2026, 11, 28)
    assert state is not None and state.due == date(2026, 11, 28) and state.repetitions == 1


def test_due_cards_come_first_most_overdue_first(service: StudyService, clock: FixedClock) -> None:
    first, second, *_ = service.queue()
    service.answer(first.pk, 5)  # due in 1 day
    clock.advance(days=1)
    service.answer(second.pk, 5)  # due in 1 day from the day after
    clock.advance(days=3)
    queue = service.queue()
    assert [e.pk for e in queue[:2]] == [first.pk, second.pk]
    assert [e.kind for e in queue[:2]] == ["review", "review"]


def test_daily_new_card_limit_counts_cards_already_introduced(
    home: Path, clock: FixedClock, small_deck: Path
) -> None:
    service = open_study(clock=clock, bundled=[], settings=StudySettings(new_cards_per_day=2))
    service.import_file(small_deck)
    queue = service.queue()
    assert len(queue) == 2
    service.answer(queue[0].pk, 5)
    assert [e.kind for e in service.queue()] == ["new"]
    clock.advance(days=1)
    assert [e.kind for e in service.queue()] == ["review", "new", "new"]


def test_per_deck_limit_and_review_cap(home: Path, clock: FixedClock, small_deck: Path) -> None:
    settings = StudySettings(deck_new_cards_per_day={"small": 1}, max_reviews_per_day=0)
    service = open_study(clock=clock, bundled=[], settings=settings)
    service.import_file(small_deck)
    (only,) = service.queue()
    service.answer(only.pk, 5)
    clock.advance(days=1)
    assert [e.kind for e in service.queue()] == ["new"]  # the due review is capped


def test_day_starts_at_four_in_the_morning(service: StudyService, clock: FixedClock) -> None:
    clock.now = clock.now.replace(hour=23)
    pk = service.queue()[0].pk
    service.answer(pk, 5)
    clock.advance(hours=4)  # 03:00 the next calendar day: still the same study day
    assert service.today() == date(2026, 11, 27)
    assert pk not in [e.pk for e in service.queue() if e.kind == "review"]
    clock.advance(hours=2)  # 05:00: a new study day, the card is due
    assert [e.pk for e in service.queue() if e.kind == "review"] == [pk]


def test_failed_card_is_redrilled_without_moving_its_schedule(service: StudyService) -> None:
    session = ReviewSession(service)
    first = session.current()
    assert first is not None
    first_outcome = session.answer(2)
    assert first_outcome.after.interval == 1 and not first_outcome.redrill
    seen = []
    while not session.finished:
        card = session.current()
        assert card is not None
        seen.append(card.card_id)
        outcome = session.answer(5)
        if card.pk == first.pk:
            assert outcome.redrill
            assert outcome.after == first_outcome.after  # rule 7: state unchanged
    assert seen.count(first.card_id) == 1
    # Three cards were left: fewer than REDRILL_GAP + 1, so it comes back last.
    assert len(seen) == 4 and seen[-1] == first.card_id
    with service.db.read() as db:
        kinds = db.scalars(
            select(ReviewRow.kind).where(ReviewRow.card_pk == first.pk).order_by(ReviewRow.id)
        ).all()
    assert kinds == ["scheduled", "redrill"]


def test_learning_cards_survive_a_restart_the_same_day(
    service: StudyService, clock: FixedClock
) -> None:
    pk = service.queue()[0].pk
    service.answer(pk, 3)
    fresh = ReviewSession(service)
    assert (pk, "learning", clock.now + timedelta(minutes=1)) in [
        (e.pk, e.kind, e.due) for e in service.queue()
    ]
    assert fresh.counts().learning == 1
    clock.advance(hours=1 / 60)
    service.answer(pk, 4)  # good on the 1-minute step: on to the 10-minute step
    assert service.learning_due(pk) == clock.now + timedelta(minutes=10)
    clock.advance(hours=10 / 60)
    service.answer(pk, 4)  # good on the last step: done for today
    assert pk not in [e.pk for e in service.queue()]
    assert service.learning_due(pk) is None


def test_undo_restores_state_and_log_exactly(service: StudyService) -> None:
    session = ReviewSession(service)
    card = session.current()
    assert card is not None
    before_queue = service.queue()
    session.answer(1)
    assert session.current() is not None and session.current().pk != card.pk  # type: ignore[union-attr]
    restored = session.undo()
    assert restored.pk == card.pk and restored.state == card.state
    assert service.queue() == before_queue
    with service.db.read() as db:
        assert db.scalars(select(ReviewRow)).all() == []
    with pytest.raises(NothingToUndo):
        session.undo()


def test_only_the_newest_answer_can_be_undone(service: StudyService) -> None:
    a, b, *_ = service.queue()
    first = service.answer(a.pk, 5)
    service.answer(b.pk, 5)
    with pytest.raises(NothingToUndo, match="most recent"):
        service.undo(first.review_id)


def test_lapses_count_forgotten_learned_cards(service: StudyService, clock: FixedClock) -> None:
    pk = service.queue()[0].pk
    service.answer(pk, 5)
    clock.advance(days=1)
    service.answer(pk, 1)
    assert service.card_detail(pk).lapses == 1


def test_suspend_removes_from_queue(service: StudyService) -> None:
    session = ReviewSession(service)
    card = session.current()
    assert card is not None
    session.suspend_current()
    assert card.pk not in [e.pk for e in service.queue()]
    assert service.browse(status="suspended")[0].pk == card.pk
    service.set_suspended(card.pk, False)
    assert card.pk in [e.pk for e in service.queue()]


def test_reimport_updates_text_keeps_history_and_retires(
    service: StudyService, tmp_path: Path, clock: FixedClock
) -> None:
    relu = service.find_card("relu")
    service.answer(relu.pk, 5)
    edited = SMALL_DECK.replace("max(0, x)\n", "max(0, x), the rectifier\n").replace(
        '  - id: pool\n    type: cloze\n    text: "keras.layers.MaxPooling2D({{2,2}})"\n',
        "  - id: tanh\n    type: concept\n    term: tanh\n    explanation: zero-centred\n",
    )
    plan = service.import_file(write_deck(tmp_path, edited, "edited.yaml"))
    assert (plan.new, plan.updated, plan.retired) == (["tanh"], ["relu"], ["pool"])
    again = service.find_card("relu")
    assert again.pk == relu.pk and again.state.repetitions == 1
    assert "rectifier" in again.card.explanation  # type: ignore[union-attr]
    assert len(service.card_detail(relu.pk).history) == 1
    assert "pool" not in ids(service)
    assert [r.card_id for r in service.browse(status="retired")] == ["pool"]
    with service.db.read() as db:
        assert db.scalar(select(CardRow.retired).where(CardRow.card_id == "pool")) is True
    # The retired card returns with its row (and history) when it comes back.
    plan = service.import_file(write_deck(tmp_path, SMALL_DECK, "back.yaml"))
    assert plan.restored == ["pool"] and plan.retired == ["tanh"]


def test_unchanged_reimport_changes_nothing(service: StudyService, small_deck: Path) -> None:
    plan = service.import_file(small_deck)
    assert plan.changes == 0 and len(plan.unchanged) == 4


def test_deck_summaries_and_unknown_deck(service: StudyService) -> None:
    (summary,) = service.deck_summaries()
    assert (summary.id, summary.total, summary.new, summary.due) == ("small", 4, 4, 0)
    with pytest.raises(UnknownDeck):
        service.queue("nope")


def test_imported_deck_may_not_take_a_bundled_id(
    home: Path, clock: FixedClock, tmp_path: Path
) -> None:
    bundled = (
        write_deck(tmp_path / "bundled", name="small.yaml")
        if (tmp_path / "bundled").mkdir() is None
        else None
    )
    assert bundled is not None
    service = open_study(clock=clock, bundled=[bundled])
    with pytest.raises(ImportRefused, match="bundled"):
        service.import_file(write_deck(tmp_path, name="mine.yaml"))


def test_bundled_sync_is_skipped_when_unchanged(
    home: Path, clock: FixedClock, small_deck: Path
) -> None:
    first = open_study(clock=clock, bundled=[small_deck])
    assert first.sync_bundled([small_deck]) == []
    small_deck.write_text(SMALL_DECK.replace("Small deck", "Renamed"), encoding="utf-8")
    assert first.sync_bundled([small_deck]) == ["small"]


def test_stats_streak_retention_and_forecast(service: StudyService, clock: FixedClock) -> None:
    for day in range(3):
        entry = service.queue()[0]
        service.answer(entry.pk, 5 if day else 2, 10)
        clock.advance(days=1)
    stats = service.stats()
    assert stats.streak == 3  # yesterday, the day before, and the one before: still alive today
    assert stats.reviews_today == 0
    assert stats.retention == pytest.approx(2 / 3)
    # One card answered on three days: 1 day, then 1 (relearned), then 6 days.
    assert [(day, n) for day, n in stats.forecast if n] == [(date(2026, 12, 5), 1)]
    assert stats.reviews_per_day[-1] == (stats.today, 0)
    clock.advance(days=1)
    assert service.stats().streak == 0


def test_daily_totals_follow_answers_and_undo(service: StudyService, clock: FixedClock) -> None:
    from quizdl.store import tables
    from quizdl.study import daily

    def totals() -> list[tuple[object, ...]]:
        with service.db.read() as db:
            return [
                (r.study_day, r.deck_id, r.reviews, r.scheduled, r.passed, r.seconds)
                for r in db.execute(
                    select(tables.review_days).order_by(tables.review_days.c.study_day)
                )
                if r.reviews
            ]

    session = ReviewSession(service)
    session.answer(2, 4.0)
    session.answer(5, 2.0)
    clock.advance(days=1)
    last = service.answer(service.queue()[0].pk, 4, 1.0)
    service.answer(last.card_pk, 5, 1.0)  # a same-day repeat
    recorded = totals()
    with service.db.session() as db:
        daily.rebuild(db)
    assert totals() == recorded
    assert recorded[0][2:] == (2, 2, 1, 6.0)
    assert recorded[1][2:] == (2, 1, 1, 2.0)
    with service.db.read() as db:
        newest = db.scalar(select(ReviewRow.id).order_by(ReviewRow.id.desc()).limit(1))
    assert newest is not None
    service.undo(newest)
    assert totals()[1][2:] == (1, 1, 1, 1.0)


def test_session_settles_a_card_graded_elsewhere(service: StudyService) -> None:
    session = ReviewSession(service)
    card = session.current()
    assert card is not None
    assert session.settle_current() is None  # nothing happened yet
    outcome = service.answer(card.pk, 2)  # e.g. a challenge check, outside the session
    settled = session.settle_current()
    assert settled is not None and settled.review_id == outcome.review_id
    assert session.current() is not None and session.current().pk != card.pk  # type: ignore[union-attr]
    assert session.counts().learning == 1  # graded below 4: it comes back
    session.undo()
    assert session.current() is not None and session.current().pk == card.pk  # type: ignore[union-attr]
    assert service.last_answer_today(card.pk) is None


def _eight_card_study(clock: FixedClock, tmp_path: Path, steps: tuple[float, ...]) -> StudyService:
    cards = "".join(
        f"  - {{id: q{i}, type: qa, question: 'Question {i}?', answer: 'a{i}'}}\n" for i in range(8)
    )
    deck = write_deck(tmp_path, text=f"id: eight\ntitle: Eight\ncards:\n{cards}", name="e.yaml")
    study = open_study(clock=clock, bundled=[], settings=StudySettings(learning_steps=steps))
    study.import_file(deck)
    return study


def test_a_failed_card_returns_when_its_step_is_due_not_cards_later(
    home: Path, clock: FixedClock, tmp_path: Path
) -> None:
    study = _eight_card_study(clock, tmp_path, (1, 10))
    try:
        session = ReviewSession(study)
        order = []

        def answer(grade: int, minutes: float) -> None:
            card = session.current()
            assert card is not None
            order.append(card.card_id)
            session.answer(grade)
            clock.advance(hours=minutes / 60)

        answer(1, 0.25)  # q0 fails: back in 1 minute
        assert session.comes_back_in() == timedelta(minutes=1)
        answer(5, 0.25)  # q1 at 0:15
        answer(5, 0.25)  # q2 at 0:30
        answer(5, 0.25)  # q3 at 0:45
        # 1:00 — q0's step is due: it comes before the cards still waiting.
        assert session.current_entry is not None and session.current_entry.kind == "learning"
        assert session.shown_early() is None
        answer(4, 1)  # q0 good on the 1-minute step: 10 minutes more
        assert session.comes_back_in() == timedelta(minutes=10)
        answer(5, 1)  # q4
        answer(5, 1)  # q5
        answer(5, 1)  # q6
        answer(5, 1)  # q7 at 5:00; q0 is due at 11:00
        assert order == ["q0", "q1", "q2", "q3", "q0", "q4", "q5", "q6", "q7"]
        # Nothing else is left: q0 is shown early, 5 minutes before its step.
        assert not session.finished
        entry = session.current_entry
        assert (
            entry is not None
            and entry.kind == "learning"
            and entry.pk == study.card_pks(["q0"])["q0"]
        )
        assert session.shown_early() == timedelta(minutes=5)
        answer(4, 0)
        assert session.finished and session.comes_back_in() is None
        with study.db.read() as db:
            kinds = db.scalars(
                select(ReviewRow.kind).where(ReviewRow.card_pk == entry.pk).order_by(ReviewRow.id)
            ).all()
        # SM-2 rule 7: only the first answer of the day moved the schedule.
        assert kinds == ["scheduled", "redrill", "redrill"]
        state = study.card(entry.pk).state
        assert (state.interval, state.repetitions, state.due) == (1, 0, date(2026, 11, 28))
    finally:
        study.db.close()


def test_learning_steps_come_from_the_settings_and_undo_puts_the_card_back(
    home: Path, clock: FixedClock, tmp_path: Path
) -> None:
    study = _eight_card_study(clock, tmp_path, (3,))
    try:
        session = ReviewSession(study)
        first = session.current()
        assert first is not None
        session.answer(2)
        assert study.learning_due(first.pk) == clock.now + timedelta(minutes=3)
        assert session.counts().learning == 1 and session.comes_back_in() == timedelta(minutes=3)
        assert session.undo().pk == first.pk
        assert session.counts().learning == 0 and study.learning_due(first.pk) is None
        session.answer(5)
        assert session.counts().learning == 0
    finally:
        study.db.close()


def test_grade_preview_says_what_each_grade_does(service: StudyService, clock: FixedClock) -> None:
    from quizdl.study.values import GradeOption

    pk = service.queue()[0].pk
    new = service.grade_preview(pk)
    # A new card: below 4 it goes on the 1-minute step, 4 and 5 give a day;
    # each grade moves the easiness as SM-2 says.
    assert [(o.wait, o.days) for o in new.values()] == [
        (timedelta(minutes=1), 1),
        (timedelta(minutes=1), 1),
        (timedelta(minutes=1), 1),
        (timedelta(minutes=1), 1),
        (None, 1),
        (None, 1),
    ]
    assert [o.easiness_after for o in new.values()] == [1.7, 1.96, 2.18, 2.36, 2.5, 2.6]
    assert {o.easiness_before for o in new.values()} == {2.5}
    service.answer(pk, 2)
    clock.advance(hours=1 / 60)
    learning = service.grade_preview(pk)
    # On its step the easiness stands (rule 7) and the grades move it along the steps.
    assert learning[4] == GradeOption(4, timedelta(minutes=10), 1, 2.18, 2.18)
    assert learning[3].wait == timedelta(minutes=5.5) and learning[5].wait is None
    assert learning[0].wait == timedelta(minutes=1)
    other = service.queue()[0].pk
    service.answer(other, 5)
    clock.advance(days=1)
    review = service.grade_preview(other)
    assert (review[4].wait, review[4].days) == (None, 6)
    assert (review[1].wait, review[1].days) == (timedelta(minutes=1), 1)
    assert (review[1].easiness_before, review[1].easiness_after) == (2.6, 2.06)


def _lapse_twice(study: StudyService, clock: FixedClock, pk: int) -> list[bool]:
    """Answer the card so that it lapses on two days; the leech flag of each lapse."""
    marks = []
    for _ in range(2):
        study.answer(pk, 5)
        clock.advance(days=1)
        marks.append(study.answer(pk, 1).leech)
        clock.advance(days=1)
    return marks


@pytest.mark.parametrize("action", ["suspend", "flag"])
def test_a_card_that_lapses_threshold_times_becomes_a_leech(
    home: Path, clock: FixedClock, small_deck: Path, action: str
) -> None:
    from quizdl.scheduling.leech import LeechAction

    settings = StudySettings(leech_threshold=2, leech_action=LeechAction(action))
    study = open_study(clock=clock, bundled=[], settings=settings)
    try:
        study.import_file(small_deck)
        pk = study.find_card("relu").pk
        assert _lapse_twice(study, clock, pk) == [False, True]
        clock.advance(days=-1)  # back on the day of the second lapse
        assert study.leech_count() == 1
        (row,) = study.browse(tag="leech")
        assert row.card_id == "relu" and "leech" in row.tags
        assert [r.card_id for r in study.browse("relu", tag="leech")] == ["relu"]
        studied_today = [e.pk for e in study.queue()]
        if action == "suspend":
            assert row.status == "suspended" and pk not in studied_today
            assert study.learning_due(pk) is None
        else:
            assert row.status != "suspended" and pk in studied_today
        # Undo takes the leech back with the lapse.
        newest = study.newest_review_id()
        study.undo(newest)
        assert study.leech_count() == 0 and study.browse(tag="leech") == []
        assert pk in [e.pk for e in study.queue()]
    finally:
        study.db.close()


def test_learning_steps_and_leech_settings_are_read_and_checked(tmp_path: Path) -> None:
    from quizdl.scheduling.leech import LeechAction
    from quizdl.study.errors import StudyError
    from quizdl.study.settings import load_settings

    config = tmp_path / "config.toml"
    config.write_text('learning_steps = [2, 15.5]\nleech_threshold = 5\nleech_action = "flag"\n')
    settings = load_settings(config)
    assert settings.steps.delays == (timedelta(minutes=2), timedelta(minutes=15.5))
    assert (settings.leech_threshold, settings.leech_action) == (5, LeechAction.FLAG)
    assert load_settings(tmp_path / "absent.toml").learning_steps == (1.0, 10.0)
    for bad, message in [
        ("learning_steps = [0]", "learning_steps: expected a list of minutes"),
        ('learning_steps = "1m"', "learning_steps: expected a list of minutes"),
        ("leech_threshold = 0", "leech_threshold: expected a whole number ≥ 1"),
        ('leech_action = "delete"', "leech_action: expected one of suspend, flag"),
        # "No limit" as a row of nines overflowed SQLite's integers in the queue.
        (
            "max_reviews_per_day = 99999999999999999999",
            "max_reviews_per_day: expected a whole number from 0 to 1,000,000",
        ),
        (
            "[decks.big]\nnew_cards_per_day = 1000001",
            "new_cards_per_day: expected a whole number from 0 to 1,000,000",
        ),
    ]:
        config.write_text(bad + "\n")
        with pytest.raises(StudyError, match=message):
            load_settings(config)


def test_the_last_card_failed_comes_straight_back_early(service: StudyService) -> None:
    session = ReviewSession(service)
    for _ in range(3):
        session.answer(5)
    last = session.current()
    assert last is not None
    session.answer(1)
    # Nothing else is left: the same card again, said to be early rather than
    # "last card again in 1 min" about the card on screen.
    again = session.current()
    assert again is not None and again.pk == last.pk
    assert session.shown_early() == timedelta(minutes=1)
    assert session.comes_back_in() is None
