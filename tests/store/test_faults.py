"""The collection under real faults: read-only, damaged, locked, full disk.

Each one, through the CLI as a learner runs it, ends in one line naming the
file, what is wrong and what to do, exit status 2, no traceback, nothing
written, and no answer given before it lost.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from helpers import run_quizdl, write_deck
from store.disk import fault_folder, fill_up, make_read_only, read_only_file

from quizdl.store.backup import take_backup
from quizdl.study.factory import open_study

DB_NAME = "quizdl.sqlite3"
ONE_CARD = "id: {id}\ntitle: T\ncards:\n  - {{id: a, type: qa, question: q?, answer: a}}\n"


quizdl = run_quizdl


def one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    message = result.stderr.strip()
    assert "Traceback" not in message
    assert len(message.splitlines()) == 1, message
    assert message.startswith("quizdl: ")
    for word in words:
        assert word in message, message
    return message


def answered_collection(home: Path, tmp_path: Path) -> int:
    """A collection with one answer in it; returns that review's id."""
    study = open_study(database_url=f"sqlite:///{home / DB_NAME}", bundled=[])
    try:
        study.import_file(write_deck(tmp_path))
        entry = study.queue("small")[0]
        return study.answer(entry.pk, 4, 2.0).review_id
    finally:
        study.db.close()


def review_ids(database: Path) -> list[int]:
    connection = sqlite3.connect(f"file:{database}?mode=ro&immutable=1", uri=True)
    try:
        return [row[0] for row in connection.execute("SELECT id FROM reviews")]
    finally:
        connection.close()


def test_read_only_folder_reads_but_refuses_writes(tmp_path: Path) -> None:
    with fault_folder(tmp_path) as home:
        review = answered_collection(home, tmp_path)
        make_read_only(home)
        listed = quizdl(home, "stats", "--json")
        assert listed.returncode == 0, listed.stderr
        other = write_deck(
            tmp_path,
            name="other.yaml",
            text=ONE_CARD.format(id="other"),
        )
        message = one_line_refusal(quizdl(home, "import", str(other)), str(home), "read-only")
        assert "writable" in message
        assert review_ids(home / DB_NAME) == [review]


def test_empty_read_only_folder_names_the_path_and_the_cause(tmp_path: Path) -> None:
    with fault_folder(tmp_path) as home:
        make_read_only(home)
        one_line_refusal(quizdl(home, "stats"), str(home / DB_NAME), "read-only")
        one_line_refusal(quizdl(home / "deeper", "stats"), str(home / "deeper"))


def test_read_only_database_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    review = answered_collection(home, tmp_path)
    with read_only_file(home / DB_NAME):
        assert quizdl(home, "decks", "list").returncode == 0
        other = write_deck(
            tmp_path,
            name="x.yaml",
            text=ONE_CARD.format(id="x"),
        )
        one_line_refusal(quizdl(home, "import", str(other)), "read-only")
    assert review_ids(home / DB_NAME) == [review]


def test_random_bytes_are_refused_untouched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    garbage = os.urandom(50_000)
    (home / DB_NAME).write_bytes(garbage)
    for command in (["stats"], ["decks", "list"], ["import", str(write_deck(tmp_path))]):
        message = one_line_refusal(quizdl(home, *command), str(home / DB_NAME), "damaged")
        assert "no backup exists yet" in message
    assert (home / DB_NAME).read_bytes() == garbage


def test_a_damaged_page_points_to_the_newest_backup(tmp_path: Path) -> None:
    from datetime import datetime

    home = tmp_path / "home"
    home.mkdir()
    review = answered_collection(home, tmp_path)
    database = home / DB_NAME
    backup = take_backup(database, datetime(2026, 11, 27, 9, 0))
    assert backup is not None
    size = database.stat().st_size
    with database.open("r+b") as handle:  # keep the header, wreck the pages
        handle.seek(4096)
        handle.write(b"\xff" * (size - 4096))
    message = one_line_refusal(quizdl(home, "stats"), "damaged", "quizdl backup restore")
    assert backup.name in message
    restored = quizdl(home, "backup", "restore")
    assert restored.returncode == 0, restored.stderr
    assert review_ids(database) == [review]
    assert list(home.glob(f"{DB_NAME}.replaced-*")), "the damaged file is kept aside"


def test_locked_past_the_busy_timeout(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    answered_collection(home, tmp_path)
    holder = sqlite3.connect(home / DB_NAME, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        started = time.monotonic()
        result = quizdl(
            home,
            "import",
            str(
                write_deck(
                    tmp_path,
                    name="y.yaml",
                    text=ONE_CARD.format(id="y"),
                )
            ),
        )
        one_line_refusal(result, str(home / DB_NAME), "busy in another program")
        assert time.monotonic() - started >= 4.5  # it waited for the holder first
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_disk_full_loses_no_earlier_answer(tmp_path: Path) -> None:
    from store.disk import volume

    with volume(tmp_path, size="8m") as home:
        review = answered_collection(home, tmp_path)
        filler = fill_up(home)
        big = "id: big\ntitle: Big\ncards:\n" + "".join(
            f"  - {{id: c{i}, type: qa, question: 'q{i} {'x' * 200}?', answer: '{'y' * 400}'}}\n"
            for i in range(2000)
        )
        deck = tmp_path / "big.yaml"
        deck.write_text(big, encoding="utf-8")
        one_line_refusal(
            quizdl(home, "import", str(deck)), str(home / DB_NAME), "free some disk space"
        )
        filler.unlink()
        assert review_ids(home / DB_NAME) == [review]
        listing = quizdl(home, "decks", "list", "--json")
        assert listing.returncode == 0 and '"big"' not in listing.stdout


def test_a_second_writer_is_not_blocked_by_a_reader(tmp_path: Path) -> None:
    # A read-only app (second instance) must not lock the first one out.
    home = tmp_path / "home"
    home.mkdir()
    answered_collection(home, tmp_path)
    reader = open_study(
        database_url=f"sqlite:///{home / DB_NAME}",
        bundled=[],
        read_only="another quizdl has it open",
    )
    try:
        assert reader.read_only
        done = threading.Event()

        def write() -> None:
            writer = open_study(database_url=f"sqlite:///{home / DB_NAME}", bundled=[])
            try:
                writer.answer(writer.queue("small")[0].pk, 5, 1.0)
            finally:
                writer.db.close()
            done.set()

        reader.deck_summaries()
        thread = threading.Thread(target=write)
        thread.start()
        thread.join(10)
        assert done.is_set()
        assert len(reader.card_detail(reader.find_card("dropout").pk).history) in (0, 1)
    finally:
        reader.db.close()


@pytest.mark.parametrize("reason", ["another quizdl (pid 1 on host) has this collection open"])
def test_read_only_service_refuses_answers_with_one_line(tmp_path: Path, reason: str) -> None:
    from quizdl.store.faults import CollectionReadOnly, explain

    home = tmp_path / "home"
    home.mkdir()
    answered_collection(home, tmp_path)
    study = open_study(database_url=f"sqlite:///{home / DB_NAME}", bundled=[], read_only=reason)
    try:
        assert study.read_only == reason
        with pytest.raises(Exception) as raised:
            study.answer(study.queue("small")[0].pk, 5, 1.0)
        explained = explain(raised.value, home / DB_NAME)
        assert isinstance(explained, CollectionReadOnly)
    finally:
        study.db.close()
