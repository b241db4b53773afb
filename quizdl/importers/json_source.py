"""JSON: a list of ``{front, back, tags?, id?}`` records, or quizdl's own export.

quizdl's export is ``{"format": "quizdl", "format_version": 1, "deck": {...},
"progress": {...}?}``; a bare deck object (``id``, ``title``, ``cards``) is
read the same way. Structural problems refuse the whole file and name the
record; records with a missing or placeholder answer are skipped as in the
other text formats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quizdl.decks.errors import DeckError, DeckProblem
from quizdl.decks.model import Deck
from quizdl.importers.assemble import DeckBuilder
from quizdl.importers.ids import content_id, given_id
from quizdl.importers.progress import progress_from_data
from quizdl.importers.refuse import refuse
from quizdl.importers.source import ImportOptions, ImportSource

EXPORT_FORMAT = "quizdl"
_FRONT = ("front", "question")
_BACK = ("back", "answer")


def read_json(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        refuse(path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
    except RecursionError:
        refuse(path, "JSON is nested too deeply")
    if isinstance(data, list):
        return _records(path, data, digest, options)
    if isinstance(data, dict):
        if data.get("format") == EXPORT_FORMAT or "deck" in data:
            return _own_export(path, data, digest, options)
        if "id" in data and "cards" in data:
            return _own_export(path, {"deck": data}, digest, options)
        if isinstance(data.get("cards"), list):
            return _records(path, data["cards"], digest, options)
    refuse(path, "expected a list of {front, back} records or a quizdl export")


def _records(path: Path, records: list[Any], digest: str, options: ImportOptions) -> ImportSource:
    builder = DeckBuilder(path, options)
    for number, record in enumerate(records, start=1):
        where = f"record {number}"
        if not isinstance(record, dict):
            refuse(path, f"{where}: expected an object with front and back, got {_kind(record)}")
        front = _text(path, record, _FRONT, where, required=True)
        back = _text(path, record, _BACK, where, required=False)
        tags = record.get("tags", [])
        if isinstance(tags, str):
            tags = tags.split()
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            refuse(path, f"{where}: 'tags' must be a list of strings or one string")
        raw_id = record.get("id")
        if raw_id is not None and not isinstance(raw_id, str | int):
            refuse(path, f"{where}: 'id' must be a string or a number, got {_kind(raw_id)}")
        card_id = given_id(str(raw_id)) if raw_id is not None else content_id(front)
        builder.add_qa(card_id, front, back, tags, where, dedupe_question=raw_id is None)
    deck = builder.build(path.stem, path.stem)
    return ImportSource(deck, "json", path, digest, builder.skipped)


def _text(
    path: Path, record: dict[str, Any], names: tuple[str, ...], where: str, *, required: bool
) -> str:
    for name in names:
        if name in record:
            value = record[name]
            if not isinstance(value, str):
                refuse(path, f"{where}: {name!r} must be a string, got {_kind(value)}")
            return value
    if required:
        refuse(path, f"{where}: missing {names[0]!r} (the question)")
    return ""


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def _own_export(
    path: Path, data: dict[str, Any], digest: str, options: ImportOptions
) -> ImportSource:
    raw_deck = data.get("deck")
    if not isinstance(raw_deck, dict):
        refuse(path, "'deck' must be an object", field="deck")
    try:
        deck = Deck.model_validate(raw_deck)
    except ValidationError as exc:
        problems = [
            DeckProblem(
                str(path), 0, 0, "", f"deck.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
            )
            for e in exc.errors(include_url=False)[:20]
        ]
        raise DeckError(problems) from None
    source = ImportSource(deck, "json", path, digest)
    if options.with_progress and data.get("progress") is not None:
        source.progress = progress_from_data(data["progress"], path, {c.id for c in deck.cards})
    return source
