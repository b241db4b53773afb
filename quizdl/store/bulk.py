"""Bulk inserts that skip SQLAlchemy's per-row bookkeeping.

``connection.execute(insert(table), rows)`` builds and processes a parameter
set per row in Python: for a 20,000-card import that cost more than SQLite
itself. Here the statement is compiled once for the connection's dialect,
only the columns whose type needs it (JSON, dates) are converted, and the rows
go to the driver's ``executemany`` in one call. The SQL is SQLAlchemy's own,
so it stays portable. PostgreSQL gets the rows through COPY instead: there a
row at a time would mean a round trip per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from operator import itemgetter
from typing import Any, TypeVar

import orjson
from sqlalchemy import Boolean, Enum, Float, Integer, String, Table, insert
from sqlalchemy.engine import Connection
from sqlalchemy.sql.schema import ScalarElementColumnDefault

T = TypeVar("T")
# Values per "IN (...)" list: well below every engine's limit on bound
# parameters per statement.
CHUNK = 500


def chunks(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``CHUNK``, one per statement."""
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def dumps_json(value: Any) -> str:
    """The engine's JSON serializer: orjson (several times faster than json.dumps),
    falling back to json.dumps for what orjson refuses (ints over 64 bits, NaN)."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(value)


def insert_rows(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT every row (all rows carry the same keys) in one driver call. A column
    left out takes its scalar Python default, as the ORM would give it."""
    if not rows:
        return
    if connection.dialect.name not in ("sqlite", "postgresql"):
        connection.execute(insert(table), list(rows))  # SQLAlchemy's own batching
        return
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=list(rows[0]))
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.params)
    slots: list[tuple[str, Any, Callable[[Any], Any] | None]] = []
    for name in names:
        column = table.c[name]
        default = column.default
        if name in rows[0]:
            fallback = None
        elif isinstance(default, ScalarElementColumnDefault):
            fallback = default.arg
        else:
            raise ValueError(f"insert_rows: no value and no scalar default for {name!r}")
        # Python's bool/int/float/str go to every driver as they are; only JSON,
        # dates and the like need the type's conversion.
        plain = isinstance(column.type, Boolean | Integer | Float | String) and not isinstance(
            column.type, Enum
        )
        convert = None if plain else column.type.bind_processor(connection.dialect)
        slots.append((name, fallback, convert))

    converted = [(index, convert) for index, (_, _, convert) in enumerate(slots) if convert]
    fallbacks = tuple(fallback for _, fallback, _ in slots)
    present = [name in rows[0] for name in names]

    def values(row: Mapping[str, Any]) -> list[Any]:
        # One C-level lookup per row (itemgetter) when every column is given.
        out = list(getter(row)) if getter is not None else _with_fallbacks(row)
        for index, convert in converted:
            if out[index] is not None:
                out[index] = convert(out[index])
        return out

    def _with_fallbacks(row: Mapping[str, Any]) -> list[Any]:
        return [
            row[name] if given else fallback
            for name, given, fallback in zip(names, present, fallbacks, strict=True)
        ]

    getter = itemgetter(*names) if all(present) and len(names) > 1 else None

    if connection.dialect.name == "postgresql":
        # COPY streams every row in one statement; a row at a time would be a round
        # trip each, and the card_counts triggers run once per statement.
        columns = ", ".join(table.c[name].name for name in names)
        cursor: Any = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor, cursor.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))
        return
    parameters: list[Any]
    if compiled.positional:
        parameters = [tuple(values(row)) for row in rows]
    else:
        parameters = [dict(zip(names, values(row), strict=True)) for row in rows]
    connection.exec_driver_sql(str(compiled), parameters)
