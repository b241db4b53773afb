"""Foundation measures against Anki's own library on the same collection.

Collection: N cards (default 100,000; 90% in review, due from 5 days overdue to
60 days ahead) and 10 reviews per card over the past year, built alike in
quizdl (SQLite, and PostgreSQL when a server can be started here) and in Anki.
Measures, each quizdl side run in turns with Anki's so load falls on both:

- today's queue: quizdl ``queue()``; Anki the first ``get_queued_cards()``
  after opening the collection. Budget 50 ms.
- answer p50/p99: quizdl ``answer()``; Anki ``get_card`` + ``build_answer`` +
  ``answer_card`` (its queue fetch between answers is not timed), in blocks of
  25 answers taking turns, 500 each. Budget p99 10 ms.
- stats: quizdl ``stats()`` (per-deck counts, retention, streak, 90-day history,
  30-day forecast); Anki ``deck_due_tree()`` + ``studied_today()``.
- import 10,000 YAML cards: quizdl reads, validates and stores the file in a
  fresh collection; Anki ``add_notes()`` of 10,000 notes built in memory (it
  parses no file). Budget 2 s.
- peak RSS of the import and of stats, each in a process of its own.
- whole processes ``quizdl stats`` and ``quizdl decks list``: budget 300 ms.

Growth: the same at every size in --sizes (1,000,000 is opt-in: it takes long),
and today's queue under an interview plan over every deck (no Anki counterpart):
its first read, which replays every card's log through FSRS, and the next
ones, which find the memories kept.

Run: .venv/bin/python benchmarks/bench_foundation.py [--sizes 10000,100000]
     [--no-postgres] [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from _postgres import create_database, postgres_server, why_not
from _table import Row, emit, interleaved, percentile, scratch_dir
from sqlalchemy import text

from quizdl.decks.loader import load_deck
from quizdl.decks.model import ConceptCard, Deck
from quizdl.study import daily
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
REVIEWS_PER_CARD = 10
IMPORT_CARDS = 10_000
ANSWERS = 500
ANSWER_BLOCK = 25
HERE = Path(__file__).resolve().parent
MAIN_SIZE = 100_000


def _clock() -> datetime:
    return NOW


# -- building the same collection on both sides ------------------------------


def _schedule(
    cards: int, seed: int
) -> tuple[list[tuple[int, date, int]], list[tuple[int, int, int, int]]]:
    """The same draws for quizdl and Anki: 90% of the cards in review (1-based
    position, due day, interval) and their review log (position, days ago, quality,
    interval set), REVIEWS_PER_CARD answers each over the past year, oldest first.

    The log and the states tell one story, as the app keeps them: each card's
    last answer set its interval, and its due day is that answer's day plus it.
    """
    rng = random.Random(seed)
    due: list[tuple[int, date, int]] = []
    log: list[tuple[int, int, int, int]] = []
    for position in range(1, cards + 1):
        if position % 10 == 0:
            continue  # 10% stay new: never answered
        day = TODAY + timedelta(days=rng.randint(-5, 60))
        last = min(TODAY - timedelta(days=1), day - timedelta(days=10))
        interval = (day - last).days
        due.append((position, day, interval))
        last_ago = (TODAY - last).days
        for _ in range(REVIEWS_PER_CARD - 1):
            log.append((position, rng.randint(last_ago + 1, 366), rng.randint(2, 5), 6))
        log.append((position, last_ago, 4, interval))
    log.sort(key=lambda answer: -answer[1])  # the log's ids follow time
    return due, log


def _load_rows(service: StudyService, table: str, columns: list[str], rows: list[Any]) -> None:
    """Bulk rows straight into a table: COPY on PostgreSQL, executemany on SQLite."""
    with service.db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            raw: Any = connection.connection.driver_connection
            with raw.cursor() as cursor:
                names = ", ".join(columns)
                with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            connection.exec_driver_sql(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
                [tuple(_sqlite_value(v) for v in row) for row in rows],
            )


def _sqlite_value(value: Any) -> Any:
    """Dates as SQLAlchemy stores them in SQLite."""
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def build_quizdl(url: str, cards: int, seed: int) -> None:
    service = open_study(database_url=url, clock=_clock, bundled=[])
    deck_cards = tuple(
        ConceptCard(id=f"c{i}", type="concept", term=f"term {i}", explanation=f"explanation {i}")
        for i in range(cards)
    )
    service.import_deck(Deck(id="big", title="Big", cards=deck_cards))
    due, log = _schedule(cards, seed)
    # States and reviews go straight in: the benchmark measures reading and
    # answering, not a year of simulated learning. The card_counts triggers
    # see these writes like any other.
    with service.db.engine.begin() as connection:
        connection.execute(text("DELETE FROM card_states WHERE card_pk IN (SELECT pk FROM cards)"))
        first = connection.execute(text("SELECT min(pk) FROM cards")).scalar_one()
    states = [(first + n - 1, 2.5, 3, interval, day, 0, False) for n, day, interval in due]
    due_positions = {n for n, _, _ in due}
    states += [
        (first + n - 1, 2.5, 0, 0, None, 0, False)
        for n in range(1, cards + 1)
        if n not in due_positions
    ]
    _load_rows(
        service,
        "card_states",
        ["card_pk", "easiness", "repetitions", "interval", "due", "lapses", "leech"],
        states,
    )
    reviews = []
    for position, days_ago, quality, interval in log:
        day = TODAY - timedelta(days=days_ago)
        reviews.append(
            (
                first + position - 1,
                datetime(day.year, day.month, day.day, 9),
                day,
                quality,
                "scheduled",
                5.0,
                2.5,
                2,
                6,
                None,
                0,
                2.5,
                3,
                interval,
                day + timedelta(days=interval),
            )
        )
    _load_rows(
        service,
        "reviews",
        [
            "card_pk",
            "reviewed_at",
            "study_day",
            "quality",
            "kind",
            "answer_seconds",
            "easiness_before",
            "repetitions_before",
            "interval_before",
            "due_before",
            "lapses_before",
            "easiness_after",
            "repetitions_after",
            "interval_after",
            "due_after",
        ],
        reviews,
    )
    with service.db.session() as session:
        daily.rebuild(session)  # the per-day totals answer() keeps
    if service.db.engine.dialect.name == "postgresql":
        # Planner statistics, which autovacuum gathers soon after a bulk load.
        with service.db.engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    service.db.close()


def build_anki(path: Path, cards: int, seed: int) -> int:
    from anki.collection import AddNoteRequest, Collection

    col = Collection(str(path))
    model = col.models.by_name("Basic")
    deck_id = col.decks.id("Big")
    assert model is not None and deck_id is not None
    requests = []
    for i in range(cards):
        note = col.new_note(model)
        note["Front"], note["Back"] = f"term {i}", f"explanation {i}"
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    col.add_notes(requests)
    today, crt = col.sched.today, col.crt
    card_ids = col.db.list("select id from cards order by id")
    due, log = _schedule(cards, seed)
    col.db.executemany(
        "update cards set type=2, queue=2, ivl=?, factor=2500, due=? where id=?",
        [(interval, today + (day - TODAY).days, card_ids[n - 1]) for n, day, interval in due],
    )
    base_ms = (crt + today * 86400) * 1000
    col.db.executemany(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "values (?,?,?,?,?,?,?,?,?)",
        [
            (
                base_ms - days_ago * 86_400_000 + n,
                card_ids[position - 1],
                -1,
                min(4, quality - 1),
                10,
                6,
                2500,
                5000,
                1,
            )
            for n, (position, days_ago, quality, _) in enumerate(log)
        ],
    )
    col.close()
    return int(deck_id)


# -- the measures -------------------------------------------------------------


@dataclass
class Side:
    """One collection to measure: a quizdl database or Anki's."""

    name: str
    queue: Callable[[], object]
    answer_block: Callable[[int], list[float]]  # answer n cards, seconds of each
    stats: Callable[[], object]
    close: Callable[[], None]


def quizdl_side(name: str, url: str) -> Side:
    service = open_study(database_url=url, clock=_clock, bundled=[])

    def answers(count: int) -> list[float]:
        seconds = []
        for entry in service.queue()[:count]:
            start = time.perf_counter()
            service.answer(entry.pk, 4, 3.0)
            seconds.append(time.perf_counter() - start)
        return seconds

    return Side(name, service.queue, answers, service.stats, service.db.close)


def planned_queue_seconds(url: str, repeat: int) -> tuple[float, float]:
    """Today's queue with an interview plan over every deck (no Anki counterpart):
    the first one replays every card's log through FSRS and keeps the memories
    (``study.card_memory``); the later ones (median) replay only changed logs,
    here none. The plan is cleared after, leaving the collection as it was for
    the other measures (the kept memories stay; nothing else reads them)."""
    service = open_study(database_url=url, clock=_clock, bundled=[])
    try:
        service.set_plan(_clock().date() + timedelta(days=21))
        start = time.perf_counter()
        service.queue()
        first = time.perf_counter() - start
        kept = interleaved({"planned": service.queue}, max(3, repeat // 2))["planned"]
        service.clear_plan()
    finally:
        service.db.close()
    return first, kept


def anki_side(path: Path, deck_id: int) -> Side:
    from anki.collection import Collection
    from anki.scheduler_pb2 import CardAnswer

    # Anki allows one open handle per collection: the queue measure reopens it.
    held: list[Any] = []

    def col() -> Any:
        if not held:
            opened = Collection(str(path))
            opened.decks.select(deck_id)
            held.append(opened)
        return held[0]

    def close() -> None:
        if held:
            held.pop().close()

    def first_queue() -> None:
        # Anki builds its queue when first asked after opening and reuses it
        # after, so each sample opens the collection again and times the build.
        close()
        fresh = col()
        start = time.perf_counter()
        fresh.sched.get_queued_cards(fetch_limit=1)
        first_queue.seconds = time.perf_counter() - start  # type: ignore[attr-defined]

    def answers(count: int) -> list[float]:
        seconds = []
        current = col()
        for _ in range(count):
            queued = current.sched.get_queued_cards(fetch_limit=1)
            if not queued.cards:
                break
            start = time.perf_counter()
            card = current.get_card(queued.cards[0].card.id)
            card.start_timer()
            answer = current.sched.build_answer(
                card=card, states=queued.cards[0].states, rating=CardAnswer.GOOD
            )
            current.sched.answer_card(answer)
            seconds.append(time.perf_counter() - start)
        return seconds

    def stats() -> None:
        current = col()
        current.sched.deck_due_tree()
        current.studied_today()

    return Side("anki", first_queue, answers, stats, close)


def _queue_seconds(sides: list[Side], repeat: int) -> dict[str, float]:
    samples: dict[str, list[float]] = {side.name: [] for side in sides}
    for _ in range(repeat):
        for side in sides:
            start = time.perf_counter()
            side.queue()
            elapsed = time.perf_counter() - start
            # Anki's sample times only its queue build (not the collection opening).
            samples[side.name].append(getattr(side.queue, "seconds", elapsed))
    return {name: statistics.median(values) for name, values in samples.items()}


def _answer_samples(sides: list[Side]) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {side.name: [] for side in sides}
    for _ in range(ANSWERS // ANSWER_BLOCK):
        for side in sides:
            samples[side.name] += side.answer_block(ANSWER_BLOCK)
    return samples


# A deck file may be at most 64 MiB (decks.loader.MAX_FILE_BYTES); 400,000 of
# these cards make about 48 MiB, so a million-card import is three files.
CARDS_PER_FILE = 400_000


def write_import_decks(directory: Path, cards: int) -> list[Path]:
    """The YAML files of a ``cards``-card import (one unless it is too large)."""
    paths = []
    for part, first in enumerate(range(0, cards, CARDS_PER_FILE)):
        path = directory / f"import-{cards}-{part}.yaml"
        write_import_deck(path, min(CARDS_PER_FILE, cards - first), first, part)
        paths.append(path)
    return paths


def write_import_deck(path: Path, cards: int, first: int = 0, part: int = 0) -> None:
    deck = {
        "id": "import-bench" if part == 0 else f"import-bench-{part}",
        "title": "Import bench" if part == 0 else f"Import bench {part}",
        "cards": [
            {
                "id": f"q{i}",
                "type": "qa",
                "question": f"Question {i}?",
                "answer": f"Answer {i}.",
                "key_points": ["one", "two"],
                "tags": ["bench"],
            }
            for i in range(first, first + cards)
        ],
    }
    path.write_text(yaml.safe_dump(deck, sort_keys=False), encoding="utf-8")


def _fresh_names() -> Iterator[str]:
    n = 0
    while True:
        n += 1
        yield f"import{n}"


def measure_imports(
    directory: Path, cards: int, repeat: int, pg_url: str | None
) -> dict[str, float]:
    from anki.collection import AddNoteRequest, Collection

    paths = write_import_decks(directory, cards)
    names = _fresh_names()

    def quizdl_sqlite() -> None:
        url = f"sqlite:///{directory / (next(names) + '.sqlite3')}"
        service = open_study(database_url=url, bundled=[])
        start = time.perf_counter()
        for path in paths:
            service.import_file(path)
        quizdl_sqlite.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
        service.db.close()

    def quizdl_pg() -> None:
        assert pg_url is not None
        service = open_study(database_url=create_database(pg_url, next(names)), bundled=[])
        start = time.perf_counter()
        for path in paths:
            service.import_file(path)
        quizdl_pg.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
        service.db.close()

    def anki() -> None:
        col = Collection(str(directory / (next(names) + ".anki2")))
        basic = col.models.by_name("Basic")
        target = col.decks.id("Import bench")
        start = time.perf_counter()
        requests = []
        for i in range(cards):
            note = col.new_note(basic)  # type: ignore[arg-type]
            note["Front"], note["Back"] = f"Question {i}?", f"Answer {i}."
            note.tags = ["bench"]
            requests.append(AddNoteRequest(note=note, deck_id=target))  # type: ignore[arg-type]
        col.add_notes(requests)
        anki.seconds = time.perf_counter() - start  # type: ignore[attr-defined]
        col.close()

    actions: dict[str, Callable[[], None]] = {"sqlite": quizdl_sqlite, "anki": anki}
    if pg_url is not None:
        actions["pg"] = quizdl_pg
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            action()  # collection creation is not timed, only the import
            samples[name].append(action.seconds)  # type: ignore[attr-defined]
    result = {name: statistics.median(values) for name, values in samples.items()}
    result["validate"] = interleaved({"v": lambda: [load_deck(p) for p in paths]}, repeat)["v"]
    return result


def child_rss(*args: str) -> float:
    output = subprocess.run(
        [sys.executable, str(HERE / "_rss_child.py"), *args],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def cli_seconds(url: str, home: Path, command: list[str], repeat: int) -> float:
    env = {**os.environ, "QUIZDL_DATABASE_URL": url, "QUIZDL_HOME": str(home)}
    run = [sys.executable, "-m", "quizdl.cli", *command]
    subprocess.run(run, env=env, check=True, capture_output=True)  # warm the file cache
    return interleaved(
        {"cli": lambda: subprocess.run(run, env=env, check=True, capture_output=True)}, repeat
    )["cli"]


def measure_size(
    directory: Path, cards: int, repeat: int, pg_url: str | None, main: bool
) -> list[Row]:
    seed = 7
    section = f"SQLite, {cards:,} cards"
    pg_section = f"PostgreSQL, {cards:,} cards"
    growth = f"growth: SQLite, {cards:,} cards"
    started = time.perf_counter()
    # Both collections are built in memory (a million generated rows take minutes
    # on a busy disk) and then moved beside each other into the measured folder.
    with build_dir() as building:
        build_quizdl(f"sqlite:///{building / f'q{cards}.sqlite3'}", cards, seed)
        deck_id = build_anki(building / f"anki{cards}.anki2", cards, seed)
        for built in building.iterdir():
            shutil.move(built, directory / built.name)
    url = f"sqlite:///{directory / f'q{cards}.sqlite3'}"
    anki_path = directory / f"anki{cards}.anki2"
    with ExitStack() as stack:
        pg_collection = None
        if pg_url is not None:
            pg_collection = create_database(pg_url, f"c{cards}")
            build_quizdl(pg_collection, cards, seed)
        print(f"  {cards:,} cards built in {time.perf_counter() - started:.0f} s", flush=True)
        sides = [quizdl_side("sqlite", url), anki_side(anki_path, deck_id)]
        if pg_collection is not None:
            sides.append(quizdl_side("pg", pg_collection))
        for side in sides:
            stack.callback(side.close)
        if pg_collection is not None:
            on_sqlite, on_pg = sides[0].stats(), sides[2].stats()
            for field in ("decks", "forecast", "due_today", "due_tomorrow", "next_due"):
                assert getattr(on_sqlite, field) == getattr(on_pg, field), field
        for side in sides:  # first calls compile statements: not what is measured
            side.stats()
            side.queue()
        queue = _queue_seconds(sides, repeat)
        answers = _answer_samples(sides)
        stats = interleaved({side.name: side.stats for side in sides}, repeat)
        planned_first, planned = planned_queue_seconds(url, repeat)
    imports = measure_imports(directory, IMPORT_CARDS if main else cards, repeat, pg_url)
    grown = imports
    if main and cards != IMPORT_CARDS:
        grown = measure_imports(directory, cards, max(3, repeat // 2), None)
    p50 = {name: percentile(values, 0.50) for name, values in answers.items()}
    p99 = {name: percentile(values, 0.99) for name, values in answers.items()}
    anki = {"queue": queue["anki"], "p50": p50["anki"], "p99": p99["anki"]}
    anki |= {"stats": stats["anki"], "import": imports["anki"]}
    growth_rows = [
        Row("today's queue", queue["sqlite"], anki["queue"], section=growth),
        Row("answer p50", p50["sqlite"], anki["p50"], section=growth),
        Row("answer p99", p99["sqlite"], anki["p99"], section=growth),
        Row("stats (in process)", stats["sqlite"], anki["stats"], section=growth),
        Row(f"import {cards:,} YAML cards", grown["sqlite"], grown["anki"], section=growth),
        Row("today's queue under a plan, first (replays every log)", planned_first, section=growth),
        Row("today's queue under a plan, memories kept", planned, section=growth),
    ]
    if not main:
        return growth_rows
    rows = [
        Row("today's queue", queue["sqlite"], anki["queue"], 0.050, True, section=section),
        Row("answer p50", p50["sqlite"], anki["p50"], None, True, section=section),
        Row("answer p99", p99["sqlite"], anki["p99"], 0.010, True, section=section),
        Row("stats (in process)", stats["sqlite"], anki["stats"], None, True, section=section),
        Row(
            f"import {IMPORT_CARDS:,} YAML cards",
            imports["sqlite"],
            anki["import"],
            2.0,
            True,
            section=section,
        ),
        Row(f"validate {IMPORT_CARDS:,}-card YAML", imports["validate"], section=section),
    ]
    import_file = directory / f"import-{IMPORT_CARDS}-0.yaml"
    rss_dir = directory / "rss"
    rss_dir.mkdir(exist_ok=True)
    rows.append(
        Row(
            f"peak RSS, import {IMPORT_CARDS:,} cards",
            child_rss("quizdl-import", str(import_file), str(rss_dir)),
            child_rss("anki-notes", str(IMPORT_CARDS), str(rss_dir)),
            unit="MB",
            section=section,
        )
    )
    rows.append(
        Row(
            "peak RSS, stats",
            child_rss("quizdl-stats", url),
            child_rss("anki-stats", str(anki_path)),
            unit="MB",
            section=section,
        )
    )
    home = directory / "home"
    home.mkdir(exist_ok=True)
    for label, command in (("stats", ["stats"]), ("decks list", ["decks", "list"])):
        rows.append(
            Row(
                f"`quizdl {label}` (whole process)",
                cli_seconds(url, home, command, repeat),
                budget=0.300,
                section=section,
            )
        )
    if pg_url is not None:
        # Reported beside SQLite with the same absolute budgets. The ratio is
        # shown, but Anki is an in-process SQLite library while every statement
        # here is a round trip to a server that syncs each commit to disk, so
        # it is not a goal of its own (the issue asks that PostgreSQL not be
        # made slow by SQLite-only fast paths).
        rows += [
            Row("today's queue", queue["pg"], anki["queue"], 0.050, section=pg_section),
            Row("answer p50", p50["pg"], anki["p50"], section=pg_section),
            Row("answer p99", p99["pg"], anki["p99"], 0.010, section=pg_section),
            Row("stats (in process)", stats["pg"], anki["stats"], section=pg_section),
            Row(
                f"import {IMPORT_CARDS:,} YAML cards",
                imports["pg"],
                anki["import"],
                2.0,
                section=pg_section,
            ),
        ]
    return rows + growth_rows


@contextmanager
def build_dir() -> Iterator[Path]:
    if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
        with tempfile.TemporaryDirectory(prefix="quizdl-build-", dir="/dev/shm") as path:
            yield Path(path)
    else:
        with scratch_dir("quizdl-build-") as path:
            yield path


@contextmanager
def maybe_postgres(directory: Path, wanted: bool) -> Iterator[str | None]:
    problem = why_not() if wanted else "--no-postgres"
    if problem is not None:
        print(f"PostgreSQL rows skipped: {problem}", flush=True)
        yield None
        return
    with postgres_server(directory) as url:
        yield url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="collection sizes, comma-separated")
    parser.add_argument("--repeat", type=int, default=7, help="samples per measure (median)")
    parser.add_argument("--no-postgres", action="store_true")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    try:
        import anki  # noqa: F401
    except ImportError:
        raise SystemExit(
            "Anki's library is needed for the comparison: pip install -e '.[bench]'"
        ) from None
    rows: list[Row] = []
    with (
        scratch_dir("quizdl-bench-") as directory,
        maybe_postgres(directory, not options.no_postgres) as pg_url,
    ):
        for cards in sizes:
            main_size = cards == MAIN_SIZE or (MAIN_SIZE not in sizes and cards == sizes[-1])
            print(f"Measuring at {cards:,} cards…", flush=True)
            rows += measure_size(
                directory, cards, options.repeat, pg_url if main_size else None, main_size
            )
    emit(rows)


if __name__ == "__main__":
    main()
