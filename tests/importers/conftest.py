"""Fixtures for importer tests: a fresh QUIZDL_HOME and a CLI runner over the real commands."""

from __future__ import annotations

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
