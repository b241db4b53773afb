"""Building the study service the same way for the CLI, the TUI and the tests.

Start-up is paid on every ``quizdl`` command, so what runs here on an
unchanged collection is kept to a few small queries: the schema revision, the
bundled decks' hashes, and the scheduler settings the review days were last
aligned to. The deck parser (pydantic, YAML) and the review-log scan load
only when one of those says something changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from quizdl import paths
from quizdl.decks.digest import file_digest
from quizdl.store.db import Database, sqlite_path
from quizdl.store.faults import CollectionError, explain, read_only_reason
from quizdl.store.meta import meta_values, set_meta
from quizdl.store.tables import decks, reviews
from quizdl.study.clock import Clock, system_clock
from quizdl.study.context import StudyContext
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings, load_settings

if TYPE_CHECKING:
    from quizdl.store.db import Reader

# collection_meta key: the scheduler settings the review days were last aligned to.
ALIGNED_KEY = "aligned_days"


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
            if bundled is None:
                from quizdl.decks.bundled import bundled_deck_paths

                bundled = bundled_deck_paths()
            deck_files = list(bundled)
            if _decks_changed(db, deck_files):
                service.sync_bundled(deck_files)
            # The learner may have switched scheduler (SM-2 <-> FSRS) since.
            align_days_if_needed(service.context)
    except SQLAlchemyError as exc:
        db.close()
        raise (explain(exc, path) or CollectionError(str(exc))) from None
    return service


def _decks_changed(db: Database, deck_files: Sequence[Path]) -> bool:
    """Whether any bundled deck file differs from every deck already imported
    (by the content hash imports store). A file that cannot be read counts as
    changed, so that ``sync_bundled`` reports it as it always has."""
    if not deck_files:
        return False
    with db.reading() as connection:
        known = set(connection.scalars(select(decks.c.content_hash)))
    digests = [file_digest(deck_file) for deck_file in deck_files]
    return any(digest is None or digest not in known for digest in digests)


def _settings_mark(context: StudyContext) -> dict[str, object]:
    """Everything ``align_due_days`` depends on besides the log: the scheduler
    of the collection and of each deck, their retention, and (under FSRS, whose
    days are counted in the learner's time zone) the clock's zone."""
    settings = context.settings
    mark: dict[str, object] = {
        "scheduler": settings.scheduler,
        "desired_retention": settings.desired_retention,
        "deck_scheduler": sorted(settings.deck_scheduler.items()),
        "deck_desired_retention": sorted(settings.deck_desired_retention.items()),
    }
    if settings.uses_fsrs:
        mark["zone"] = str(context.calendar().zone)
    # As it reads back from the table (tuples become lists), to compare alike.
    normalised: dict[str, object] = json.loads(json.dumps(mark))
    return normalised


def _answer_mark(reader: Reader, review_id: int | None = None) -> list[object] | None:
    """An answer as [id, card, time], the newest one when no id is given; None
    when there is none. SQLite reuses an undone answer's id, so the id alone
    does not tell the same answer from a later one."""
    query = select(reviews.c.id, reviews.c.card_pk, reviews.c.reviewed_at)
    query = (
        query.order_by(reviews.c.id.desc()).limit(1)
        if review_id is None
        else query.where(reviews.c.id == review_id)
    )
    row = reader.execute(query).first()
    return None if row is None else [row.id, row.card_pk, row.reviewed_at.isoformat()]


def _still_aligned(reader: Reader, stored: dict[str, object], mark: dict[str, object]) -> bool:
    """The days were aligned to these settings, and no answer given before that
    has been undone since (undo restores the day the answer's own scheduler
    set). Only the newest answer can be undone, so the one that was newest at
    alignment still being there, unchanged, means none of the older ones went."""
    if stored.get("settings") != mark:
        return False
    newest = stored.get("newest_answer")
    if newest is None:
        return True
    assert isinstance(newest, list)
    return _answer_mark(reader, newest[0]) == newest


def align_days_if_needed(context: StudyContext) -> int | None:
    """Align every answered card's review day to its deck's scheduler
    (``study.fsrs_days.align_due_days``) unless the days are already aligned
    to the current settings; how many days moved, None when it was skipped.

    Answers keep the days aligned themselves (each sets its day through the
    deck's scheduler), so the whole review log is read again only after the
    scheduler settings changed, the first time, or after an undo reached an
    answer older than the last alignment."""
    mark = _settings_mark(context)
    with context.db.connection() as connection:
        stored = meta_values(connection, [ALIGNED_KEY]).get(ALIGNED_KEY)
        if stored is not None and _still_aligned(connection, json.loads(stored), mark):
            return None
        from quizdl.study.fsrs_days import align_due_days

        moved = align_due_days(connection, context.settings, context.calendar())
        value = json.dumps({"settings": mark, "newest_answer": _answer_mark(connection)})
        set_meta(connection, ALIGNED_KEY, value)
        return moved
