import multiprocessing
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from helpers import FixedClock

from quizdl.store.db import HEAD_REVISION, Database
from quizdl.store.models import Base
from quizdl.study.factory import open_study


def test_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'q.sqlite3'}")
    db.migrate()
    assert db.current_revision() == HEAD_REVISION
    with db.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []
    db.migrate()  # idempotent
    db.close()


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.close()
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    connection.close()


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
