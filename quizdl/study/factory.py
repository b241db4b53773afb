"""Building the study service the same way for the CLI, the TUI and the tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from quizdl import paths
from quizdl.decks.bundled import bundled_deck_paths
from quizdl.store.db import Database
from quizdl.study.clock import Clock, system_clock
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings, load_settings


def open_study(
    *,
    database_url: str | None = None,
    clock: Clock = system_clock,
    settings: StudySettings | None = None,
    bundled: Iterable[Path] | None = None,
) -> StudyService:
    """Open (and migrate) the learner's collection and sync the bundled decks.

    ``bundled=None`` means the decks that ship with quizdl; tests pass their
    own list (or an empty one) to stay independent of the bundled content.
    """
    db = Database(database_url or paths.database_url())
    db.migrate()
    service = StudyService(db, clock=clock, settings=settings or load_settings(paths.config_file()))
    service.sync_bundled(bundled_deck_paths() if bundled is None else bundled)
    return service
