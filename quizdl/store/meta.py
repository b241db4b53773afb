"""Facts about the collection itself (``collection_meta``), read and written by key."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import insert, select, text, update

from quizdl.store.tables import collection_meta

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from quizdl.store.db import Reader


def meta_values(reader: Reader, keys: Iterable[str]) -> dict[str, str]:
    """The stored value of each of ``keys`` that has one."""
    rows = reader.execute(
        select(collection_meta.c.key, collection_meta.c.value).where(
            collection_meta.c.key.in_(list(keys))
        )
    )
    return {key: value for key, value in rows}


# One statement on both engines quizdl runs on (both have ON CONFLICT).
_UPSERT = text(
    "INSERT INTO collection_meta (key, value) VALUES (:key, :value) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)


def set_meta(connection: Connection, key: str, value: str) -> None:
    """Store ``value`` under ``key``, in place of what was there.

    One upsert where the engine has one: two quizdl starts at once (the app and
    a CLI command) may both store the same key first, and on PostgreSQL an
    UPDATE-then-INSERT let both find no row and the second INSERT fail."""
    if connection.dialect.name in ("sqlite", "postgresql"):
        connection.execute(_UPSERT, {"key": key, "value": value})
        return
    table = collection_meta
    if not connection.execute(update(table).where(table.c.key == key).values(value=value)).rowcount:
        connection.execute(insert(table).values(key=key, value=value))
