"""The database handle: engine, one session per unit of work, migrations."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Column,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    create_engine,
    event,
    inspect,
    text,
)
from sqlalchemy.engine import Connection, Engine

from quizdl.store.bulk import dumps_json
from quizdl.store.checkpoint import SAFETY_PAGES, WAL_KEEP_BYTES, WalCheckpointer
from quizdl.store.faults import CollectionError, CollectionReadOnly, check_header

if TYPE_CHECKING:
    from typing import TypeAlias

    from sqlalchemy.orm import Session, sessionmaker

    # What a read runs on: a bare connection (``Database.reading``) or, inside a
    # unit of work that already holds one, an ORM session.
    Reader: TypeAlias = Connection | Session
    # The same for a write, which commits with the caller's transaction.
    Writer: TypeAlias = Connection | Session

# The newest migration. Checked before Alembic is even imported so that the
# common case (schema up to date) costs one query at start-up.
HEAD_REVISION = "0009"
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# How long a connection waits for another's lock before "database is locked".
_BUSY_TIMEOUT_S = 5.0
# The PostgreSQL advisory lock that stands for SQLite's write lock where quizdl
# needs one: while the schema is made or upgraded, and during imports.
_WRITE_LOCK = 0x7175697A  # "quiz"
# Alembic's own record of the schema revision, as Alembic creates it.
_ALEMBIC_VERSION = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), nullable=False),
    PrimaryKeyConstraint("version_num", name="alembic_version_pkc"),
)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(_BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_write_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets a second quizdl process read while one writes; the busy timeout
    # makes writers wait for each other instead of failing with "locked".
    _use_wal(cursor)
    # NORMAL is durable against a killed process (the OS keeps the WAL);
    # only a power cut could lose the last transaction.
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Checkpoints run on a thread of their own (store.checkpoint); a writer
    # only checkpoints by itself past this bound.
    cursor.execute(f"PRAGMA wal_autocheckpoint={SAFETY_PAGES}")
    # ...and a WAL that grew that far (a big import) is cut back when reused.
    cursor.execute(f"PRAGMA journal_size_limit={WAL_KEEP_BYTES}")
    cursor.close()


def _use_wal(cursor: Any) -> None:
    """Put the file in WAL mode, which it keeps once set. Switching needs the
    file to itself, and SQLite reports a competing process at that moment (two
    first starts at once: the app and a CLI command) as "locked" at once, not
    after the busy timeout, so the switch is retried here for as long."""
    deadline = time.monotonic() + _BUSY_TIMEOUT_S
    while True:
        try:
            # Reading the mode only needs a shared lock, which the busy timeout
            # covers; a collection already in WAL (every start but its first)
            # never asks for the exclusive one.
            if cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal":
                return
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def _take_write_lock(connection: Connection) -> None:
    """Hold the collection's write lock until the connection's transaction ends;
    another writer waits for it (up to the busy timeout on SQLite)."""
    if connection.dialect.name == "sqlite":
        # pysqlite would only begin at the first write, with the reads before
        # it outside any transaction; BEGIN IMMEDIATE takes the lock now.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _WRITE_LOCK})


def connection_of(reader: Reader) -> Connection:
    """The connection a read runs on (a session's own, inside a unit of work)."""
    return reader if isinstance(reader, Connection) else reader.connection()


def sqlite_path(url: str) -> Path | None:
    """The file behind an SQLite URL (None for other engines and :memory:)."""
    if not url.startswith("sqlite:///") or url == "sqlite:///:memory:":
        return None
    return Path(url.removeprefix("sqlite:///")).expanduser()


class Database:
    """``read_only`` opens the file so that no statement can change it: for a
    read-only file or folder, and for a second app on a collection in use."""

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self.url = url
        self.read_only = read_only
        self.path = sqlite_path(url)
        engine_url = url
        if self.path is not None:
            if read_only:
                # immutable: without a writable folder SQLite cannot create the
                # shared-memory file WAL readers need, and nobody can write there.
                immutable = "&immutable=1" if not os.access(self.path.parent, os.W_OK) else ""
                engine_url = f"sqlite:///file:{self.path}?mode=ro{immutable}&uri=true"
            else:
                check_header(self.path)
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise CollectionError(
                        f"cannot create the folder {self.path.parent} for the collection: "
                        f"{exc.strerror or exc} (set QUIZDL_HOME to a writable folder)"
                    ) from None
        self.engine: Engine = create_engine(engine_url, json_serializer=dumps_json)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
            if not read_only:
                event.listen(self.engine, "connect", _sqlite_write_pragmas)
        self._session_factory: sessionmaker[Session] | None = None
        self.checkpointer = (
            WalCheckpointer(self.path) if self.path is not None and not read_only else None
        )

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        """A small unit of work on a bare connection (no ORM session), committed
        when the block ends: an answer. Each one counts toward the background
        WAL checkpoint (store.checkpoint)."""
        with self.engine.begin() as connection:
            yield connection
        if self.checkpointer is not None:
            self.checkpointer.after_commit()

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A read on a bare connection (never commits): what start-up, statistics
        and the deck list use, so that they never load the ORM."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed when the block ends, rolled back on error."""
        with self._sessions()() as session, session.begin():
            yield session

    @contextmanager
    def locked_session(self) -> Iterator[Session]:
        """A unit of work that holds the collection's write lock from its first
        read: for work that decides what to write from what it reads, such as
        an import's comparison with the cards already stored. Without the lock
        a second process (two first starts syncing the bundled decks, two
        imports of one deck) compared against cards the first was about to
        commit, and then failed on the unique keys it inserted again."""
        with self.session() as session:
            _take_write_lock(session.connection())
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (never commits)."""
        with self._sessions()() as session:
            yield session

    def _sessions(self) -> sessionmaker[Session]:
        # The ORM (~80 ms to import here) loads with the first unit of work that
        # needs objects, not with every command that opens the collection.
        if self._session_factory is None:
            from sqlalchemy.orm import sessionmaker

            self._session_factory = sessionmaker(self.engine, expire_on_commit=False)
        return self._session_factory

    def current_revision(self) -> str | None:
        with self.reading() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def migrate(self) -> None:
        """Bring the schema to the newest revision, keeping the learner's data.

        A new, empty collection gets the newest schema in one go instead:
        Alembic (~100 ms to import) and the replay of every migration were most
        of a first start and of every import into a new collection."""
        revision = self.current_revision()
        if revision == HEAD_REVISION:
            return
        if self.read_only:
            raise CollectionReadOnly(
                f"{self.path or self.url} needs an upgrade to this quizdl version, "
                "but it can only be read; make it writable and start again"
            )
        if revision is None and self._create_newest():
            return
        self.replay_migrations()

    def _create_newest(self) -> bool:
        """The tables, the card_counts triggers and the version Alembic would
        have left, in one transaction, if the collection is empty; whether it
        was (tests/store compares the result with a replay of every migration)."""
        from quizdl.store.tables import metadata
        from quizdl.store.triggers import card_count_triggers

        with self._schema_change() as connection:
            if inspect(connection).get_table_names():
                return False  # tables without a revision, or another process made them
            metadata.create_all(connection)
            for statement in card_count_triggers(connection.dialect.name):
                connection.execute(text(statement))  # as the migration runs them
            _ALEMBIC_VERSION.create(connection)
            connection.execute(_ALEMBIC_VERSION.insert().values(version_num=HEAD_REVISION))
        return True

    def replay_migrations(self) -> None:
        """Run every migration the collection has not had yet, through Alembic."""
        from alembic import command
        from alembic.config import Config

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self._schema_change() as connection:
            # Alembic reads the revision again under the lock: a start that
            # waited for another's upgrade finds nothing left to do.
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    @contextmanager
    def _schema_change(self) -> Iterator[Connection]:
        """One transaction for a whole schema change, holding the write lock.

        pysqlite runs DDL outside any transaction unless one is open, so each
        CREATE committed by itself: a failure halfway (a full disk, a killed
        start) left half a change that the next start then tried to make again
        and could not. The lock makes a second start (the app and a CLI command
        at once) wait for this one instead of making the change twice."""
        with self.engine.begin() as connection:
            _take_write_lock(connection)
            yield connection

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.close()
        self.engine.dispose()
