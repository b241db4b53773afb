"""The daily backup and refit wait until start-up is over.

The first refit of a day reads the whole review log (seconds of CPU at
100,000 cards); run while the first card is being drawn, it slowed that card
down. The app starts them once the first screen is up, and a learner who
quits before then does not wait for them.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import FixedClock, write_deck

from quizdl.store import backup
from quizdl.study import fitted
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.tui.app import STARTUP_SECONDS, make_app
from quizdl.tui.screens.home import HomeScreen

from .support import settle


@pytest.fixture
def study(tmp_path: Path) -> Any:
    service = open_study(
        database_url=f"sqlite:///{tmp_path}/q.sqlite3", clock=FixedClock(), bundled=[]
    )
    service.import_file(write_deck(tmp_path))
    yield service
    service.db.close()


@pytest.fixture
def housekeeping_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    """(what, when) for each backup and refit the app starts."""
    calls: list[tuple[str, float]] = []
    real_backup, real_refit = backup.take_backup, fitted.refit_if_due

    def take_backup(*args: Any, **kwargs: Any) -> Any:
        calls.append(("backup", time.monotonic()))
        return real_backup(*args, **kwargs)

    def refit_if_due(*args: Any, **kwargs: Any) -> Any:
        calls.append(("refit", time.monotonic()))
        return real_refit(*args, **kwargs)

    monkeypatch.setattr(backup, "take_backup", take_backup)
    monkeypatch.setattr(fitted, "refit_if_due", refit_if_due)
    return calls


async def test_backup_and_refit_start_after_the_first_screen(
    study: StudyService, housekeeping_calls: list[tuple[str, float]]
) -> None:
    app = make_app(study, housekeeping=True)
    async with app.run_test(size=(80, 24)) as pilot:
        started = time.monotonic()
        while not (isinstance(app.screen, HomeScreen) and app.screen.shown is not None):
            await pilot.pause(0.01)
        # Home is drawn with its decks: nothing of the housekeeping has run yet.
        assert housekeeping_calls == []
        await settle(pilot)  # waits for the housekeeping worker too
        assert [what for what, _ in housekeeping_calls] == ["backup", "refit"]
        assert housekeeping_calls[0][1] - started >= STARTUP_SECONDS * 0.9
        assert study.db.path is not None
        newest = next(backup.backups_of(study.db.path))
        assert newest.taken.date() == datetime.now().date()


async def test_quitting_during_start_up_skips_the_housekeeping_without_waiting(
    study: StudyService, housekeeping_calls: list[tuple[str, float]]
) -> None:
    app = make_app(study, housekeeping=True)
    started = time.monotonic()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
    assert time.monotonic() - started < STARTUP_SECONDS
    assert housekeeping_calls == []
