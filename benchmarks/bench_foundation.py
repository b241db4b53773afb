"""Foundation budgets, measured against Anki's own library on the same data.

Collection: 100,000 cards and 1,000,000 review rows. Measures: building
today's queue, answer() latency (p50/p99), stats, and validating + importing a
10,000-card YAML deck. Budgets: queue < 50 ms, answer p99 < 10 ms, import of
10,000 cards < 2 s.

Run: .venv/bin/python benchmarks/bench_foundation.py   (needs `pip install anki`
for the comparison column: `make bench` installs it.)
"""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml
from _timing import median_seconds, ms, percentile, table, timed

from quizdl.decks.loader import load_deck
from quizdl.decks.model import ConceptCard, Deck
from quizdl.study import daily
from quizdl.study.factory import open_study

CARDS = 100_000
REVIEWS = 1_000_000
IMPORT_CARDS = 10_000
ANSWERS = 500
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 27)
rng = random.Random(7)


def build_quizdl(directory: Path) -> str:
    url = f"sqlite:///{directory / 'q.sqlite3'}"
    service = open_study(database_url=url, clock=lambda: NOW, bundled=[])
    cards = tuple(
        ConceptCard(id=f"c{i}", type="concept", term=f"term {i}", explanation=f"explanation {i}")
        for i in range(CARDS)
    )
    service.import_deck(Deck(id="big", title="Big", cards=cards))
    service.db.close()
    # Reviews and states go straight in with SQL: the benchmark measures
    # reading and answering, not a year of simulated learning.
    with sqlite3.connect(directory / "q.sqlite3") as db:
        states = []
        for pk in range(1, CARDS + 1):
            if pk % 10 == 0:
                continue  # 10% stay new
            due = TODAY + timedelta(days=rng.randint(-5, 60))
            states.append((2.5, 3, 10, due.isoformat(), pk))
        db.executemany(
            "UPDATE card_states SET easiness=?, repetitions=?, interval=?, due=? WHERE card_pk=?",
            states,
        )
        rows = []
        for n in range(REVIEWS):
            day = TODAY - timedelta(days=rng.randint(1, 365))
            rows.append(
                (
                    rng.randint(1, CARDS),
                    f"{day.isoformat()} 09:00:00.000000",
                    day.isoformat(),
                    rng.randint(2, 5),
                    "scheduled",
                    5.0,
                    2.5,
                    2,
                    6,
                    None,
                    0,
                    2.5,
                    3,
                    10,
                    None,
                )
            )
            if len(rows) == 100_000 or n == REVIEWS - 1:
                db.executemany(
                    "INSERT INTO reviews (card_pk, reviewed_at, study_day, quality, kind,"
                    " answer_seconds, easiness_before, repetitions_before, interval_before,"
                    " due_before, lapses_before, easiness_after, repetitions_after,"
                    " interval_after, due_after) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    rows,
                )
                rows = []
    db.close()
    # The per-day totals are normally kept by answer(); rebuild them once.
    service = open_study(database_url=url, clock=lambda: NOW, bundled=[])
    with service.db.session() as session:
        daily.rebuild(session)
    service.db.close()
    return url


def measure_quizdl(directory: Path) -> dict[str, float]:
    url = build_quizdl(directory)
    service = open_study(database_url=url, clock=lambda: NOW, bundled=[])
    results: dict[str, float] = {}
    results["queue"] = median_seconds(service.queue, repeat=7)
    queue = service.queue()
    samples = [timed(lambda e=entry: service.answer(e.pk, 4, 3.0))[0] for entry in queue[:ANSWERS]]
    results["answer_p50"] = percentile(samples, 0.50)
    results["answer_p99"] = percentile(samples, 0.99)
    results["stats"] = median_seconds(service.stats, repeat=5)
    service.db.close()
    env = {**os.environ, "QUIZDL_DATABASE_URL": url, "QUIZDL_HOME": str(directory)}
    results["stats_cli"] = median_seconds(
        lambda: subprocess.run(
            [sys.executable, "-m", "quizdl.cli", "stats"], env=env, check=True, capture_output=True
        ),
        repeat=3,
    )
    return results


def measure_quizdl_import(directory: Path) -> dict[str, float]:
    deck = {
        "id": "import-bench",
        "title": "Import bench",
        "cards": [
            {
                "id": f"q{i}",
                "type": "qa",
                "question": f"Question {i}?",
                "answer": f"Answer {i}.",
                "key_points": ["one", "two"],
                "tags": ["bench"],
            }
            for i in range(IMPORT_CARDS)
        ],
    }
    path = directory / "import.yaml"
    path.write_text(yaml.safe_dump(deck, sort_keys=False), encoding="utf-8")
    validate = median_seconds(lambda: load_deck(path), repeat=3)
    times = []
    for attempt in range(3):
        service = open_study(
            database_url=f"sqlite:///{directory / f'import{attempt}.sqlite3'}", bundled=[]
        )
        times.append(timed(lambda s=service: s.import_file(path))[0])
        service.db.close()
    return {"validate": validate, "import": sorted(times)[1]}


def measure_anki(directory: Path) -> dict[str, float] | None:
    try:
        from anki.collection import AddNoteRequest, Collection
        from anki.scheduler_pb2 import CardAnswer
    except ImportError:
        return None
    path = str(directory / "anki.anki2")
    col = Collection(path)
    model = col.models.by_name("Basic")
    deck_id = col.decks.id("Big")
    assert model is not None and deck_id is not None
    col.decks.select(deck_id)
    requests = []
    for i in range(CARDS):
        note = col.new_note(model)
        note["Front"], note["Back"] = f"term {i}", f"explanation {i}"
        requests.append(AddNoteRequest(note=note, deck_id=deck_id))
    col.add_notes(requests)
    today = col.sched.today
    crt = col.crt
    # The same shape as quizdl's collection: 90% in review with due dates
    # from 5 days overdue to 60 days ahead, 1M revlog rows over a year.
    db = col.db
    card_ids = db.list("select id from cards order by id")
    updates = []
    for n, cid in enumerate(card_ids, start=1):
        if n % 10 == 0:
            continue
        updates.append((today + rng.randint(-5, 60), cid))
    db.executemany(
        "update cards set type=2, queue=2, ivl=10, factor=2500, due=? where id=?", updates
    )
    revlog = []
    base_ms = (crt + today * 86400) * 1000
    for n in range(REVIEWS):
        revlog.append(
            (
                base_ms - rng.randint(1, 365) * 86_400_000 + n,
                rng.choice(card_ids),
                -1,
                rng.randint(2, 4),
                10,
                6,
                2500,
                5000,
                1,
            )
        )
    db.executemany(
        "insert into revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "values (?,?,?,?,?,?,?,?,?)",
        revlog,
    )
    col.close()

    def fresh_queue() -> None:
        c = Collection(path)
        c.decks.select(deck_id)
        start = time.perf_counter()
        c.sched.get_queued_cards(fetch_limit=1)
        fresh_queue.elapsed.append(time.perf_counter() - start)  # type: ignore[attr-defined]
        c.close()

    fresh_queue.elapsed = []  # type: ignore[attr-defined]
    for _ in range(5):
        fresh_queue()
    results = {"queue": sorted(fresh_queue.elapsed)[2]}  # type: ignore[attr-defined]
    col = Collection(path)
    col.decks.select(deck_id)
    samples = []
    for _ in range(ANSWERS):
        queued = col.sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            break
        start = time.perf_counter()
        card = col.get_card(queued.cards[0].card.id)
        card.start_timer()
        answer = col.sched.build_answer(
            card=card, states=queued.cards[0].states, rating=CardAnswer.GOOD
        )
        col.sched.answer_card(answer)
        samples.append(time.perf_counter() - start)
    results["answer_p50"] = percentile(samples, 0.50)
    results["answer_p99"] = percentile(samples, 0.99)
    results["stats"] = median_seconds(
        lambda: (col.sched.deck_due_tree(), col.studied_today()), repeat=5
    )
    col.close()

    import_times = []
    for attempt in range(3):
        c = Collection(str(directory / f"anki-import{attempt}.anki2"))
        basic = c.models.by_name("Basic")
        target = c.decks.id("Import bench")
        assert basic is not None and target is not None

        def add_all(c: Collection = c, basic: object = basic, target: int = target) -> None:
            reqs = []
            for i in range(IMPORT_CARDS):
                note = c.new_note(basic)  # type: ignore[arg-type]
                note["Front"], note["Back"] = f"Question {i}?", f"Answer {i}."
                note.tags = ["bench"]
                reqs.append(AddNoteRequest(note=note, deck_id=target))  # type: ignore[arg-type]
            c.add_notes(reqs)

        import_times.append(timed(add_all)[0])
        c.close()
    results["import"] = sorted(import_times)[1]
    return results


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        print(f"Building collections: {CARDS:,} cards, {REVIEWS:,} reviews…", flush=True)
        ours = measure_quizdl(directory)
        ours.update(measure_quizdl_import(directory))
        anki = measure_anki(directory)

    def ratio(key: str) -> str:
        if anki is None or key not in anki or anki[key] == 0:
            return "n/a"
        return f"{ours[key] / anki[key]:.2f}"

    def other(key: str) -> str:
        return ms(anki[key]) if anki and key in anki else "n/a (pip install anki)"

    rows = [
        ("today's queue (budget 50 ms)", ms(ours["queue"]), other("queue"), ratio("queue")),
        ("answer p50", ms(ours["answer_p50"]), other("answer_p50"), ratio("answer_p50")),
        (
            "answer p99 (budget 10 ms)",
            ms(ours["answer_p99"]),
            other("answer_p99"),
            ratio("answer_p99"),
        ),
        ("stats (in process)", ms(ours["stats"]), other("stats"), ratio("stats")),
        ("`quizdl stats` (whole process)", ms(ours["stats_cli"]), "", ""),
        ("validate 10k-card YAML", ms(ours["validate"]), "", ""),
        ("import 10k cards (budget 2 s)", ms(ours["import"]), other("import"), ratio("import")),
    ]
    print(table(rows))
    print(
        "\nAnki: queue = first get_queued_cards() after opening; stats = deck_due_tree() +"
        " studied_today(); import = add_notes() of 10k already-parsed notes (no file parsing)."
    )


if __name__ == "__main__":
    main()
