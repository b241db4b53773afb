"""Fixtures for importer tests: a fresh QUIZDL_HOME and a CLI runner over the real commands."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from quizdl.study.factory import open_study
from quizdl.study.service import StudyService

Run = Callable[..., Result]


@pytest.fixture
def run(home: Path) -> Run:
    """Run ``quizdl ARGS`` in-process (bundled decks included, as a learner has them)."""
    from quizdl.cli.main import cli

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def study(home: Path) -> Iterator[StudyService]:
    service = open_study(bundled=[])
    yield service
    service.db.close()


LocalZone = Callable[[str], None]


@pytest.fixture(autouse=True)
def local_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[LocalZone]:
    """Run in a chosen local time zone (UTC unless a test asks for another): Anki's
    dates become the learner's local study days, so the machine's own zone must not
    decide a test's outcome."""

    def use(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    use("UTC")
    yield use
    monkeypatch.undo()
    time.tzset()
