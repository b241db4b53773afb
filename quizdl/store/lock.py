"""Who has the collection open in the app: a lock file with pid and host.

SQLite lets two processes write one file safely, but a second app would
show cards the first one already answered. The first app holds this lock;
a second one learns who holds it and opens the collection read-only.

The lock is the kernel's (``flock`` on the lock file, held while the app
runs); the pid and host written in the file only name the holder. The
kernel lets go when the holder's process ends, however it ends: a terminal
closed under the app, a crash, a reboot. Judging by the pid alone, a file
left by a killed app kept the collection read-only as long as that pid ran
again: a zombie not yet reaped, or after a reboot another program.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class Holder:
    pid: int
    host: str
    started: str

    def describe(self) -> str:
        if not self.pid:
            return "a process that has not said which yet"
        return f"pid {self.pid} on {self.host}, since {self.started}"


def _read(path: Path) -> Holder:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["host"]), str(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return Holder(0, "", "")  # locked a moment ago: its name is not written yet


class CollectionLock:
    """``acquire`` returns None when the lock is ours, else who holds it."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self._descriptor: int | None = None

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def acquire(self) -> Holder | None:
        me = Holder(os.getpid(), socket.gethostname(), datetime.now(UTC).strftime("%H:%M UTC"))
        while True:
            try:
                descriptor = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError:
                # A read-only folder: no lock to take, and no writes to guard.
                return None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(descriptor)
                return _read(self.path)
            except OSError:
                os.close(descriptor)
                return None  # a file system without locks: nothing to guard with
            if _same_file(descriptor, self.path):
                break
            # The holder released it (deleting the file) between our open and our
            # lock: this lock is on a file nobody else will look at. Again.
            os.close(descriptor)
        os.ftruncate(descriptor, 0)
        text = json.dumps({"pid": me.pid, "host": me.host, "started": me.started})
        os.write(descriptor, text.encode("utf-8"))
        self._descriptor = descriptor
        return None

    def release(self) -> None:
        if self._descriptor is None:
            return
        # Deleted while still locked, so that nobody finds the file unlocked and
        # names us as its holder.
        self.path.unlink(missing_ok=True)
        os.close(self._descriptor)
        self._descriptor = None


def _same_file(descriptor: int, path: Path) -> bool:
    try:
        on_disk = path.stat()
    except FileNotFoundError:
        return False
    opened = os.fstat(descriptor)
    return (opened.st_dev, opened.st_ino) == (on_disk.st_dev, on_disk.st_ino)
