"""Import speed against Anki's own library on the same generated files.

Files: a 20,000-note .apkg (written with genanki, HTML fields and tags) and a
20,000-line two-column CSV. quizdl is timed twice: reading + validating the source
(``read_source``), and the whole import into a fresh collection (one
transaction). Anki is timed importing the same file into a fresh collection
(``import_anki_package`` / ``import_csv``). Each figure is the median of 3 runs.

Run: .venv/bin/python benchmarks/bench_import.py
(the Anki column needs ``pip install anki``; without it the column says so.)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import genanki

from quizdl.importers import ImportOptions, read_source
from quizdl.study.factory import open_study

NOTES = 20_000
RUNS = 3


def _median(action: Callable[[], object]) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


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
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as directory:
        apkg, csv_file = Path(directory) / "bench.apkg", Path(directory) / "bench.csv"
        make_apkg(apkg)
        make_csv(csv_file)
        for label, path in ((f"{NOTES:,}-note .apkg", apkg), (f"{NOTES:,}-line CSV", csv_file)):
            read = _median(lambda path=path: quizdl_read(path))  # type: ignore[misc]
            full = _median(lambda path=path: quizdl_import(path))  # type: ignore[misc]
            problem = anki_import(path)
            if problem is None:
                anki = _median(lambda path=path: anki_import(path))  # type: ignore[misc]
                anki_text, ratio = f"{anki:.2f} s", f"{full / anki:.2f}x"
            else:
                anki_text, ratio = problem, "n/a"
            rows.append((label + " read", f"{read:.2f} s", "", ""))
            rows.append((label + " import", f"{full:.2f} s", anki_text, ratio))
    header = ("measure", "quizdl", "anki", "quizdl/anki")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(4)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    print(f"(median of {RUNS} runs; python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
