import random
from datetime import UTC, date, datetime, time, timedelta

import fsrs_rs_python as fsrs_rs
import pytest

from quizdl.scheduling.calibration import calibration, predictions
from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.fsrs import DEFAULT_PARAMETERS, FSRSScheduler
from quizdl.scheduling.readiness import (
    MIN_REVIEWS_TO_FIT,
    choose_parameters,
    fit_parameters,
    fsrs_items,
    memories,
    readiness,
)
from quizdl.scheduling.steps import Steps

CALENDAR = StudyCalendar(UTC, day_starts_at_hour=0)
START = datetime(2026, 1, 1, 9, tzinfo=UTC)
# A learner who forgets faster than FSRS' defaults assume: initial
# stabilities a quarter of the defaults.
FORGETFUL = (*(w / 4 for w in DEFAULT_PARAMETERS[:4]), *DEFAULT_PARAMETERS[4:])

Log = list[tuple[datetime, int]]


def synthetic_logs(parameters: tuple[float, ...], cards: int, seed: int) -> list[Log]:
    """Review logs of a learner whose memory is FSRS with ``parameters``.

    Each card is reviewed at irregular gaps (so predictions span the range);
    the learner recalls with the true probability, answering 4, else 1.
    """
    rng = random.Random(seed)
    no_steps = Steps(())
    truth = FSRSScheduler(CALENDAR, parameters, learning_steps=no_steps, relearning_steps=no_steps)
    logs = []
    for _ in range(cards):
        state, when, log = truth.new_card(), START, []
        first = rng.choice([1, 4, 4, 5])
        state, _ = truth.review(state, first, when)
        log.append((when, first))
        for _ in range(rng.randint(3, 8)):
            when += timedelta(days=rng.choice([1, 2, 3, 5, 8, 13, 21, 34]))
            recalled = rng.random() < truth.recall_on(state, CALENDAR.day_of(when))
            grade = 4 if recalled else 1
            state, _ = truth.review(state, grade, when)
            log.append((when, grade))
        logs.append(log)
    return logs


def test_fsrs_items_follow_ankis_training_layout() -> None:
    days = [date(2026, 1, 1), date(2026, 1, 1), date(2026, 1, 3), date(2026, 1, 9)]
    history = list(zip(days, [4, 4, 1, 3], strict=True))
    items = fsrs_items(history)
    # One item per review made a day or more after the one before, each with
    # the whole history up to it.
    assert [item.long_term_review_cnt() for item in items] == [1, 2]
    assert [len(item.reviews) for item in items] == [3, 4]
    # The engine reads the item as the same history our replay walks through.
    engine = fsrs_rs.FSRS(list(DEFAULT_PARAMETERS))
    replayed = FSRSScheduler(CALENDAR).replay(
        [(datetime.combine(day, time(9), UTC), grade) for day, grade in history]
    )
    assert engine.memory_state(items[-1]).stability == pytest.approx(replayed.stability)


def test_defaults_until_enough_reviews() -> None:
    fitted = tuple(w * 1.01 for w in DEFAULT_PARAMETERS)
    assert choose_parameters(MIN_REVIEWS_TO_FIT - 1, fitted) == DEFAULT_PARAMETERS
    assert choose_parameters(MIN_REVIEWS_TO_FIT, fitted) == fitted
    assert choose_parameters(10**6, None) == DEFAULT_PARAMETERS


def test_readiness_per_card_and_group() -> None:
    interview = date(2026, 1, 20)
    yesterday = datetime(2026, 1, 19, 9, tzinfo=UTC)
    logs: dict[str, Log] = {
        "fresh": [(yesterday - timedelta(days=6), 4), (yesterday, 4)],
        "stale": [(START, 1)],
        "never": [],
    }
    groups = {"fresh": ["cnn"], "stale": ["rnn", "cnn"], "never": ["rnn"]}
    by_day = {
        key: [(CALENDAR.day_of(when), grade) for when, grade in log] for key, log in logs.items()
    }
    found = memories(by_day, DEFAULT_PARAMETERS)
    report = readiness(found, interview, DEFAULT_PARAMETERS, groups)
    assert report.per_card["never"] == 0.0
    assert report.per_card["fresh"] > 0.9 > report.per_card["stale"]
    assert report.overall.cards == 3 and report.overall.ready == 1
    assert [g.name for g in report.groups] == ["rnn", "cnn"]  # weakest first
    assert report.groups[0].mean_recall == pytest.approx(report.per_card["stale"] / 2)


def test_calibration_of_the_true_model_on_its_own_log() -> None:
    logs = synthetic_logs(DEFAULT_PARAMETERS, cards=400, seed=3)
    pairs = predictions(FSRSScheduler(CALENDAR), logs)
    report = calibration(pairs)
    assert report.count == len(pairs) > 1500
    # Predicted and observed recall agree in every well-filled bucket...
    for bucket in report.buckets:
        if bucket.count >= 150:
            assert bucket.observed == pytest.approx(bucket.mean_predicted, abs=0.06)
    # ...and the log loss beats a model that always says the base rate.
    base = sum(r for _, r in pairs) / len(pairs)
    constant = calibration([(base, r) for _, r in pairs])
    assert report.log_loss < constant.log_loss
    assert "log loss" in report.table()


def test_only_reviews_a_day_or_more_apart_test_the_model() -> None:
    log = [(START, 1), (START + timedelta(minutes=10), 4), (START + timedelta(days=2), 4)]
    pairs = predictions(FSRSScheduler(CALENDAR), [log])
    # The 10-minute step is not a prediction; the review 2 days later is.
    state = FSRSScheduler(CALENDAR).replay(log[:2])
    assert pairs == [(FSRSScheduler(CALENDAR).recall_on(state, date(2026, 1, 3)), True)]


def test_fitting_a_forgetful_learner_improves_the_predictions() -> None:
    logs = synthetic_logs(FORGETFUL, cards=400, seed=5)
    history = [[(CALENDAR.day_of(w), g) for w, g in log] for log in logs]
    fitted = fit_parameters(history)
    assert len(fitted) == len(DEFAULT_PARAMETERS) and fitted != DEFAULT_PARAMETERS
    with_defaults = calibration(predictions(FSRSScheduler(CALENDAR), logs))
    with_fit = calibration(predictions(FSRSScheduler(CALENDAR, fitted), logs))
    # The defaults overrate this learner's memory; the fit does not.
    assert with_fit.log_loss < with_defaults.log_loss
    overrated = [b for b in with_defaults.buckets if b.count >= 100]
    assert sum(b.mean_predicted - b.observed for b in overrated) / len(overrated) > 0.03


def test_memories_agree_with_the_replay_of_each_log() -> None:
    rng = random.Random(3)
    logs: dict[int, Log] = {}
    for key in range(300):
        when, log = START, []
        for _ in range(rng.randint(1, 8)):
            log.append((when, rng.randint(0, 5)))
            # Same-day steps as well as gaps of days.
            when += timedelta(hours=rng.choice([0.1, 0.5, 3, 24, 30, 72, 200]))
        logs[key] = log
    for parameters in (DEFAULT_PARAMETERS, FORGETFUL):
        by_day = {k: [(CALENDAR.day_of(w), g) for w, g in log] for k, log in logs.items()}
        found = memories({**by_day, -1: []}, parameters)
        assert -1 not in found  # never answered: no memory
        replay = FSRSScheduler(CALENDAR, parameters)
        for key, log in logs.items():
            state = replay.replay(log)
            assert found[key].stability == pytest.approx(state.stability, rel=1e-6)
            assert found[key].last_day == CALENDAR.day_of(log[-1][0])
            later = found[key].last_day + timedelta(days=rng.randint(0, 40))
            assert found[key].recall_on(parameters, later) == pytest.approx(
                replay.recall_on(state, later), rel=1e-6
            )
    with pytest.raises(ValueError, match="quality must be an integer from 0 to 5"):
        memories({1: [(START.date(), 6)]}, DEFAULT_PARAMETERS)
