"""What can be wrong with the collection file, said in one line a learner can act on.

SQLite reports a damaged, read-only or full database as a driver exception
deep inside whatever query met it first. Both fronts turn such an exception
into a ``CollectionError`` here, so the CLI prints one line and exits 2 and
the app shows one notice, instead of a 60-line traceback.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

SQLITE_HEADER = b"SQLite format 3\x00"


class CollectionError(Exception):
    """The collection cannot be used as asked; the message is shown as is."""


class CollectionDamaged(CollectionError):
    """The file is not a database or its pages are corrupt."""


class CollectionReadOnly(CollectionError):
    """A write was refused because the file or its directory is read-only."""


def _restore_hint(path: Path | None) -> str:
    from quizdl.store.backup import backups_of

    if path is None:
        return "restore it from a copy"
    newest = next(iter(backups_of(path)), None)
    if newest is None:
        return "no backup exists yet; move the file aside to start a new collection"
    return f"restore the newest backup with: quizdl backup restore {newest.name}"


def explain(exc: BaseException, path: Path | None) -> CollectionError | None:
    """The one-line account of a database failure, or None for other errors."""
    # PostgreSQL's messages go on with the SQL and a caret on further lines.
    message = (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0]
    lowered = message.lower()
    where = str(path) if path is not None else "the collection"
    if "file is not a database" in lowered or "malformed" in lowered:
        return CollectionDamaged(f"{where} is damaged ({message}); {_restore_hint(path)}")
    if "readonly" in lowered or "read-only" in lowered:
        return CollectionReadOnly(
            f"{where} is read-only ({message}); make it and its folder writable to study"
        )
    if "unable to open database file" in lowered:
        return CollectionError(f"cannot open {where}: {_why_unopenable(path)}")
    if "database or disk is full" in lowered or "disk i/o error" in lowered:
        return CollectionError(
            f"cannot write {where} ({message}); free some disk space and try again — "
            "answers saved before this one are safe"
        )
    if "database is locked" in lowered or "database table is locked" in lowered:
        return CollectionError(
            f"{where} is busy in another program and stayed locked; close it and try again"
        )
    # The answer path runs on the driver (store.driver): its errors arrive unwrapped.
    if isinstance(exc, sqlite3.Error) or type(exc).__module__.startswith(("sqlalchemy", "psycopg")):
        return CollectionError(f"database error on {where}: {message}")
    return None


def _why_unopenable(path: Path | None) -> str:
    if path is None:
        return "the database could not be opened"
    folder = path.parent
    if not folder.exists():
        return f"its folder {folder} does not exist and could not be created"
    if not os.access(folder, os.W_OK | os.X_OK) and not path.exists():
        return f"its folder {folder} is not writable (set QUIZDL_HOME to a writable folder)"
    if path.exists() and not os.access(path, os.R_OK):
        return "the file is not readable (check its permissions)"
    return "the file or its folder is not accessible (check their permissions)"


def read_only_reason(path: Path) -> str | None:
    """Why this collection can only be read, or None when it can be written.

    Checked before opening: SQLite opens a read-only file without complaint
    and only fails at the first write, which would be the learner's first
    grade.
    """
    folder = path.parent
    if path.exists() and not os.access(path, os.W_OK):
        return f"{path} is read-only"
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        # WAL mode creates -wal/-shm files beside the database.
        return f"its folder {folder} is read-only"
    return None


def check_header(path: Path) -> None:
    """Refuse a file that is not SQLite at all before the driver meets it."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise CollectionError(f"cannot read {path}: {exc.strerror or exc}") from None
    if head and head != SQLITE_HEADER:
        raise CollectionDamaged(
            f"{path} is damaged (it is not an SQLite database); {_restore_hint(path)}"
        )
