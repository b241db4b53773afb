"""``quizdl backup list|create|restore``: the collection's daily safety copies."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from quizdl.cli.common import fail


def _database() -> Path:
    from quizdl.paths import database_url
    from quizdl.store.db import sqlite_path

    path = sqlite_path(database_url())
    if path is None:
        fail("backups are made for SQLite collections only; back up your database server itself")
    return path


@click.group()
def backup() -> None:
    """List, take and restore backups of your collection (one a day is automatic)."""


@backup.command("list")
def backup_list() -> None:
    """Every backup, newest first."""
    from quizdl.store.backup import backup_dir, backups_of

    database = _database()
    backups = list(backups_of(database))
    if not backups:
        click.echo(f"No backups yet in {backup_dir(database)}.")
        return
    for item in backups:
        click.echo(f"{item.name}  {item.taken:%a %d %b %Y %H:%M}  {item.size / 1024:,.0f} KiB")


@backup.command("create")
def backup_create() -> None:
    """Take a backup now, even if today's exists."""
    from quizdl.store.backup import take_backup

    database = _database()
    if not database.exists():
        fail(f"there is no collection at {database} yet")
    made = take_backup(database, datetime.now(), force=True)
    if made is None:
        fail(f"{database} does not check out as a database; a damaged copy is not kept")
    click.echo(f"Backed up to {made.path}")


@backup.command("restore")
@click.argument("name", required=False)
def backup_restore(name: str | None) -> None:
    """Replace the collection with backup NAME (default: the newest).

    The replaced collection is kept beside it, never deleted.
    """
    from quizdl.store.backup import find_backup, restore_backup
    from quizdl.store.lock import CollectionLock

    database = _database()
    lock = CollectionLock(database)
    holder = lock.acquire()
    if holder is not None:
        fail(f"quizdl is open on this collection ({holder.describe()}); close it first")
    try:
        chosen = find_backup(database, name)
        aside = restore_backup(database, chosen, datetime.now())
    finally:
        lock.release()
    click.echo(f"Restored {chosen.name} ({chosen.taken:%a %d %b %Y %H:%M}).")
    if aside is not None:
        click.echo(f"The replaced collection is kept at {aside}")
