"""Daily backups and the app's lock on the collection."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from helpers import write_deck

from quizdl.store.backup import backups_of, find_backup, restore_backup, take_backup
from quizdl.store.lock import CollectionLock
from quizdl.study.factory import open_study

NOON = datetime(2026, 11, 27, 12, 0)


def collection(tmp_path: Path) -> Path:
    database = tmp_path / "quizdl.sqlite3"
    study = open_study(database_url=f"sqlite:///{database}", bundled=[])
    study.import_file(write_deck(tmp_path))
    study.db.close()
    return database


def test_one_backup_a_day_and_only_the_newest_kept(tmp_path: Path) -> None:
    database = collection(tmp_path)
    assert take_backup(database, NOON) is not None
    assert take_backup(database, NOON + timedelta(hours=3)) is None  # same day
    for day in range(1, 5):
        assert take_backup(database, NOON + timedelta(days=day), keep=3) is not None
    kept = list(backups_of(database))
    assert [b.taken.date() for b in kept] == [(NOON + timedelta(days=d)).date() for d in (4, 3, 2)]


def test_backups_leave_nothing_else_in_their_folder(tmp_path: Path) -> None:
    # Each backup left a "-shm" and a "-wal" beside it (checking the copy opened it
    # in the collection's WAL mode), which pruning never removed.
    database = collection(tmp_path)
    folder = database.parent / "backups"
    folder.mkdir()
    old_pair = [folder / f"quizdl-20200101-000000.sqlite3.partial{end}" for end in ("-shm", "-wal")]
    in_progress = folder / "quizdl-20261127-115959.sqlite3.partial"  # another process's
    for path in [*old_pair, in_progress]:
        path.write_bytes(b"")
    hours_ago = time.time() - 7200
    for path in old_pair:
        os.utime(path, (hours_ago, hours_ago))
    for day in range(3):
        assert take_backup(database, NOON + timedelta(days=day)) is not None
    assert sorted(os.listdir(folder)) == sorted(
        [in_progress.name, *(b.name for b in backups_of(database))]
    )
    assert len(list(backups_of(database))) == 3


def test_a_damaged_collection_never_replaces_a_good_backup(tmp_path: Path) -> None:
    database = collection(tmp_path)
    good = take_backup(database, NOON)
    assert good is not None
    with database.open("r+b") as handle:
        handle.seek(4096)
        handle.write(b"\xff" * 8192)
    assert take_backup(database, NOON + timedelta(days=1)) is None
    assert [b.name for b in backups_of(database)] == [good.name]


def test_restore_keeps_the_replaced_file_and_drops_its_wal(tmp_path: Path) -> None:
    database = collection(tmp_path)
    backup = take_backup(database, NOON)
    assert backup is not None
    study = open_study(database_url=f"sqlite:///{database}", bundled=[])
    study.answer(study.queue("small")[0].pk, 5, 1.0)  # after the backup
    study.db.close()
    aside = restore_backup(database, find_backup(database, "20261127"), NOON)
    assert aside is not None and aside.exists()
    restored = open_study(database_url=f"sqlite:///{database}", bundled=[])
    try:
        assert restored.stats().reviews_today == 0
    finally:
        restored.db.close()


def test_lock_is_held_once_and_released(tmp_path: Path) -> None:
    database = tmp_path / "quizdl.sqlite3"
    first, second = CollectionLock(database), CollectionLock(database)
    assert first.acquire() is None
    holder = second.acquire()
    assert holder is not None and holder.pid == os.getpid()
    first.release()
    assert second.acquire() is None
    second.release()
    assert not first.path.exists()


def test_a_stale_lock_from_a_killed_process_is_taken_over(tmp_path: Path) -> None:
    database = tmp_path / "quizdl.sqlite3"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    lock = CollectionLock(database)
    import socket

    lock.path.write_text(
        json.dumps({"pid": int(gone.stdout), "host": socket.gethostname(), "started": "09:00 UTC"})
    )
    assert lock.acquire() is None
    assert json.loads(lock.path.read_text())["pid"] == os.getpid()
    lock.release()


def test_a_lock_file_whose_pid_runs_again_is_taken_over(tmp_path: Path) -> None:
    # A terminal closed under the app leaves the file behind; after a reboot its
    # pid may belong to another program. The collection stayed read-only then.
    lock = CollectionLock(tmp_path / "quizdl.sqlite3")
    import socket

    lock.path.write_text(
        json.dumps({"pid": os.getppid(), "host": socket.gethostname(), "started": "09:00 UTC"})
    )
    assert lock.acquire() is None
    lock.release()


def test_a_lock_is_free_once_its_holder_is_killed(tmp_path: Path) -> None:
    database = tmp_path / "quizdl.sqlite3"
    with subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; "
            "from quizdl.store.lock import CollectionLock; "
            "assert CollectionLock(Path(sys.argv[1])).acquire() is None; "
            "print('held', flush=True); time.sleep(60)",
            str(database),
        ],
        stdout=subprocess.PIPE,
        text=True,
    ) as holder:
        try:
            assert holder.stdout is not None and holder.stdout.readline() == "held\n"
            lock = CollectionLock(database)
            found = lock.acquire()
            assert found is not None and found.pid == holder.pid
            assert "pid" in found.describe()
            holder.kill()
            # Not reaped yet (no wait): the process is a zombie whose pid still
            # answers os.kill(pid, 0), but its lock is gone with it.
            for _ in range(100):
                if lock.acquire() is None:
                    break
                time.sleep(0.05)
            assert lock.held
            lock.release()
        finally:
            holder.kill()


def test_a_half_written_lock_is_taken_over(tmp_path: Path) -> None:
    lock = CollectionLock(tmp_path / "quizdl.sqlite3")
    lock.path.write_text('{"pid": 12')
    assert lock.acquire() is None
    lock.release()
