"""FSRS parameters fitted to the learner's own log: after 1,000 reviews, at most daily."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from generated_log import answer_like_a_forgetful_learner, deck_text
from helpers import FixedClock, run_quizdl, write_deck
from sqlalchemy import func, select

from quizdl.scheduling.fsrs import DEFAULT_PARAMETERS
from quizdl.scheduling.readiness import MIN_REVIEWS_TO_FIT
from quizdl.store import tables
from quizdl.store.models import ReviewRow
from quizdl.study.clock import study_day
from quizdl.study.factory import open_study
from quizdl.study.fitted import refit_if_due, stored_parameters
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings


@pytest.fixture
def study(home: Path, clock: FixedClock, tmp_path: Path) -> Iterator[StudyService]:
    service = open_study(clock=clock, bundled=[], settings=StudySettings(new_cards_per_day=25))
    service.import_file(write_deck(tmp_path, deck_text(150), "big.yaml"))
    yield service
    service.db.close()


def test_defaults_until_a_thousand_reviews_then_a_fit_at_most_daily(
    study: StudyService, clock: FixedClock
) -> None:
    answer_like_a_forgetful_learner(study, clock, MIN_REVIEWS_TO_FIT - 1)
    study.set_plan(study.today() + timedelta(days=5))
    assert refit_if_due(study.db, clock()) is None
    before = study.plan_status()
    assert before is not None and before.fitted is None
    assert before.as_json()["parameters"] == {
        "source": "default",
        "reviews": MIN_REVIEWS_TO_FIT - 1,
        "fit_at": MIN_REVIEWS_TO_FIT,
    }

    answer_like_a_forgetful_learner(study, clock, 1, seed=8)
    fit = refit_if_due(study.db, clock())
    assert fit is not None
    assert (fit.study_day, fit.review_count) == (study.today(), MIN_REVIEWS_TO_FIT)
    # The fit finds a learner who forgets faster than the defaults say.
    assert fit.parameters[2] < DEFAULT_PARAMETERS[2] / 2
    assert refit_if_due(study.db, clock()) is None  # once a study day
    clock.advance(hours=18)  # 03:00 the next calendar day: still the same study day
    assert refit_if_due(study.db, clock()) is None

    after = study.plan_status()
    assert after is not None and after.fitted == fit
    assert after.as_json()["parameters"] == {
        "source": "fitted",
        "fitted_on": fit.study_day.isoformat(),
        "fitted_reviews": MIN_REVIEWS_TO_FIT,
        "reviews": MIN_REVIEWS_TO_FIT,
    }
    # The same cards, predicted with the learner's own (faster) forgetting.
    assert after.overall.mean_recall < before.overall.mean_recall - 0.01
    assert after.overall.ready < before.overall.ready

    clock.advance(hours=2)  # 05:00: a new study day
    again = refit_if_due(study.db, clock())
    assert again is not None and again.study_day == fit.study_day + timedelta(days=1)
    with study.db.read() as session:
        assert session.scalar(select(func.count()).select_from(tables.fitted_parameters)) == 1
        assert stored_parameters(session) == again


def test_quizdl_plan_json_reports_the_fitted_parameters(home: Path, tmp_path: Path) -> None:
    # The CLI runs on the real clock: the generated log ends before today.
    start = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0)
    clock = FixedClock(start - timedelta(days=80))
    study = open_study(clock=clock, bundled=[], settings=StudySettings(new_cards_per_day=25))
    try:
        study.import_file(write_deck(tmp_path, deck_text(150), "big.yaml"))
        answer_like_a_forgetful_learner(study, clock, MIN_REVIEWS_TO_FIT + 10)
        assert clock() < start
    finally:
        study.db.close()
    day = date.today() + timedelta(days=10)
    shown = run_quizdl(home, "plan", "--interview", day.isoformat())
    assert shown.returncode == 0, shown.stderr
    assert f"FSRS-6 fitted to your {MIN_REVIEWS_TO_FIT + 10:,} reviews on" in shown.stdout
    # The plan's load for every study day until the interview.
    assert "Planned days (reviews + new cards, expected minutes):" in shown.stdout
    status = json.loads(run_quizdl(home, "plan", "--json").stdout)
    first = study_day(datetime.now().astimezone())  # the real clock, as the CLI's
    assert [d["day"] for d in status["planned_days"]] == [
        (first + timedelta(days=i)).isoformat() for i in range((day - first).days)
    ]
    assert sum(d["reviews"] for d in status["planned_days"]) > 0
    assert status["parameters"]["source"] == "fitted"
    assert status["parameters"]["fitted_reviews"] == MIN_REVIEWS_TO_FIT + 10
    reopened = open_study(bundled=[])
    try:
        with reopened.db.read() as session:
            assert session.scalar(select(func.count()).select_from(ReviewRow)) == (
                MIN_REVIEWS_TO_FIT + 10
            )
            assert session.scalar(select(func.count()).select_from(tables.fitted_parameters)) == 1
    finally:
        reopened.db.close()
