"""Reading an Anki collection (legacy schema 11 or schema 18) into plain rows.

The database image is opened in memory (``deserialize``) so nothing is written
next to the source and no temp file outlives a failure; a WAL-mode image (what
Anki exports) is marked as a rollback-journal file first. Schema 18 declares
``COLLATE unicase`` columns, which SQLite refuses to query unless a collation
of that name exists, so one is registered first. A progress handler bounds
the time any query may take: a crafted database cannot hang the import.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NamedTuple

from quizdl.importers.protobuf import ProtobufError, decode, first_int, first_text
from quizdl.importers.refuse import MAX_CARDS, refuse

QUERY_SECONDS = 120.0
_REQUIRED = ("col", "notes", "cards")


@dataclass(frozen=True)
class Template:
    name: str
    qfmt: str
    afmt: str


@dataclass(frozen=True)
class NoteType:
    id: int
    name: str
    is_cloze: bool
    fields: tuple[str, ...]
    templates: tuple[Template, ...]


# Notes and cards are tuples: tens of thousands are made per import, and a frozen
# dataclass's __init__ (a setattr call per field) cost more than reading the rows.
class Note(NamedTuple):
    id: int
    guid: str
    notetype_id: int
    tags: tuple[str, ...]
    fields: tuple[str, ...]


class CardRow(NamedTuple):
    id: int
    note_id: int
    deck_id: int
    ord: int
    type: int
    queue: int
    due: int
    interval: int
    factor: int
    reps: int
    lapses: int


@dataclass(frozen=True)
class Collection:
    created: date  # col.crt: review-card due numbers count days from here
    schema: int
    notetypes: dict[int, NoteType]
    decks: dict[int, str]  # "A::B::C"
    notes: dict[int, Note]
    cards: list[CardRow]
    deck_descriptions: dict[int, str] = field(default_factory=dict)


def _unicase(left: str, right: str) -> int:
    a, b = left.casefold(), right.casefold()
    return (a > b) - (a < b)


# Header bytes 18 and 19 are the file format's write and read versions: 2 means
# WAL. Anki keeps its collection in WAL mode and exports the file as it is, but
# an in-memory image cannot have a write-ahead log, so SQLite refuses to open
# it ("unable to open database file"). The exported file is complete on its own
# (Anki checkpoints before exporting), so reading it as a rollback-journal
# database (version 1) is exactly the same data.
_WAL_VERSIONS = b"\x02\x02"
_ROLLBACK_VERSIONS = b"\x01\x01"
_VERSIONS = slice(18, 20)


def without_wal(image: bytes) -> bytes:
    if image[_VERSIONS] != _WAL_VERSIONS:
        return image
    return image[: _VERSIONS.start] + _ROLLBACK_VERSIONS + image[_VERSIONS.stop :]


def _connect(image: bytes) -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    connection.create_collation("unicase", _unicase)
    deadline = time.monotonic() + QUERY_SECONDS
    connection.set_progress_handler(lambda: int(time.monotonic() > deadline), 100_000)
    connection.deserialize(without_wal(image))
    return connection


def read_collection(image: bytes, path: Path, member: str) -> Collection:
    try:
        connection = _connect(image)
    except sqlite3.Error as exc:
        refuse(path, f"{member}: cannot open the SQLite database ({exc})")
    try:
        return _read(connection, path, member)
    except sqlite3.Error as exc:
        message = "took too long to read" if "interrupt" in str(exc) else f"is damaged ({exc})"
        refuse(path, f"{member}: the Anki collection {message}")
    finally:
        connection.close()


def _read(connection: sqlite3.Connection, path: Path, member: str) -> Collection:
    tables = dict(connection.execute("SELECT name, type FROM sqlite_master").fetchall())
    missing = [name for name in _REQUIRED if tables.get(name) != "table"]
    if missing:
        refuse(
            path,
            f"{member} is an SQLite database but not an Anki collection "
            f"(no {', '.join(missing)} table)",
        )
    row = connection.execute("SELECT crt, ver, models, decks FROM col LIMIT 1").fetchone()
    if row is None:
        refuse(path, f"{member}: the Anki collection has no 'col' row")
    crt, version, models_json, decks_json = row
    modern = tables.get("notetypes") == "table"
    descriptions: dict[int, str] = {}
    if modern:
        notetypes = _modern_notetypes(connection)
        decks = {}
        for deck_id, name, kind in connection.execute("SELECT id, name, kind FROM decks"):
            decks[int(deck_id)] = str(name).replace("\x1f", "::")
            descriptions[int(deck_id)] = _modern_description(kind)
    else:
        notetypes = _legacy_notetypes(models_json, path, member)
        decks = _legacy_decks(decks_json, path, member, descriptions)
    count = connection.execute("SELECT count(*) FROM cards").fetchone()[0]
    if count > MAX_CARDS:
        refuse(path, f"{member} holds {count:,} cards; the limit is {MAX_CARDS:,}")
    notes = {
        nid: Note(nid, str(guid), mid, tuple(str(tags).split()), tuple(str(flds).split("\x1f")))
        for nid, guid, mid, tags, flds in connection.execute(
            "SELECT CAST(id AS INTEGER), guid, CAST(mid AS INTEGER), tags, flds FROM notes"
        )
    }
    # SQLite converts the numbers (CAST), not a Python int() per value.
    cards = list(
        map(
            CardRow._make,
            connection.execute(
                "SELECT CAST(id AS INTEGER), CAST(nid AS INTEGER),"
                " CAST(CASE WHEN odid != 0 THEN odid ELSE did END AS INTEGER),"
                " CAST(ord AS INTEGER), CAST(type AS INTEGER), CAST(queue AS INTEGER),"
                " CAST(CASE WHEN odid != 0 THEN odue ELSE due END AS INTEGER),"
                " CAST(ivl AS INTEGER), CAST(factor AS INTEGER), CAST(reps AS INTEGER),"
                " CAST(lapses AS INTEGER) FROM cards ORDER BY nid, ord"
            ),
        )
    )
    return Collection(_created(crt), int(version), notetypes, decks, notes, cards, descriptions)


def _modern_description(kind: Any) -> str:
    """DeckKindContainer.normal (1) -> Deck.Normal.description (4)."""
    try:
        normal = decode(bytes(kind or b"")).get(1, [])
        for value in normal:
            if isinstance(value, bytes):
                return first_text(decode(value), 4)
    except (ProtobufError, TypeError, ValueError):
        pass
    return ""


_HALF_DAY_SECONDS = 12 * 3600


def _created(crt: Any) -> date:
    """The collection's first day, which review due numbers count from.

    ``col.crt`` is the moment that day began at Anki's rollover hour, in the
    learner's local time (Anki sets it so). Its UTC date is a day off for
    anyone far from UTC; the local date half a day later is that day whatever
    the rollover hour was."""
    try:
        moment = datetime.fromtimestamp(int(crt) + _HALF_DAY_SECONDS, tz=UTC)
        return moment.astimezone().date()
    except (ValueError, OverflowError, OSError, TypeError):
        return date(1970, 1, 1)


def _modern_notetypes(connection: sqlite3.Connection) -> dict[int, NoteType]:
    fields: dict[int, list[str]] = {}
    for ntid, name in connection.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
        fields.setdefault(int(ntid), []).append(str(name))
    templates: dict[int, list[Template]] = {}
    for ntid, name, config in connection.execute(
        "SELECT ntid, name, config FROM templates ORDER BY ntid, ord"
    ):
        try:
            parsed = decode(bytes(config))
        except ProtobufError:
            parsed = {}
        # Notetype.Template.Config: q_format = 1, a_format = 2.
        templates.setdefault(int(ntid), []).append(
            Template(str(name), first_text(parsed, 1), first_text(parsed, 2))
        )
    result: dict[int, NoteType] = {}
    for ntid, name, config in connection.execute("SELECT id, name, config FROM notetypes"):
        try:
            kind = first_int(decode(bytes(config)), 1)  # Notetype.Config.kind: 1 = cloze
        except ProtobufError:
            kind = 0
        result[int(ntid)] = NoteType(
            int(ntid),
            str(name),
            kind == 1,
            tuple(fields.get(int(ntid), ())),
            tuple(templates.get(int(ntid), ())),
        )
    return result


def _json_object(text: Any, path: Path, member: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except (json.JSONDecodeError, TypeError, RecursionError):
        refuse(path, f"{member}: the collection's {what} are not valid JSON")
    if not isinstance(value, dict):
        refuse(path, f"{member}: the collection's {what} are not a JSON object")
    return value


def _legacy_notetypes(text: Any, path: Path, member: str) -> dict[int, NoteType]:
    result: dict[int, NoteType] = {}
    for key, model in _json_object(text, path, member, "note types").items():
        if not isinstance(model, dict):
            continue
        try:
            ntid = int(model.get("id", key))
            result[ntid] = NoteType(
                ntid,
                str(model.get("name", "")),
                model.get("type") == 1,
                tuple(str(f.get("name", "")) for f in model.get("flds", [])),
                tuple(
                    Template(str(t.get("name", "")), str(t.get("qfmt", "")), str(t.get("afmt", "")))
                    for t in model.get("tmpls", [])
                ),
            )
        except (TypeError, ValueError, AttributeError):
            refuse(path, f"{member}: note type {key!r} is malformed")
    return result


def _legacy_decks(
    text: Any, path: Path, member: str, descriptions: dict[int, str]
) -> dict[int, str]:
    result: dict[int, str] = {}
    for key, deck in _json_object(text, path, member, "decks").items():
        if isinstance(deck, dict):
            try:
                deck_id = int(deck.get("id", key))
            except (TypeError, ValueError):
                continue
            result[deck_id] = str(deck.get("name", ""))
            descriptions[deck_id] = str(deck.get("desc", "") or "")
    return result
