"""Statements of the answer path, compiled once and run on the driver's cursor.

Answering a card runs six small statements. Through ``Connection.execute``
each one paid SQLAlchemy's per-call work (cache look-up, parameter
construction, execution context, result wrapper): about 15 µs a statement,
more than SQLite took to run it, and together a third of an answer. Here a
Core statement is compiled once per dialect; each call only converts the
parameters and columns whose type needs it (dates on SQLite, JSON) and runs
the dialect's own SQL on the DBAPI cursor of the caller's connection, inside
its transaction. The SQL is what SQLAlchemy would send, so PostgreSQL runs
the same statements as SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

_Convert = Callable[[Any], Any] | None


@dataclass(frozen=True, slots=True)
class _Compiled:
    sql: str
    names: tuple[str, ...]  # parameters, in the order a positional driver wants them
    positional: bool
    fallbacks: Mapping[str, Any]  # values the statement itself binds (LIMIT 1)
    binds: tuple[tuple[str, Callable[[Any], Any]], ...]  # parameters needing conversion
    types: tuple[Any, ...]  # the dialect's type of each returned column


@dataclass(frozen=True, slots=True)
class DriverResult:
    rows: list[tuple[Any, ...]]
    rowcount: int

    def first(self) -> tuple[Any, ...] | None:
        return self.rows[0] if self.rows else None


class DriverStatement:
    """A Core statement run without SQLAlchemy's per-call machinery.

    ``column_keys`` names the columns an INSERT is given (as for
    ``compile``); every one must be passed on each call."""

    def __init__(self, statement: ClauseElement, column_keys: Sequence[str] | None = None):
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}
        self._converts: dict[str, tuple[_Convert, ...]] = {}

    def _compile(self, dialect: Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        assert isinstance(compiled, SQLCompiler)
        fallbacks = compiled.construct_params(_check=False) or {}
        # Positional drivers (sqlite3) take the values in the SQL's order.
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(fallbacks)
        # One conversion per parameter: a bind the statement holds twice (a JSON
        # path in a CAST) is listed twice, and converting twice would quote it twice.
        binds: dict[str, Callable[[Any], Any]] = {}
        for bind in compiled.binds.values():
            convert = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if convert is not None:
                binds.setdefault(compiled.bind_names[bind], convert)
        columns = getattr(self.statement, "exported_columns", ())
        return _Compiled(
            compiled.string,
            names,
            compiled.positional,
            {name: value for name, value in fallbacks.items() if value is not None},
            tuple(binds.items()),
            tuple(column.type.dialect_impl(dialect) for column in columns),
        )

    def _results(self, dialect: Dialect, description: Sequence[Any]) -> tuple[_Convert, ...]:
        # The driver's column type (psycopg's type OID) picks some processors,
        # so they are made from the first result, as SQLAlchemy does.
        converts = self._converts.get(dialect.name)
        if converts is None:
            types = self._compiled[dialect.name].types
            converts = self._converts[dialect.name] = tuple(
                kind.result_processor(dialect, column[1])
                for kind, column in zip(types, description, strict=True)
            )
        return converts

    def _run(self, connection: Connection, parameters: Mapping[str, Any]) -> tuple[Any, Dialect]:
        """A cursor that has run the statement (the caller closes it)."""
        dialect = connection.dialect
        compiled = self._compiled.get(dialect.name)
        if compiled is None:
            compiled = self._compiled[dialect.name] = self._compile(dialect)
        values = {**compiled.fallbacks, **parameters} if compiled.fallbacks else dict(parameters)
        for name, convert in compiled.binds:
            value = values.get(name)
            if value is not None:
                values[name] = convert(value)
        cursor: Any = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            if compiled.positional:
                cursor.execute(compiled.sql, [values[name] for name in compiled.names])
            else:
                cursor.execute(compiled.sql, values)
        except BaseException:
            cursor.close()
            raise
        return cursor, dialect

    def _converted_rows(
        self, dialect: Dialect, description: Sequence[Any], rows: list[tuple[Any, ...]]
    ) -> list[tuple[Any, ...]]:
        converts = self._results(dialect, description)
        if any(converts):
            return [_converted(row, converts) for row in rows]
        return rows

    def execute(self, connection: Connection, parameters: Mapping[str, Any]) -> DriverResult:
        cursor, dialect = self._run(connection, parameters)
        try:
            description = cursor.description
            rows = cursor.fetchall() if description is not None else []
            rowcount = cursor.rowcount
        finally:
            cursor.close()
        if rows:
            rows = self._converted_rows(dialect, description, rows)
        return DriverResult(rows, rowcount)

    def batches(
        self, connection: Connection, parameters: Mapping[str, Any], size: int = 10_000
    ) -> Iterator[list[tuple[Any, ...]]]:
        """The rows of a query in lists of up to ``size``, for results too large to
        hold twice (a whole review log)."""
        cursor, dialect = self._run(connection, parameters)
        try:
            description = cursor.description
            while rows := cursor.fetchmany(size):
                yield self._converted_rows(dialect, description, rows)
        finally:
            cursor.close()


def _converted(row: Sequence[Any], converts: tuple[_Convert, ...]) -> tuple[Any, ...]:
    return tuple(
        convert(value) if convert is not None else value
        for value, convert in zip(row, converts, strict=True)
    )
