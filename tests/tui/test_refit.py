"""The app refits readiness's FSRS parameters in a background worker at start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from generated_log import answer_like_a_forgetful_learner, deck_text
from helpers import FixedClock
from textual.widgets import Static

from quizdl.scheduling.readiness import MIN_REVIEWS_TO_FIT
from quizdl.study import fitted
from quizdl.study.factory import open_study
from quizdl.study.fitted import stored_parameters
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings
from quizdl.tui.app import make_app
from quizdl.tui.screens.home import HomeScreen

from .support import settle


def learner_with_a_long_log(tmp_path: Path, clock: FixedClock) -> StudyService:
    path = tmp_path / "big.yaml"
    path.write_text(deck_text(150), encoding="utf-8")
    service = open_study(
        database_url=f"sqlite:///{tmp_path}/q.sqlite3",
        clock=clock,
        bundled=[],
        settings=StudySettings(new_cards_per_day=25),
    )
    service.import_file(path)
    answer_like_a_forgetful_learner(service, clock, MIN_REVIEWS_TO_FIT)
    service.set_plan(service.today() + timedelta(days=5))
    return service


async def test_the_fit_runs_off_the_ui_thread_and_home_shows_its_readiness(
    tmp_path: Path,
) -> None:
    clock = FixedClock()
    service = learner_with_a_long_log(tmp_path, clock)
    try:
        with_defaults = service.plan_status()
        assert with_defaults is not None and with_defaults.fitted is None
        app = make_app(service, housekeeping=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            with service.db.read() as session:
                stored = stored_parameters(session)
            assert stored is not None and stored.study_day == service.today()
            fitted_status = service.plan_status()
            assert fitted_status is not None and fitted_status.fitted == stored
            ready = fitted_status.overall
            assert ready.ready != with_defaults.overall.ready
            assert isinstance(app.screen, HomeScreen)
            today = str(app.screen.query_one("#today", Static).render())
            # Home was reloaded after the fit: its plan line uses the fitted readiness.
            assert f"{ready.ready}/{ready.cards} ready" in today
            assert app.is_running
    finally:
        service.db.close()


async def test_a_failed_fit_is_a_notice_not_an_exit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = FixedClock()
    service = learner_with_a_long_log(tmp_path, clock)

    def broken(_: object) -> tuple[float, ...]:
        raise RuntimeError("the optimiser diverged")

    monkeypatch.setattr(fitted, "fit_parameters", broken)
    try:
        app = make_app(service, housekeeping=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert app.is_running and isinstance(app.screen, HomeScreen)
            notices = [(n.title, n.message) for n in app._notifications]
            assert any(
                title == "Fitting your memory model failed" and "optimiser diverged" in message
                for title, message in notices
            ), notices
            with service.db.read() as session:
                assert stored_parameters(session) is None
    finally:
        service.db.close()
