"""Import speed against Anki's own library on the same generated files.

Files: a 20,000-note .apkg (written with genanki, HTML fields and tags) and a
20,000-line two-column CSV. quizdl is timed twice: reading + validating the source
(``read_source``), and the whole import into a fresh collection (one
transaction). Anki is timed importing the same file into a fresh collection
(``import_anki_package`` / ``import_csv``), taking turns with quizdl so load falls
on both. Each figure is the median of 5 runs; peak RSS is measured in a process
of its own per side. The floor rows (_floor.py) are the least a Python import
can take for the same file, in the same turns: where the floor is slower than
Anki, so must every import built on Python and sqlite3 be.

Run: .venv/bin/python benchmarks/bench_import.py
(the Anki column needs ``pip install anki``; without it the column says so.)
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import genanki
from _floor import floor_import, quizdl_markdown
from _table import Row, emit, interleaved, scratch_dir

from quizdl.importers import ImportOptions, read_source
from quizdl.study.factory import open_study

NOTES = 20_000
RUNS = 5
HERE = Path(__file__).resolve().parent


def make_apkg(path: Path) -> None:
    deck = genanki.Deck(1_234_567_890, "Bench::Generated")
    for i in range(NOTES):
        fields = [
            f"What does <b>layer {i}</b> compute?",
            f"<div>It applies <i>W<sub>{i}</sub>x + b</i></div><ul><li>then ReLU</li></ul>",
        ]
        deck.add_note(genanki.Note(genanki.BASIC_MODEL, fields, tags=["bench"], guid=f"b{i}"))
    genanki.Package(deck).write_to_file(str(path))


def make_csv(path: Path) -> None:
    # No header row: Anki's CSV import has no header detection and would import it as a note.
    lines = [f'"What is item {i}, exactly?",Answer number {i}' for i in range(NOTES)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def quizdl_read(path: Path) -> None:
    read_source(path, ImportOptions())


def quizdl_import(path: Path) -> None:
    with tempfile.TemporaryDirectory() as home:
        service = open_study(database_url=f"sqlite:///{home}/q.sqlite3", bundled=[])
        try:
            source = read_source(path, ImportOptions())
            service.import_deck(source.deck, content_hash=source.content_hash)
        finally:
            service.db.close()


def anki_import(path: Path) -> str | None:
    """Import ``path`` with Anki's library; returns why not when it cannot."""
    try:
        from anki.collection import (
            Collection,
            ImportAnkiPackageOptions,
            ImportAnkiPackageRequest,
            ImportCsvRequest,
        )
    except ImportError as exc:
        return f"anki not installed ({exc.name})"
    with tempfile.TemporaryDirectory() as directory:
        col = Collection(str(Path(directory) / "collection.anki2"))
        try:
            if path.suffix == ".apkg":
                options = ImportAnkiPackageOptions(with_scheduling=False)
                col.import_anki_package(
                    ImportAnkiPackageRequest(package_path=str(path), options=options)
                )
            else:
                metadata = col.get_csv_metadata(str(path), None)
                col.import_csv(ImportCsvRequest(path=str(path), metadata=metadata))
            imported = col.note_count()
        finally:
            col.close()
    if imported != NOTES:
        return f"anki imported {imported} notes, expected {NOTES}"
    return None


def main() -> None:
    problem = anki_import_problem()
    rows: list[Row] = []
    with scratch_dir("quizdl-bench-import-") as directory:
        apkg, csv_file = directory / "bench.apkg", directory / "bench.csv"
        make_apkg(apkg)
        make_csv(csv_file)
        for label, path in ((f"{NOTES:,}-note .apkg", apkg), (f"{NOTES:,}-line CSV", csv_file)):
            actions: dict[str, Callable[[], object]] = {
                "read": lambda path=path: quizdl_read(path),  # type: ignore[misc]
                "import": lambda path=path: quizdl_import(path),  # type: ignore[misc]
            }
            floors = _floors(path)
            actions.update(floors)
            if problem is None:
                actions["anki"] = lambda path=path: anki_import(path)  # type: ignore[misc]
            seconds = interleaved(actions, RUNS)
            anki = seconds.get("anki")
            section = "imports (SQLite)"
            rows.append(Row(f"read {label} (no store)", seconds["read"], section=section))
            rows.append(
                Row(f"import {label}", seconds["import"], anki, None, True, section=section)
            )
            for name in floors:
                rows.append(Row(f"{name}, {label}", seconds[name], anki, section=section))
            rss_dir = directory / f"rss-{path.suffix[1:]}"
            rss_dir.mkdir()
            rows.append(
                Row(
                    f"peak RSS, import {label}",
                    child_rss("quizdl-import", str(path), str(rss_dir)),
                    child_rss("anki-import", str(path)) if problem is None else None,
                    unit="MB",
                    section=section,
                )
            )
    if problem is not None:
        print(f"Anki column empty: {problem}")
    print(f"(median of {RUNS} runs, quizdl and Anki in turns; python {sys.version.split()[0]})")
    emit(rows)


def _floors(path: Path) -> dict[str, Callable[[], object]]:
    """The least a Python import can take for ``path`` (see _floor.py), checked to
    store every card so that a broken floor cannot pass for a fast one."""

    def run(convert: Callable[[str], str] | None = None) -> None:
        stored = floor_import(path) if convert is None else floor_import(path, convert)
        if stored != NOTES:
            raise SystemExit(f"floor import of {path.name} stored {stored} cards, not {NOTES}")

    if path.suffix != ".apkg":
        return {"floor (sqlite3 alone)": run}
    return {
        "floor (sqlite3 alone, tags deleted)": run,
        "floor with quizdl's HTML to Markdown": lambda: run(quizdl_markdown),
    }


def anki_import_problem() -> str | None:
    try:
        import anki  # noqa: F401
    except ImportError as exc:
        return f"anki not installed ({exc.name})"
    return None


def child_rss(*args: str) -> float:
    output = subprocess.run(
        [sys.executable, str(HERE / "_rss_child.py"), *args],
        cwd=HERE,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
