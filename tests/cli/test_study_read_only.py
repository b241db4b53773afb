"""``quizdl study`` on a collection it cannot write: refused before the app opens."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from helpers import run_quizdl, write_deck
from store.disk import read_only_file

from quizdl.study.factory import open_study

DB_NAME = "quizdl.sqlite3"


def rows_of(database: Path) -> dict[str, list[tuple[object, ...]]]:
    """What an answer or a study session would change (WAL included)."""
    connection = sqlite3.connect(database)
    try:
        return {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("reviews", "review_days", "card_states", "cards")
        }
    finally:
        connection.close()


def test_study_refuses_a_read_only_collection_in_one_line_and_writes_nothing(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    database = home / DB_NAME
    setup = open_study(database_url=f"sqlite:///{database}", bundled=[])
    try:
        setup.import_file(write_deck(tmp_path))
    finally:
        setup.db.close()
    before = rows_of(database)

    with read_only_file(database):
        result = run_quizdl(home, "study", "--new", "2")
        listed = run_quizdl(home, "study", "--deck", "small", "--list")

    assert result.returncode == 2, (result.stdout, result.stderr)
    message = result.stderr.strip()
    assert len(message.splitlines()) == 1, message
    assert "Traceback" not in message
    assert message.startswith("quizdl: Answers cannot be saved:")
    assert str(database) in message and "read-only" in message
    assert result.stdout == ""
    # Listing the cards only reads, so it still works.
    assert listed.returncode == 0, listed.stderr
    assert "small/relu" in listed.stdout.splitlines()
    assert rows_of(database) == before
