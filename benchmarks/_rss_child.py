"""Peak memory of one job in a process of its own (run by the benchmarks).

``python _rss_child.py MODE ARGS...`` does the job and prints its peak RSS in
MB as the last line. Modes: quizdl-import FILE DIR, anki-notes N DIR,
quizdl-stats URL, anki-stats FILE, anki-import FILE DIR.
"""

from __future__ import annotations

import sys
from pathlib import Path

from _table import peak_rss_mb


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "quizdl-import":
        from quizdl.importers import ImportOptions, read_source
        from quizdl.study.factory import open_study

        source_path, directory = Path(args[0]), Path(args[1])
        service = open_study(database_url=f"sqlite:///{directory / 'rss.sqlite3'}", bundled=[])
        if source_path.suffix == ".yaml":
            service.import_file(source_path)
        else:
            source = read_source(source_path, ImportOptions())
            service.import_deck(source.deck, content_hash=source.content_hash)
        service.db.close()
    elif mode == "anki-notes":
        from anki.collection import AddNoteRequest, Collection

        col = Collection(str(Path(args[1]) / "rss.anki2"))
        basic = col.models.by_name("Basic")
        target = col.decks.id("Import bench")
        requests = []
        for i in range(int(args[0])):
            note = col.new_note(basic)  # type: ignore[arg-type]
            note["Front"], note["Back"] = f"Question {i}?", f"Answer {i}."
            note.tags = ["bench"]
            requests.append(AddNoteRequest(note=note, deck_id=target))  # type: ignore[arg-type]
        col.add_notes(requests)
        col.close()
    elif mode == "anki-import":
        from bench_import import anki_import

        anki_import(Path(args[0]))
    elif mode == "quizdl-stats":
        from datetime import UTC, datetime

        from quizdl.study.factory import open_study

        now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
        service = open_study(database_url=args[0], clock=lambda: now, bundled=[])
        service.stats()
        service.db.close()
    elif mode == "anki-stats":
        from anki.collection import Collection

        col = Collection(args[0])
        col.sched.deck_due_tree()
        col.studied_today()
        col.close()
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print(f"{peak_rss_mb():.1f}")


if __name__ == "__main__":
    main()
