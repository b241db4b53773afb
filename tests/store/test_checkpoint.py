"""WAL checkpoints happen on a background thread, never inside an answer."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

from helpers import FixedClock

from quizdl.store.checkpoint import SAFETY_PAGES, WalCheckpointer
from quizdl.store.db import Database
from quizdl.study.factory import open_study


def _checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "quizdl-wal-checkpoint"]


def _wait_for(condition: object, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


def test_writers_leave_checkpoints_to_the_thread(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    db.migrate()
    with db.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
    assert pages == SAFETY_PAGES  # not SQLite's 1,000: an answer would pay for the copy
    db.close()


def test_answers_are_checkpointed_in_the_background_and_all_kept(
    tmp_path: Path, small_deck: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    service = open_study(database_url=url, clock=FixedClock(), bundled=[])
    service.import_file(small_deck)
    checkpointer = service.db.checkpointer
    assert checkpointer is not None
    checkpointer.every_commits = 4
    answered = 0
    for _ in range(3):  # same-day repeats are answers too
        for entry in service.queue():
            service.answer(entry.pk, 2)
            answered += 1
    assert answered >= 8
    assert _wait_for(lambda: checkpointer.checkpoints >= 1)
    # The copy into the database file was made: a fresh checkpoint finds
    # nothing left to do beyond the newest frames.
    with sqlite3.connect(tmp_path / "q.sqlite3") as raw:
        busy, frames, copied = raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    raw.close()
    assert busy == 0 and copied == frames
    service.db.close()
    assert _checkpoint_threads() == []  # close() stops the thread
    again = open_study(database_url=url, clock=FixedClock(), bundled=[])
    assert again.stats().reviews_today == answered
    again.db.close()


def test_a_checkpoint_that_cannot_open_the_file_never_reaches_the_learner(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "gone" / "q.sqlite3"  # sqlite3 cannot create it: no folder
    checkpointer = WalCheckpointer(missing, every_commits=1)
    checkpointer.after_commit()  # starts the thread, which fails quietly
    checkpointer.close()
    assert checkpointer.checkpoints == 0
    assert _checkpoint_threads() == []


def test_a_read_only_collection_has_no_checkpoint_thread(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    Database(f"sqlite:///{path}").migrate()
    reader = Database(f"sqlite:///{path}", read_only=True)
    assert reader.checkpointer is None
    reader.after_commit()  # a no-op, not an error
    reader.close()
