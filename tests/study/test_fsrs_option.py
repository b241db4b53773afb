"""FSRS as an option: the same log, FSRS-6's days, and plain SM-2 back on switching.

Real SQLite files, a fixed clock (UTC), the scheduler chosen as config.toml
would choose it.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from helpers import FixedClock, write_deck
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.fsrs import FSRSScheduler
from quizdl.scheduling.steps import Steps
from quizdl.store.models import CardRow, CardStateRow, ReviewRow
from quizdl.study.errors import StudyError
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings, load_settings

SM2 = StudySettings()
FSRS = StudySettings(scheduler="fsrs")
# Each day's grades per card; a grade below 4 is followed by a same-day
# repeat graded 4 (a learning step), as a learner in a session would.
DAYS = [
    {"relu": 4, "dropout": 3, "pool": 5},
    {"relu": 5, "dropout": 2, "pool": 4},
    {"relu": 2, "dropout": 4, "pool": 5},
    {"relu": 4, "dropout": 5, "pool": 1},
    {"relu": 5, "dropout": 4, "pool": 4},
]
NO_STEPS = Steps(())

State = tuple[float, int, int, date | None, int]


def _open(url: str, clock: FixedClock, settings: StudySettings) -> StudyService:
    return open_study(database_url=url, clock=clock, bundled=[], settings=settings)


def study_day(study: StudyService, grades: dict[str, int], clock: FixedClock) -> None:
    for card_id, grade in grades.items():
        pk = study.find_card(f"small/{card_id}").pk
        study.answer(pk, grade, 3.0)
        if grade < 4:
            clock.advance(hours=0.25)
            study.answer(pk, 4, 2.0)
    clock.advance(days=1)


def states(study: StudyService) -> dict[str, State]:
    with study.db.read() as session:
        rows = session.execute(
            select(
                CardRow.card_id,
                CardStateRow.easiness,
                CardStateRow.repetitions,
                CardStateRow.interval,
                CardStateRow.due,
                CardStateRow.lapses,
            ).join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
        )
        return {card_id: tuple(rest) for card_id, *rest in rows}  # type: ignore[misc]


def sm2_log(study: StudyService) -> list[tuple[object, ...]]:
    """The log as SM-2 sees it: every answer with its SM-2 state before and after."""
    with study.db.read() as session:
        rows = session.execute(
            select(
                ReviewRow.reviewed_at,
                ReviewRow.quality,
                ReviewRow.kind,
                ReviewRow.easiness_before,
                ReviewRow.repetitions_before,
                ReviewRow.interval_before,
                ReviewRow.easiness_after,
                ReviewRow.repetitions_after,
                ReviewRow.interval_after,
            ).order_by(ReviewRow.id)
        )
        return [tuple(row) for row in rows]


def fsrs_days(study: StudyService) -> dict[str, date]:
    """Each answered card's FSRS-6 day, replayed here from the log directly."""
    scheduler = FSRSScheduler(
        calendar=StudyCalendar(zone=UTC), learning_steps=NO_STEPS, relearning_steps=NO_STEPS
    )
    logs: dict[str, list[tuple[datetime, int]]] = {}
    with study.db.read() as session:
        rows = session.execute(
            select(CardRow.card_id, ReviewRow.reviewed_at, ReviewRow.quality)
            .join(CardRow, CardRow.pk == ReviewRow.card_pk)
            .order_by(ReviewRow.id)
        )
        for card_id, at, grade in rows:
            logs.setdefault(card_id, []).append((at.replace(tzinfo=UTC), grade))
    days = {}
    for card_id, log in logs.items():
        due = scheduler.replay(log).due
        assert due is not None
        days[card_id] = scheduler.calendar.day_of(due)
    return days


@pytest.fixture
def collection(home: Path, tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'main.sqlite3'}"
    setup = _open(url, FixedClock(), SM2)
    setup.import_file(write_deck(tmp_path))
    setup.db.close()
    return url


@pytest.fixture
def fsrs_study(collection: str, clock: FixedClock) -> Iterator[StudyService]:
    study = _open(collection, clock, FSRS)
    yield study
    study.db.close()


def test_switching_sm2_fsrs_sm2_keeps_history_and_gives_plain_sm2_again(
    collection: str, tmp_path: Path
) -> None:
    # A twin learner gives the same answers at the same times under SM-2 only.
    twin_url = f"sqlite:///{tmp_path / 'twin.sqlite3'}"
    twin_clock = FixedClock()
    twin = _open(twin_url, twin_clock, SM2)
    twin.import_file(write_deck(tmp_path))
    for grades in DAYS:
        study_day(twin, grades, twin_clock)

    clock = FixedClock()
    study = _open(collection, clock, SM2)
    for grades in DAYS[:2]:
        study_day(study, grades, clock)
    log_before_switch = sm2_log(study)
    study.db.close()

    # Switched to FSRS: nothing is lost, and each answered card's day is FSRS-6's.
    study = _open(collection, clock, FSRS)
    assert sm2_log(study) == log_before_switch
    expected = fsrs_days(study)
    assert {card: states(study)[card][3] for card in expected} == expected
    assert states(study)["softmax-output"][3] is None  # never answered: still new
    for grades in DAYS[2:]:
        study_day(study, grades, clock)
    # FSRS answers are logged like any answer (SM-2's states with them) ...
    assert len(sm2_log(study)) == len(sm2_log(twin))
    assert sm2_log(study) == sm2_log(twin)
    # ... and FSRS set the days the cards come back.
    fsrs_due = {card: states(study)[card][3] for card in expected}
    assert fsrs_due == fsrs_days(study)
    assert fsrs_due != {card: states(twin)[card][3] for card in expected}
    study.db.close()

    # Back to SM-2: every card is exactly where plain SM-2 would have it.
    study = _open(collection, clock, SM2)
    try:
        assert states(study) == states(twin)
        twin_pks = {entry.pk: twin.card(entry.pk).card.id for entry in twin.queue()}
        assert [study.card(e.pk).card.id for e in study.queue()] == list(twin_pks.values())
        clock.advance(days=40)
        twin_clock.advance(days=40)
        assert [study.card(e.pk).card.id for e in study.queue()] == [
            twin.card(e.pk).card.id for e in twin.queue()
        ]
    finally:
        study.db.close()
        twin.db.close()


def test_undo_under_fsrs_restores_the_exact_previous_state(
    fsrs_study: StudyService, clock: FixedClock
) -> None:
    study = fsrs_study
    pk = study.find_card("small/relu").pk
    study.answer(pk, 4, 3.0)
    clock.advance(days=3)

    def snapshot() -> tuple[object, ...]:
        return (states(study), study.grade_preview(pk), study.queue(), study.card_detail(pk))

    before = snapshot()
    lapse = study.answer(pk, 1, 3.0)
    assert states(study)["relu"] != before[0]
    repeat = study.answer(pk, 4, 2.0)  # the same-day repeat moves FSRS' day too
    study.undo(repeat.review_id)
    study.undo(lapse.review_id)
    assert snapshot() == before


def test_grade_buttons_under_fsrs_show_fsrs_days_and_predicted_recall(
    fsrs_study: StudyService, collection: str, clock: FixedClock
) -> None:
    study = fsrs_study
    pk = study.find_card("small/relu").pk
    options = study.grade_preview(pk)
    scheduler = FSRSScheduler(
        calendar=StudyCalendar(zone=UTC), learning_steps=NO_STEPS, relearning_steps=NO_STEPS
    )
    expected = scheduler.preview(scheduler.new_card(), clock())
    today = date(2026, 11, 27)
    for grade, option in options.items():
        assert option.days == (expected[grade].due_day - today).days
        assert option.recall == pytest.approx(expected[grade].recall_at_due)
    # A new card: FSRS-6 tells hard, good and easy apart (SM-2 says 1 day to each).
    assert options[3].days < options[4].days < options[5].days
    assert all(0.85 <= (options[g].recall or 0) <= 0.95 for g in (3, 4, 5))
    # A failed grade still comes back on a learning step within minutes.
    assert options[1].wait is not None

    sm2 = _open(collection, clock, SM2)
    try:
        plain = sm2.grade_preview(pk)
        assert [plain[g].days for g in (3, 4, 5)] == [1, 1, 1]
        assert all(option.recall is None for option in plain.values())
    finally:
        sm2.db.close()


def test_answers_and_days_after_an_fsrs_answer_follow_the_desired_retention(
    collection: str, clock: FixedClock
) -> None:
    days = {}
    for retention in (0.8, 0.95):
        study = _open(
            collection, clock, StudySettings(scheduler="fsrs", desired_retention=retention)
        )
        try:
            days[retention] = study.grade_preview(study.find_card("small/dropout").pk)[4].days
        finally:
            study.db.close()
    # Asking for more recall means reviewing sooner.
    assert days[0.95] < days[0.8]


def test_config_chooses_the_scheduler_per_collection_and_per_deck(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        'scheduler = "fsrs"\ndesired_retention = 0.85\n\n'
        '[decks.small]\nscheduler = "sm2"\n\n[decks.cnn]\ndesired_retention = 0.95\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    assert settings.scheduler_of("small") == "sm2"
    assert settings.scheduler_of("cnn") == "fsrs"
    assert settings.retention_of("cnn") == 0.95
    assert settings.retention_of("other") == 0.85
    assert load_settings(tmp_path / "missing.toml").scheduler_of("small") == "sm2"

    for line, field in (
        ('scheduler = "anki"', "scheduler"),
        ("desired_retention = 1.5", "desired_retention"),
        ("[decks.small]\nscheduler = 3", "decks.small.scheduler"),
    ):
        config.write_text(line + "\n", encoding="utf-8")
        with pytest.raises(StudyError) as raised:
            load_settings(config)
        message = str(raised.value)
        assert str(config) in message and field in message and "\n" not in message


def test_a_deck_on_sm2_stays_exact_while_another_deck_uses_fsrs(
    collection: str, clock: FixedClock, tmp_path: Path
) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(
        "id: other\ntitle: Other\ncards:\n  - {id: q1, type: qa, question: a?, answer: b}\n",
        encoding="utf-8",
    )
    settings = StudySettings(deck_scheduler={"other": "fsrs"})
    study = _open(collection, clock, settings)
    try:
        study.import_file(other)
        small = study.answer(study.find_card("small/relu").pk, 4)
        fsrs = study.answer(study.find_card("other/q1").pk, 5)
        assert small.after.due == date(2026, 11, 28)  # SM-2: 1 day
        assert fsrs.after.due is not None and fsrs.after.due - date(2026, 11, 27) > timedelta(1)
    finally:
        study.db.close()


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=200) | st.floats(allow_nan=True) | st.integers())
def test_any_other_scheduler_value_is_refused_in_one_line(tmp_path: Path, value: object) -> None:
    if value in ("sm2", "fsrs"):
        return
    config = tmp_path / "config.toml"
    config.write_text(f"scheduler = {_toml(value)}\n", encoding="utf-8")
    with pytest.raises(StudyError) as raised:
        load_settings(config)
    message = str(raised.value)
    assert message.startswith(f"{config}: scheduler: expected one of sm2, fsrs, got ")
    assert "\n" not in message and "\r" not in message


def _toml(value: object) -> str:
    if isinstance(value, str):
        # A JSON string is a TOML basic string once DEL is escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return repr(value)


@settings(max_examples=12, deadline=None)
@given(
    answers=st.lists(
        st.tuples(st.sampled_from([0, 0, 0, 1, 1, 3, 7]), st.integers(0, 5)),
        min_size=1,
        max_size=12,
    )
)
def test_under_fsrs_sm2_state_and_log_stay_exact_and_undo_is_exact(
    answers: list[tuple[int, int]],
) -> None:
    """Any answers, any days apart (0 = a same-day repeat): FSRS leaves SM-2's
    state and log as an SM-2-only learner's, and undoing the last answer puts
    everything back."""
    with tempfile.TemporaryDirectory() as folder:
        deck = write_deck(Path(folder))
        runs = {}
        for name, chosen in (("sm2", SM2), ("fsrs", FSRS)):
            clock = FixedClock()
            study = _open(f"sqlite:///{folder}/{name}.sqlite3", clock, chosen)
            study.import_file(deck)
            pk = study.find_card("small/relu").pk
            last = None
            for days, grade in answers:
                clock.advance(days=days, hours=0 if days else 0.1)
                before = (states(study), study.queue(), study.grade_preview(pk))
                last = study.answer(pk, grade, 1.0)
            assert last is not None
            study.undo(last.review_id)
            assert (states(study), study.queue(), study.grade_preview(pk)) == before
            study.answer(pk, answers[-1][1], 1.0)
            runs[name] = (
                {card: state[:3] + state[4:] for card, state in states(study).items()},
                sm2_log(study),
            )
            study.db.close()
        assert runs["fsrs"] == runs["sm2"]
