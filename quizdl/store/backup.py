"""Daily backups of the collection, and restoring one.

SQLite's online backup API copies a consistent snapshot while the app keeps
reading and writing. A copy is kept only if it passes ``quick_check``, so a
collection that is already damaged never pushes a good backup out; at most
one is made per calendar day and the newest ``keep`` stay, as Anki does.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from quizdl.store.faults import CollectionDamaged, CollectionError

DEFAULT_KEEP = 10
PREFIX = "quizdl-"
SUFFIX = ".sqlite3"
STAMP = "%Y%m%d-%H%M%S"


@dataclass(frozen=True)
class Backup:
    path: Path
    taken: datetime

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def backup_dir(database: Path) -> Path:
    return database.parent / "backups"


def backups_of(database: Path) -> Iterator[Backup]:
    """The backups of this collection, newest first."""
    folder = backup_dir(database)
    try:
        names = sorted(os.listdir(folder), reverse=True)
    except OSError:
        return
    for name in names:
        if not (name.startswith(PREFIX) and name.endswith(SUFFIX)):
            continue
        try:
            taken = datetime.strptime(name[len(PREFIX) : -len(SUFFIX)], STAMP)
        except ValueError:
            continue
        yield Backup(folder / name, taken)


def is_intact(path: Path) -> bool:
    """Whether the file is an SQLite database whose pages check out."""
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as connection:
            row = connection.execute("PRAGMA quick_check(1)").fetchone()
    except sqlite3.Error:
        return False
    return row is not None and row[0] == "ok"


def take_backup(
    database: Path, now: datetime, *, keep: int = DEFAULT_KEEP, force: bool = False
) -> Backup | None:
    """Back the collection up unless one was already taken today (or ``force``).

    Returns the new backup, or None when today's exists or the collection
    does not check out (a damaged copy must never replace a good one).
    """
    if not database.exists():
        return None
    newest = next(backups_of(database), None)
    if not force and newest is not None and newest.taken.date() == now.date():
        return None
    folder = backup_dir(database)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{PREFIX}{now:{STAMP}}{SUFFIX}"
    partial = target.with_name(target.name + ".partial")
    try:
        with (
            closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(partial)) as copy,
        ):
            source.backup(copy)
            # The copy takes the collection's WAL mode with its pages; a backup is
            # one self-contained file. In WAL mode, reading it to check it left a
            # "-shm" and a "-wal" that the rename below did not take along: two
            # orphans beside every backup, never pruned.
            copy.execute("PRAGMA journal_mode=DELETE")
        if not is_intact(partial):
            partial.unlink(missing_ok=True)
            return None
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    for old in list(backups_of(database))[keep:]:
        old.path.unlink(missing_ok=True)
    _remove_leftovers(folder)
    return Backup(target, now.replace(microsecond=0))


# A partial copy younger than this may be another process's backup in progress.
_LEFTOVER_AGE_SECONDS = 3600
_LEFTOVER_ENDINGS = (".partial", ".partial-shm", ".partial-wal", ".partial-journal")


def _remove_leftovers(folder: Path) -> None:
    """Files backups left behind: a copy cut short (the app killed meanwhile), and
    the "-shm"/"-wal" pairs that earlier versions left beside every backup."""
    now = time.time()
    for name in os.listdir(folder):
        if not (name.startswith(PREFIX) and name.endswith(_LEFTOVER_ENDINGS)):
            continue
        path = folder / name
        try:
            if now - path.stat().st_mtime > _LEFTOVER_AGE_SECONDS:
                path.unlink()
        except OSError:
            continue  # gone meanwhile, or not ours to delete: a backup is still made


def find_backup(database: Path, name: str | None) -> Backup:
    """The backup called ``name`` (or its date prefix), or the newest one."""
    backups = list(backups_of(database))
    if not backups:
        raise CollectionError(f"there are no backups of {database} yet")
    if name is None:
        return backups[0]
    for backup in backups:
        stem = backup.name.removeprefix(PREFIX).removesuffix(SUFFIX)
        if name in (backup.name, stem) or stem.startswith(name.replace("-", "")):
            return backup
    known = ", ".join(b.name for b in backups[:5])
    raise CollectionError(f"no backup called {name!r} (newest: {known})")


def restore_backup(database: Path, backup: Backup, now: datetime) -> Path | None:
    """Put ``backup`` in place of the collection; the current file is kept aside.

    Returns where the replaced collection was moved (None if there was none).
    Nothing is deleted: a learner who restores the wrong day can go back.
    """
    if not is_intact(backup.path):
        raise CollectionDamaged(f"the backup {backup.path} is itself damaged; pick another")
    aside: Path | None = None
    if database.exists():
        aside = database.with_name(f"{database.name}.replaced-{now:{STAMP}}")
        os.replace(database, aside)
    # A WAL or shared-memory file left by the replaced database would be
    # replayed onto the restored one.
    for extra in ("-wal", "-shm", "-journal"):
        leftover = database.with_name(database.name + extra)
        if leftover.exists():
            target = aside.with_name(aside.name + extra) if aside else None
            if target is not None:
                os.replace(leftover, target)
            else:
                leftover.unlink()
    partial = database.with_name(database.name + ".restoring")
    shutil.copyfile(backup.path, partial)
    os.replace(partial, database)
    return aside
