"""Helpers shared by tests (importable as ``helpers``; conftest holds fixtures)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from quizdl.store.db import Database


def collection_url(directory: Path, name: str) -> str:
    """A fresh collection's database URL: an SQLite file in ``directory``, or, when
    QUIZDL_TEST_POSTGRES names a server (``postgresql+psycopg://user@/db?host=...``),
    a new database made on that server, so the same test runs on PostgreSQL."""
    server = os.environ.get("QUIZDL_TEST_POSTGRES")
    if not server:
        return f"sqlite:///{directory / f'{name}.sqlite3'}"
    import uuid

    import psycopg

    database = f"{name}_{uuid.uuid4().hex}"
    plain = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{database}"')
    base, _, query = server.partition("?")
    return base.rsplit("/", 1)[0] + f"/{database}" + (f"?{query}" if query else "")


def migrate_to(db: Database, revision: str, *, downgrade: bool = False) -> None:
    """Move ``db``'s schema to ``revision`` through Alembic, as an older quizdl
    left it (or back down to it)."""
    from alembic import command
    from alembic.config import Config

    from quizdl.store.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        (command.downgrade if downgrade else command.upgrade)(config, revision)


class FixedClock:
    """A clock tests move by hand; starts at 09:00 UTC on 2026-11-27."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int = 0, hours: float = 0) -> None:
        self.now += timedelta(days=days, hours=hours)


SMALL_DECK = textwrap.dedent(
    """\
    id: small
    title: Small deck
    description: A deck for tests.
    version: 1
    tags: [test]
    cards:
      - id: relu
        type: concept
        term: ReLU
        explanation: max(0, x)
        formula: f(x) = max(0, x)
      - id: dropout
        type: qa
        question: What is dropout?
        answer: Randomly zeroing activations during training.
        key_points: [randomly, regularization]
      - id: softmax-output
        type: mcq
        question: Which activation for a 10-class output layer?
        choices: [ReLU, softmax, sigmoid]
        answer: 1
        explanation: Softmax gives a distribution; ReLU is unbounded; sigmoid is per-class.
      - id: pool
        type: cloze
        text: "keras.layers.MaxPooling2D({{2,2}})"
    """
)


def write_deck(directory: Path, text: str = SMALL_DECK, name: str = "small.yaml") -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def run_quizdl(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``quizdl ARGS`` as a learner runs it: a real process on ``home``."""
    env = {**os.environ, "QUIZDL_HOME": str(home)}
    env.pop("QUIZDL_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "quizdl.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
