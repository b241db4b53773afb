"""Building the study service the same way for the CLI, the TUI and the tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from quizdl import paths
from quizdl.decks.bundled import bundled_deck_paths
from quizdl.store.db import Database, sqlite_path
from quizdl.store.faults import CollectionError, explain, read_only_reason
from quizdl.study.clock import Clock, system_clock
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings, load_settings


def open_study(
    *,
    database_url: str | None = None,
    clock: Clock = system_clock,
    settings: StudySettings | None = None,
    bundled: Iterable[Path] | None = None,
    read_only: str | None = None,
) -> StudyService:
    """Open (and migrate) the learner's collection and sync the bundled decks.

    ``bundled=None`` means the decks that ship with quizdl; tests pass their
    own list (or an empty one) to stay independent of the bundled content.
    ``read_only`` is a reason to open the collection without writing (another
    app has it open); a read-only file or folder is detected here as well.
    Every database failure leaves as a one-line ``CollectionError``.
    """
    url = database_url or paths.database_url()
    path = sqlite_path(url)
    reason = read_only
    if reason is None and path is not None:
        reason = read_only_reason(path)
        if reason is not None and not path.exists():
            raise CollectionError(f"cannot create the collection {path}: {reason}")
    db = Database(url, read_only=reason is not None)
    try:
        db.migrate()
        service = StudyService(
            db,
            clock=clock,
            settings=settings or load_settings(paths.config_file()),
            read_only=reason,
        )
        if reason is None:
            service.sync_bundled(bundled_deck_paths() if bundled is None else bundled)
            # The learner may have switched scheduler (SM-2 <-> FSRS) since.
            service.answering.align_due_days()
    except SQLAlchemyError as exc:
        db.close()
        raise (explain(exc, path) or CollectionError(str(exc))) from None
    return service
