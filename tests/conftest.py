"""Shared fixtures: a temp data dir, a fixed clock, small decks, a service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import FixedClock, write_deck

from quizdl.study.factory import open_study
from quizdl.study.service import StudyService


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty QUIZDL_HOME for this test only."""
    directory = tmp_path / "home"
    directory.mkdir()
    monkeypatch.setenv("QUIZDL_HOME", str(directory))
    monkeypatch.delenv("QUIZDL_DATABASE_URL", raising=False)
    return directory


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def small_deck(tmp_path: Path) -> Path:
    return write_deck(tmp_path)


@pytest.fixture
def service(home: Path, clock: FixedClock, small_deck: Path) -> Iterator[StudyService]:
    study = open_study(clock=clock, bundled=[])
    study.import_file(small_deck)
    yield study
    study.db.close()
