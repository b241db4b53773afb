"""JSON: question/answer records in the shapes people publish, or quizdl's own export.

Records are a top-level list, a list inside an object (``cards``, ``notes``,
``questions``…, with the object's ``title`` as the deck title) or one object;
their fields may be named front/back, question/answer, q/a or term/definition,
with ``id``, ``uid`` or ``guid`` as the id. HTML values are converted like
Anki fields.

quizdl's export is ``{"format": "quizdl", "format_version": 1, "deck": {...},
"progress": {...}?}``; a bare deck object (``id``, ``title``, ``cards``) is
read the same way. A record that cannot be read is skipped with its reason
(a file with none left is refused, naming them); records with a missing or
placeholder answer are skipped as in the other text formats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from quizdl.decks.errors import DeckError, DeckProblem
from quizdl.decks.model import Deck
from quizdl.importers.assemble import DeckBuilder
from quizdl.importers.html_text import html_to_markdown, looks_like_html
from quizdl.importers.ids import content_id, given_id
from quizdl.importers.progress import progress_from_data
from quizdl.importers.refuse import refuse
from quizdl.importers.source import ImportOptions, ImportSource, title_fields

EXPORT_FORMAT = "quizdl"
# Field names question banks use, most specific first.
_FRONT = ("front", "question", "q", "term", "prompt", "word", "concept")
_BACK = ("back", "answer", "a", "definition", "explanation", "response", "meaning")
_ID = ("id", "uid", "guid")
_TITLE = ("title", "name", "deck", "deck_name")
# Keys that commonly hold the records when the top level is an object.
_LISTS = ("cards", "notes", "questions", "flashcards", "items", "entries", "data", "qa")
_CARD_TYPES = {"qa", "concept", "mcq", "cloze", "challenge"}


def read_json(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        refuse(path, f"invalid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
    except RecursionError:
        refuse(path, "JSON is nested too deeply")
    if isinstance(data, list):
        return _records(path, data, digest, options, None)
    if isinstance(data, dict):
        if data.get("format") == EXPORT_FORMAT or _is_own_deck(data.get("deck")):
            return _own_export(path, data, digest, options)
        if _is_own_deck(data):
            return _own_export(path, {"deck": data}, digest, options)
        title = _title(data) or None  # the file gives no title: its name stands in
        for key in (*_LISTS, *data.keys()):
            value = data.get(key)
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                return _records(path, value, digest, options, title)
        if _field(data, _FRONT) is not None:
            return _records(path, [data], digest, options, title)
    refuse(
        path,
        "expected a list of question/answer records (front/back, question/answer, q/a or "
        "term/definition), an object holding such a list, or a quizdl export",
    )


def _is_own_deck(value: Any) -> bool:
    """quizdl's deck shape: cards that say their ``type``."""
    if not isinstance(value, dict) or not isinstance(value.get("cards"), list):
        return False
    cards = value["cards"]
    return "id" in value and all(
        isinstance(card, dict) and card.get("type") in _CARD_TYPES for card in cards[:50]
    )


def _title(data: dict[str, Any]) -> str:
    for name in _TITLE:
        value = data.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _field(record: dict[str, Any], names: tuple[str, ...]) -> str | None:
    lowered = {str(key).casefold(): key for key in record}
    for name in names:
        if name in lowered:
            return str(lowered[name])
    return None


def value_text(value: Any) -> str | None:
    """A field's text: strings as they are (HTML converted), numbers written out."""
    if isinstance(value, str):
        return html_to_markdown(value) if looks_like_html(value) else value
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return "\n".join(f"- {item}" for item in value)
    return None


def _records(
    path: Path, records: list[Any], digest: str, options: ImportOptions, given: str | None
) -> ImportSource:
    """``given``: the deck title the file gives, if any (its name stands in otherwise)."""
    builder = DeckBuilder(path, options)
    for number, record in enumerate(records, start=1):
        where = f"record {number}"
        if not isinstance(record, dict):
            builder.skip(
                where, f"expected an object with a question and answer, got {_kind(record)}"
            )
            continue
        front_key, back_key = _field(record, _FRONT), _field(record, _BACK)
        if front_key is None:
            builder.skip(where, "no question field (front, question, q or term)")
            continue
        front = value_text(record[front_key])
        back = value_text(record[back_key]) if back_key is not None else ""
        if front is None or back is None:
            bad = front_key if front is None else back_key
            builder.skip(where, f"{bad!r} must be text, got {_kind(record[str(bad)])}")
            continue
        raw_tags = record.get("tags", [])
        if isinstance(raw_tags, str):
            tags = raw_tags.split()
        elif isinstance(raw_tags, list):
            tags = [str(tag) for tag in raw_tags if isinstance(tag, str | int)]
        else:
            tags = []
        id_key = _field(record, _ID)
        raw_id = record.get(id_key) if id_key is not None else None
        if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) and str(raw_id).strip():
            card_id = given_id(str(raw_id))
        else:
            raw_id = None
            card_id = content_id(front)
        builder.add_qa(card_id, front, back, tags, where, dedupe_question=raw_id is None)
    title = given or path.stem
    deck = builder.build(title, title)
    return ImportSource(
        deck,
        "json",
        path,
        digest,
        builder.skipped,
        deck_fields=title_fields(given is not None),
        deck_id_given=builder.deck_id_given,
    )


def _kind(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, int | float) else "null"
    )


def _readable(error: Any) -> str:
    """A validation error in the words the YAML deck loader uses, never pydantic's own."""
    kind = error["type"]
    where = ".".join(str(part) for part in error["loc"])
    if kind in ("union_tag_invalid", "union_tag_not_found"):
        found = (error.get("ctx") or {}).get("tag")
        shown = f", got {found!r}" if found else ""
        return f"{where}.type: expected one of {', '.join(sorted(_CARD_TYPES))}{shown}"
    if kind == "missing":
        return f"{where}: required field is missing"
    if kind == "extra_forbidden":
        return f"{where}: unknown field"
    message = str(error["msg"]).replace("Input should be", "expected")
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{where}: {message[:1].lower() + message[1:]}"


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
            DeckProblem(str(path), 0, 0, "", f"deck.{_readable(e)}")
            for e in exc.errors(include_url=False)[:20]
        ]
        raise DeckError(problems) from None
    source = ImportSource(deck, "json", path, digest)
    if options.with_progress and data.get("progress") is not None:
        source.progress = progress_from_data(data["progress"], path, {c.id for c in deck.cards})
    return source
