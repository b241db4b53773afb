"""The least an import written in Python can take for bench_import's files.

A floor import does strictly less than any correct import: it opens a new
collection exactly as quizdl does, reads the rows (the package's notes with
sqlite3, the CSV with the csv module), makes each card's JSON with orjson and
stores the cards and their unseen states with sqlite3's own ``executemany`` in
one transaction, into quizdl's real tables (same indexes, same triggers). No
validation, no ids made from the text, no plan, no placeholder or duplicate
checks. An .apkg field is turned into text either by deleting its tags with one
regex (the floor) or by quizdl's own HTML to Markdown converter.

If the floor is slower than Anki, no Python import built this way can beat Anki
on that file: the remaining gap is the language's, not the design's.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

from quizdl.importers.html_text import html_to_markdown
from quizdl.importers.source import MediaNotes
from quizdl.study.factory import open_study

_TAG = re.compile(r"<[^>]*>")
_DECK = "floor"


def strip_tags(field: str) -> str:
    return _TAG.sub("", field)


def quizdl_markdown(field: str) -> str:
    return html_to_markdown(field, MediaNotes())


def _apkg_notes(path: Path, directory: Path) -> list[tuple[str, str, str]]:
    """(guid, fields, tags) of every note; the bench package is a legacy
    collection.anki2, stored uncompressed in the zip."""
    collection = directory / "collection.anki2"
    with zipfile.ZipFile(path) as package:
        collection.write_bytes(package.read("collection.anki2"))
    connection = sqlite3.connect(collection)
    try:
        return connection.execute("SELECT guid, flds, tags FROM notes").fetchall()
    finally:
        connection.close()


def _card(
    position: int, card_id: str, question: str, answer: str, tags: list[str]
) -> tuple[Any, ...]:
    content = {"type": "qa", "id": card_id, "question": question, "answer": answer, "tags": tags}
    return (
        _DECK,
        card_id,
        "qa",
        position,
        orjson.dumps(content).decode(),
        f"{question} {answer}".lower(),
    )


def _apkg_cards(
    path: Path, directory: Path, convert: Callable[[str], str]
) -> list[tuple[Any, ...]]:
    cards = []
    for position, (guid, fields, tags) in enumerate(_apkg_notes(path, directory)):
        front, back = fields.split("\x1f", 1)
        cards.append(_card(position, guid, convert(front), convert(back), tags.split()))
    return cards


def _csv_cards(path: Path) -> list[tuple[Any, ...]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            _card(position, f"c{position}", row[0], row[1], [])
            for position, row in enumerate(csv.reader(handle))
        ]


def floor_import(path: Path, convert: Callable[[str], str] = strip_tags) -> int:
    """Import ``path`` into a new collection the floor's way; returns the cards stored."""
    with tempfile.TemporaryDirectory() as home:
        service = open_study(database_url=f"sqlite:///{home}/q.sqlite3", bundled=[])
        try:
            if path.suffix == ".apkg":
                cards = _apkg_cards(path, Path(home), convert)
            else:
                cards = _csv_cards(path)
            raw: Any = service.db.engine.raw_connection()
            try:
                driver = raw.driver_connection
                driver.execute("BEGIN IMMEDIATE")
                driver.execute(
                    "INSERT INTO decks (id, title, description, version, tags, origin, "
                    "imported_at) VALUES (?, ?, '', '1', '[]', 'imported', "
                    "'2026-01-01 00:00:00')",
                    (_DECK, _DECK),
                )
                driver.executemany(
                    "INSERT INTO cards (deck_id, card_id, type, position, content, "
                    "search_text, retired, suspended) VALUES (?, ?, ?, ?, ?, ?, 0, 0)",
                    cards,
                )
                driver.execute(
                    "INSERT INTO card_states (card_pk, easiness, repetitions, interval, lapses) "
                    "SELECT pk, 2.5, 0, 0, 0 FROM cards"
                )
                driver.execute("COMMIT")
                return int(driver.execute("SELECT count(*) FROM card_states").fetchone()[0])
            finally:
                raw.close()
        finally:
            service.db.close()
