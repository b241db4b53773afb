"""Who has the collection open in the app: a lock file with pid and host.

SQLite lets two processes write one file safely, but a second app would
show cards the first one already answered. The first app holds this lock;
a second one learns who holds it and opens the collection read-only. A lock
left by a process that no longer runs on this host is stale and taken over.
"""

from __future__ import annotations

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
        return f"pid {self.pid} on {self.host}, since {self.started}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _read(path: Path) -> Holder | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["host"]), str(data["started"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


class CollectionLock:
    """``acquire`` returns None when the lock is ours, else who holds it."""

    def __init__(self, database: Path) -> None:
        self.path = database.with_name(database.name + ".lock")
        self.held = False

    def acquire(self) -> Holder | None:
        me = Holder(os.getpid(), socket.gethostname(), datetime.now(UTC).strftime("%H:%M UTC"))
        for _ in range(3):
            try:
                descriptor = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = _read(self.path)
                if holder is not None and (holder.host != me.host or _alive(holder.pid)):
                    return holder
                # Stale (its process is gone) or unreadable (killed mid-write).
                self.path.unlink(missing_ok=True)
                continue
            except OSError:
                # A read-only folder: no lock to take, and no writes to guard.
                return None
            with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
                json.dump({"pid": me.pid, "host": me.host, "started": me.started}, handle)
            self.held = True
            return None
        return _read(self.path)

    def release(self) -> None:
        if not self.held:
            return
        holder = _read(self.path)
        if holder is not None and holder.pid == os.getpid():
            self.path.unlink(missing_ok=True)
        self.held = False
