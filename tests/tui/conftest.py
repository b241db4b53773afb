"""Fixtures for the TUI tests: a small deck, a fixed clock, a temporary collection."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp, make_app

from .support import CHALLENGE_DECK, DECK, fixed_clock


@pytest.fixture(autouse=True)
def no_cursor_blink(monkeypatch: pytest.MonkeyPatch) -> None:
    """A blinking cursor makes snapshots and timings flaky."""
    monkeypatch.setattr(Input, "cursor_blink", False)
    monkeypatch.setattr(TextArea, "cursor_blink", False)


@pytest.fixture(autouse=True)
def quizdl_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("QUIZDL_HOME", str(home))
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    return home


@pytest.fixture
def deck_path(tmp_path: Path) -> Path:
    path = tmp_path / "test-deck.yaml"
    path.write_text(DECK, encoding="utf-8")
    return path


@pytest.fixture
def challenge_deck_path(tmp_path: Path) -> Path:
    path = tmp_path / "challenge-deck.yaml"
    path.write_text(CHALLENGE_DECK, encoding="utf-8")
    return path


@pytest.fixture
def service(tmp_path: Path, deck_path: Path) -> Iterator[StudyService]:
    study = open_study(
        database_url=f"sqlite:///{tmp_path}/q.sqlite3", clock=fixed_clock, bundled=[]
    )
    study.import_file(deck_path)
    yield study
    study.db.close()


@pytest.fixture
def app(service: StudyService) -> QuizApp:
    return make_app(service)
