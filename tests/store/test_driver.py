"""Statements run on the driver give what SQLAlchemy's own execution gives.

The answer path reads dates, datetimes and JSON through ``DriverStatement``;
if a conversion were missing, a card's due day would come back as a string
and the schedule would break at the next answer. Each statement is checked
against ``Connection.execute`` of the same Core statement on a real database
(SQLite here; PostgreSQL too when QUIZDL_TEST_POSTGRES names a server).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from helpers import collection_url
from sqlalchemy import Text, bindparam, cast, insert, select, update

from quizdl.store import tables
from quizdl.store.db import Database
from quizdl.store.driver import DriverStatement
from quizdl.store.faults import CollectionError, explain
from quizdl.store.models import CardRow, CardStateRow, DeckRow, ReviewRow


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(collection_url(tmp_path, "driver"))
    database.migrate()
    with database.session() as session:
        session.add(DeckRow(id="d", title="D", origin="yaml", imported_at=datetime(2026, 1, 1)))
        session.flush()
        session.add(CardRow(pk=1, deck_id="d", card_id="c", type="concept", position=0, content={}))
        session.flush()
        session.add(CardStateRow(card_pk=1, due=date(2026, 3, 4), easiness=2.36, lapses=2))
        session.execute(
            insert(tables.plans).values(
                interview_day=date(2026, 4, 1),
                minutes_per_day=20.0,
                final_stretch_days=2,
                deck_ids=["d", "[b]x[/b]"],
                created_at=datetime(2026, 1, 1, 9, 30),
            )
        )
    yield database
    database.close()


STATE = select(CardStateRow.due, CardStateRow.easiness, CardStateRow.lapses, CardRow.deck_id).join(
    CardRow, CardRow.pk == CardStateRow.card_pk
)
_plans = tables.plans.c
PLAN = select(_plans.interview_day, _plans.deck_ids, _plans.created_at).limit(1)
LOG = select(ReviewRow.reviewed_at, ReviewRow.study_day, ReviewRow.due_after).where(
    ReviewRow.card_pk == bindparam("pk")
)


def test_reads_come_back_typed_as_sqlalchemy_gives_them(db: Database) -> None:
    with db.engine.begin() as connection:
        for statement in (STATE, PLAN):
            fast = DriverStatement(statement).execute(connection, {}).rows
            assert fast == [tuple(row) for row in connection.execute(statement)]
        day, deck_ids, _ = DriverStatement(PLAN).execute(connection, {}).rows[0]
        assert day == date(2026, 4, 1) and deck_ids == ["d", "[b]x[/b]"]


def test_a_json_path_taken_out_in_sql_reads_as_sqlalchemy_reads_it(db: Database) -> None:
    # The path is a parameter that the statement holds twice (in the CAST): it was
    # converted twice, quoted twice, and every card read as having no tags.
    with db.engine.begin() as connection:
        connection.execute(update(tables.cards).values(content={"tags": ["a", "[/]"]}))
        statement = select(tables.cards.c.pk, cast(tables.cards.c.content["tags"], Text))
        fast = DriverStatement(statement).execute(connection, {}).rows
        assert fast == [tuple(row) for row in connection.execute(statement)]
        assert json.loads(fast[0][1]) == ["a", "[/]"]


def test_insert_returns_its_key_and_stores_dates_sqlalchemy_can_read(db: Database) -> None:
    columns = ("card_pk", "reviewed_at", "study_day", "quality", "kind", "due_after")
    at = datetime(2026, 3, 4, 8, 15, 30, 250000)
    row = {
        "card_pk": 1,
        "reviewed_at": at,
        "study_day": date(2026, 3, 4),
        "quality": 4,
        "kind": "scheduled",
        "due_after": date(2026, 3, 10),
    }
    defaults = {
        "answer_seconds": 0.0,
        "easiness_before": 2.5,
        "repetitions_before": 0,
        "interval_before": 0,
        "due_before": None,
        "lapses_before": 0,
        "easiness_after": 2.5,
        "repetitions_after": 1,
        "interval_after": 1,
    }
    add = DriverStatement(insert(ReviewRow).returning(ReviewRow.id), [*columns, *defaults])
    with db.engine.begin() as connection:
        first = add.execute(connection, {**row, **defaults}).rows[0][0]
        second = add.execute(connection, {**row, **defaults}).rows[0][0]
    assert second == first + 1
    with db.engine.connect() as connection:
        stored = list(connection.execute(LOG, {"pk": 1}))
        fast = DriverStatement(LOG).execute(connection, {"pk": 1}).rows
    assert [tuple(r) for r in stored] == fast == [(at, date(2026, 3, 4), date(2026, 3, 10))] * 2


def test_batches_give_every_row_of_a_large_read_converted(db: Database) -> None:
    add = insert(ReviewRow)
    rows = [
        {
            "card_pk": 1,
            "reviewed_at": datetime(2026, 3, 4, 8, 0, i % 60),
            "study_day": date(2026, 3, 1 + i % 28),
            "quality": i % 6,
            "kind": "scheduled",
            "answer_seconds": 1.0,
            "easiness_before": 2.5,
            "repetitions_before": 0,
            "interval_before": 0,
            "lapses_before": 0,
            "easiness_after": 2.5,
            "repetitions_after": 1,
            "interval_after": 1,
        }
        for i in range(250)
    ]
    with db.engine.begin() as connection:
        connection.execute(add, rows)
    read = LOG.order_by(ReviewRow.id)
    with db.engine.connect() as connection:
        batches = list(DriverStatement(read).batches(connection, {"pk": 1}, size=100))
        stored = [tuple(row) for row in connection.execute(read, {"pk": 1})]
    assert [len(batch) for batch in batches] == [100, 100, 50]
    assert [row for batch in batches for row in batch] == stored
    assert isinstance(batches[0][0][1], date)


def test_update_counts_the_rows_it_changed(db: Database) -> None:
    move = DriverStatement(
        update(CardStateRow)
        .where(CardStateRow.card_pk == bindparam("key"))
        .values(due=bindparam("due"))
    )
    with db.engine.begin() as connection:
        assert move.execute(connection, {"key": 1, "due": date(2027, 1, 2)}).rowcount == 1
        assert move.execute(connection, {"key": 99, "due": date(2027, 1, 2)}).rowcount == 0
    with db.read() as session:
        assert session.get(CardStateRow, 1).due == date(2027, 1, 2)  # type: ignore[union-attr]


def test_a_driver_failure_is_explained_in_one_line(db: Database) -> None:
    # Errors from the driver reach the fronts unwrapped by SQLAlchemy; they must
    # still become the one-line account, not a traceback.
    read = DriverStatement(select(CardStateRow.due).where(CardStateRow.card_pk == bindparam("pk")))
    with db.engine.begin() as connection:
        connection.execute(CardStateRow.__table__.delete())
        connection.exec_driver_sql("DROP TABLE card_states")
    with db.engine.connect() as connection, pytest.raises(Exception) as raised:
        read.execute(connection, {"pk": 1})
    assert type(raised.value).__module__.startswith(("sqlite3", "psycopg"))
    explained = explain(raised.value, db.path)
    assert isinstance(explained, CollectionError)
    assert "\n" not in str(explained) and "card_states" in str(explained)
