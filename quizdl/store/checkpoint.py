"""SQLite's WAL checkpoints, run on a thread of their own instead of in a grade.

In WAL mode every commit appends pages to the ``-wal`` file, and by default
the commit that takes it past 1,000 pages also copies them back into the
database and syncs it: about 7 ms, paid by one answer in a hundred, which
was the whole of the answer path's 99th percentile. Here writable
connections only checkpoint by themselves past ``SAFETY_PAGES`` (a bound for
long writes such as a big import), and ``after_commit`` wakes a background
thread every ``EVERY_COMMITS`` answers to run a PASSIVE checkpoint on its
own connection. PASSIVE never waits for readers or writers, so answers go on
while it copies; sqlite3 releases the GIL while SQLite works. A checkpoint
that fails is left for the next wake-up: committed answers are in the WAL,
which SQLite reads as part of the database, so nothing is lost meanwhile.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

SAFETY_PAGES = 20_000  # ~80 MB of WAL before a writer checkpoints by itself
WAL_KEEP_BYTES = 16 * 1024 * 1024  # what a reused WAL file is truncated to
EVERY_COMMITS = 64  # answers touch ~10 pages: about SQLite's default 1,000 pages


class WalCheckpointer:
    def __init__(self, path: Path, every_commits: int = EVERY_COMMITS) -> None:
        self.path = path
        self.every_commits = every_commits
        self.checkpoints = 0  # completed, for tests and benchmarks
        self._commits = 0
        self._wake = threading.Event()
        self._closed = False
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def after_commit(self) -> None:
        """Count a commit; every ``every_commits`` of them, wake the thread."""
        self._commits += 1
        if self._commits % self.every_commits:
            return
        with self._lock:
            if self._closed:
                return
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="quizdl-wal-checkpoint", daemon=True
                )
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        try:
            connection = sqlite3.connect(self.path, timeout=5.0)
        except sqlite3.Error:
            return  # the writers' own checkpoints (SAFETY_PAGES) still bound the WAL
        try:
            while True:
                self._wake.wait()
                self._wake.clear()
                if self._closed:
                    return
                try:
                    connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:
                    continue  # retried at the next wake-up
                self.checkpoints += 1
        finally:
            connection.close()

    def close(self) -> None:
        """Stop the thread (SQLite checkpoints when the last connection closes)."""
        with self._lock:
            self._closed = True
            thread = self._thread
        self._wake.set()
        if thread is not None:
            thread.join(timeout=10)
