import multiprocessing
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import FixedClock, collection_url, migrate_to
from sqlalchemy import event, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import SQLAlchemyError

from quizdl.store import triggers
from quizdl.store.db import HEAD_REVISION, Database
from quizdl.store.models import Base
from quizdl.study.factory import open_study


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    db.replay_migrations()
    assert db.current_revision() == HEAD_REVISION
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    db.migrate()  # idempotent
    db.close()


def _schema(db: Database) -> dict[str, object]:
    """Everything about a collection's schema that behaviour depends on: columns
    (type, nullability, default, key), indexes, foreign keys, triggers (and on
    PostgreSQL the trigger functions), and the recorded revision."""
    found: dict[str, object] = {"revision": db.current_revision()}
    with db.engine.connect() as connection:
        inspector = sa_inspect(connection)
        for table in sorted(inspector.get_table_names()):
            found[table] = {
                "columns": [
                    (c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in inspector.get_columns(table)
                ],
                "key": inspector.get_pk_constraint(table)["constrained_columns"],
                "indexes": sorted(
                    (i["name"] or "", tuple(i["column_names"]), bool(i["unique"]))
                    for i in inspector.get_indexes(table)
                ),
                "unique": sorted(
                    tuple(u["column_names"]) for u in inspector.get_unique_constraints(table)
                ),
                "foreign": sorted(
                    (
                        f["referred_table"],
                        tuple(f["constrained_columns"]),
                        tuple(f["referred_columns"]),
                        str(f["options"].get("ondelete")),
                    )
                    for f in inspector.get_foreign_keys(table)
                ),
            }
        if connection.dialect.name == "sqlite":
            found["triggers"] = connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
            ).all()
        else:
            found["triggers"] = connection.exec_driver_sql(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal ORDER BY tgname"
            ).all()
            found["functions"] = connection.execute(
                text(
                    "SELECT proname, prosrc FROM pg_proc "
                    "WHERE proname LIKE :prefix ORDER BY proname"
                ),
                {"prefix": "card_counts%"},
            ).all()
    return found


def test_a_new_collection_gets_the_schema_every_migration_builds(tmp_path: Path) -> None:
    """A new collection is made from the tables and triggers in one go; an
    existing one is upgraded migration by migration. Both must end the same,
    or a learner's collection would differ from a new one (runs on PostgreSQL
    too when QUIZDL_TEST_POSTGRES names a server)."""
    made = Database(collection_url(tmp_path, "made"))
    replayed = Database(collection_url(tmp_path, "replayed"))
    try:
        made.migrate()
        replayed.replay_migrations()
        made_schema, replayed_schema = _schema(made), _schema(replayed)
        assert made_schema["revision"] == HEAD_REVISION
        assert len(made_schema["triggers"]) == 5  # type: ignore[arg-type]
        assert made_schema == replayed_schema
    finally:
        made.close()
        replayed.close()


def test_a_new_collection_is_made_whole_or_not_at_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure while the schema is made (here a trigger that cannot be created)
    leaves no half-made collection behind: the next start makes it whole."""
    db = Database(collection_url(tmp_path, "whole"))
    try:
        broken = ("CREATE TRIGGER broken AFTER INSERT ON nowhere BEGIN SELECT 1; END",)
        monkeypatch.setattr(triggers, "card_count_triggers", lambda dialect: broken)
        with pytest.raises(SQLAlchemyError):
            db.migrate()
        with db.engine.connect() as connection:
            assert sa_inspect(connection).get_table_names() == []
        monkeypatch.undo()
        db.migrate()
        assert _schema(db)["revision"] == HEAD_REVISION
        assert len(_schema(db)["triggers"]) == 5  # type: ignore[arg-type]
    finally:
        db.close()


def _first_start(url: str, barrier: Any) -> str | None:
    barrier.wait()
    db = Database(url)
    try:
        db.migrate()
        return db.current_revision()
    finally:
        db.close()


def test_two_first_starts_at_once_make_one_collection(tmp_path: Path) -> None:
    """Two processes opening the same new collection at the same moment (the app
    and a CLI command, say) both succeed, and the schema is made once."""
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(2) as pool:
        barrier = manager.Barrier(2)
        revisions = pool.starmap(_first_start, [(url, barrier), (url, barrier)])
    assert revisions == [HEAD_REVISION, HEAD_REVISION]
    replayed = Database(f"sqlite:///{tmp_path / 'replayed.sqlite3'}")
    made = Database(url)
    try:
        replayed.replay_migrations()
        assert _schema(made) == _schema(replayed)
    finally:
        made.close()
        replayed.close()


def _start_and_import(url: str, deck: str | None, barrier: Any) -> tuple[int, int]:
    """A quizdl start with the shipped decks, then (if given) an import of ``deck``:
    the decks and cards it finds afterwards."""
    barrier.wait()
    service = open_study(database_url=url)
    try:
        if deck is not None:
            service.import_file(Path(deck))
        with service.db.reading() as connection:
            decks = connection.execute(text("SELECT count(*) FROM decks")).scalar_one()
            cards = connection.execute(text("SELECT count(*) FROM cards")).scalar_one()
        return decks, cards
    finally:
        service.db.close()


@pytest.mark.parametrize("imported", [False, True], ids=["first-start", "same-deck"])
def test_two_starts_importing_at_once_both_succeed(
    tmp_path: Path, small_deck: Path, imported: bool
) -> None:
    """The app and a CLI command started together on a new home both import the
    shipped decks (and here, both the learner's same deck). Each import compared
    the cards with the collection before the other's were committed, so one of
    the two failed on a unique key, in 8 of 10 tries. Now both succeed, and every
    deck is there once, with as many cards as one start alone makes. Three
    rounds, each on a new collection."""
    deck = str(small_deck) if imported else None
    alone = _start_and_import(collection_url(tmp_path, "alone"), deck, threading.Barrier(1))
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(2) as pool:
        for round_ in range(3):
            url = collection_url(tmp_path, f"q{round_}")
            barrier = manager.Barrier(2)
            found = pool.starmap(_start_and_import, [(url, deck, barrier)] * 2)
            assert found == [alone, alone]


def test_an_upgrade_that_fails_halfway_changes_nothing(tmp_path: Path) -> None:
    """A new quizdl upgrading an older collection, stopped by a failure in its
    second migration (a full disk, say): the collection is left as it was, with
    the learner's answers, and the next start upgrades it. Each migration's DDL
    used to commit by itself, leaving a table the next start tried to create
    again, so that every later start failed."""
    db = Database(collection_url(tmp_path, "old"))
    try:
        migrate_to(db, "0007")
        with db.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO decks (id, title, description, version, tags, origin, "
                    "imported_at) VALUES ('d', 'D', '', '1', '[]', 'imported', "
                    "'2026-01-01 00:00:00')"
                )
            )
        before = _schema(db)

        def full_disk(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            if "CREATE TABLE card_memories" in statement:
                dbapi = db.engine.dialect.loaded_dbapi
                raise dbapi.OperationalError("database or disk is full")

        event.listen(db.engine, "before_cursor_execute", full_disk)
        with pytest.raises(SQLAlchemyError, match="disk is full"):
            db.migrate()
        event.remove(db.engine, "before_cursor_execute", full_disk)
        assert _schema(db) == before  # 0008's table is not left behind either
        db.migrate()
        assert db.current_revision() == HEAD_REVISION
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT title FROM decks")).scalar() == "D"
    finally:
        db.close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


def test_switching_to_wal_waits_for_another_writer(tmp_path: Path) -> None:
    """A file not yet in WAL mode while another process writes it (the other of
    two first starts, or a file made by another tool): opening it waits for that
    write instead of failing at once with "database is locked", which SQLite
    reports for the switch without waiting out the busy timeout."""
    path = tmp_path / "q.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("CREATE TABLE other (n INTEGER)")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO other VALUES (1)")
    done = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    done.start()
    db = Database(f"sqlite:///{path}")
    try:
        with db.reading() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("SELECT n FROM other")).scalar() == 1
    finally:
        done.join()
        db.close()
        writer.close()


def _answer_decks(url: str, deck_ids: list[str]) -> int:
    service = open_study(database_url=url, clock=FixedClock(), bundled=[])
    answered = 0
    for deck_id in deck_ids:
        for entry in service.queue(deck_id):
            service.answer(entry.pk, 5)
            answered += 1
    service.db.close()
    return answered


def test_two_processes_write_at_once_without_failing(tmp_path: Path, small_deck: Path) -> None:
    url = f"sqlite:///{tmp_path / 'q.sqlite3'}"
    service = open_study(database_url=url, clock=FixedClock(), bundled=[])
    service.import_file(small_deck)
    deck = service.export_deck("small")[0]
    copies = [f"copy{n}" for n in range(40)]
    for deck_id in copies:
        service.import_deck(deck.model_copy(update={"id": deck_id}))
    service.db.close()
    context = multiprocessing.get_context("spawn")
    with context.Pool(2) as pool:
        # Each process answers its own decks, so both write throughout.
        results = pool.starmap(_answer_decks, [(url, copies[::2]), (url, copies[1::2])])
    # Neither failed with "database is locked", and every answer was stored.
    assert results == [80, 80]
    check = open_study(database_url=url, clock=FixedClock(), bundled=[])
    assert check.stats().reviews_today == 160
    check.db.close()
