"""WAL checkpoints happen on a background thread, never inside an answer."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from helpers import FixedClock

from quizdl.store.checkpoint import SAFETY_PAGES, WalCheckpointer
from quizdl.store.db import Database
from quizdl.study.factory import open_study


def _checkpoint_threads() -> set[threading.Thread]:
    # Compared before and after: other tests' unclosed collections may have one.
    return {t for t in threading.enumerate() if t.name == "quizdl-wal-checkpoint"}


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
    before = _checkpoint_threads()
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
    assert _wait_for(lambda: checkpointer.checkpoints >= 1)  # by the thread, not an answer
    service.db.close()
    assert _checkpoint_threads() <= before  # close() stops the thread
    again = open_study(database_url=url, clock=FixedClock(), bundled=[])
    assert again.stats().reviews_today == answered
    again.db.close()


def test_a_checkpoint_that_cannot_open_the_file_never_reaches_the_learner(
    tmp_path: Path,
) -> None:
    missing = tmp_path / "gone" / "q.sqlite3"  # sqlite3 cannot create it: no folder
    before = _checkpoint_threads()
    checkpointer = WalCheckpointer(missing, every_commits=1)
    checkpointer.after_commit()  # starts the thread, which fails quietly
    checkpointer.close()
    assert checkpointer.checkpoints == 0
    assert _checkpoint_threads() <= before


def test_a_read_only_collection_has_no_checkpoint_thread(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    Database(f"sqlite:///{path}").migrate()
    before = _checkpoint_threads()
    reader = Database(f"sqlite:///{path}", read_only=True)
    assert reader.checkpointer is None
    with reader.connection() as connection:  # counts toward no checkpoint, fails nothing
        assert connection.exec_driver_sql("SELECT count(*) FROM reviews").scalar() == 0
    assert _checkpoint_threads() <= before
    reader.close()
