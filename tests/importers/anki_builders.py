"""Anki collections and packages built the way Anki lays them out, for import tests.

Legacy collections (schema 11) keep note types and decks as JSON in ``col``;
schema 18 moves them to the ``notetypes``/``fields``/``templates``/``decks``
tables (names ``COLLATE unicase``, configs as protobuf), and modern packages
store it zstd-compressed as ``collection.anki21b`` beside a dummy
``collection.anki2`` that only says to update Anki.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

# Anki sets col.crt to the start of the first day at its rollover hour (04:00 local);
# this is 2023-11-14 04:00 in UTC, the zone the import tests run in (see conftest).
CRT = 1_699_934_400


@dataclass
class NoteType:
    id: int
    name: str
    fields: list[str]
    templates: list[tuple[str, str, str]]  # (name, qfmt, afmt)
    cloze: bool = False


@dataclass
class Note:
    id: int
    guid: str
    mid: int
    fields: list[str]
    tags: str = ""


@dataclass
class Card:
    id: int
    nid: int
    did: int
    ord: int = 0
    type: int = 0
    queue: int = 0
    due: int = 0
    ivl: int = 0
    factor: int = 0
    reps: int = 0
    lapses: int = 0


@dataclass
class Spec:
    notetypes: list[NoteType]
    decks: dict[int, str]  # id -> "A::B"
    notes: list[Note]
    cards: list[Card]
    crt: int = CRT
    extra_tables: list[str] = field(default_factory=list)


BASIC = NoteType(
    1, "Basic", ["Front", "Back"], [("Card 1", "{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}")]
)
REVERSED = NoteType(
    2,
    "Basic (and reversed card)",
    ["Front", "Back"],
    [
        ("Card 1", "{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}"),
        ("Card 2", "{{Back}}", "{{FrontSide}}<hr id=answer>{{Front}}"),
    ],
)
CLOZE = NoteType(
    3,
    "Cloze",
    ["Text", "Back Extra"],
    [("Cloze", "{{cloze:Text}}", "{{cloze:Text}}<br>{{Back Extra}}")],
    cloze=True,
)
TYPE_IN = NoteType(
    4,
    "Basic (type in the answer)",
    ["Front", "Back"],
    [("Card 1", "{{Front}}\n\n{{type:Back}}", "{{Front}}<hr id=answer>{{type:Back}}")],
)
# The first field is not the question: templates decide.
CUSTOM = NoteType(
    5,
    "Vocabulary",
    ["Source", "Term", "Definition"],
    [
        (
            "Recall",
            "<div class=t>{{Term}}</div>",
            "{{FrontSide}}<hr id=answer>{{Definition}}<br><small>{{Source}}</small>",
        )
    ],
)

_SCHEMA_COMMON = """
CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null,
  scm integer not null, ver integer not null, dty integer not null, usn integer not null,
  ls integer not null, conf text not null, models text not null, decks text not null,
  dconf text not null, tags text not null);
CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null,
  mod integer not null, usn integer not null, tags text not null, flds text not null,
  sfld integer not null, csum integer not null, flags integer not null, data text not null);
CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null,
  ord integer not null, mod integer not null, usn integer not null, type integer not null,
  queue integer not null, due integer not null, ivl integer not null, factor integer not null,
  reps integer not null, lapses integer not null, left integer not null, odue integer not null,
  odid integer not null, flags integer not null, data text not null);
CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null,
  ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null,
  time integer not null, type integer not null);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
"""

_SCHEMA_18 = """
CREATE TABLE notetypes (id integer NOT NULL PRIMARY KEY, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL);
CREATE UNIQUE INDEX idx_notetypes_name ON notetypes (name);
CREATE TABLE fields (ntid integer NOT NULL, ord integer NOT NULL,
  name text NOT NULL COLLATE unicase,
  config blob NOT NULL, PRIMARY KEY (ntid, ord)) without rowid;
CREATE UNIQUE INDEX idx_fields_name_ntid ON fields (name, ntid);
CREATE TABLE templates (ntid integer NOT NULL, ord integer NOT NULL,
  name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL,
  PRIMARY KEY (ntid, ord)) without rowid;
CREATE UNIQUE INDEX idx_templates_name_ntid ON templates (name, ntid);
CREATE TABLE decks (id integer PRIMARY KEY NOT NULL, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, common blob NOT NULL, kind blob NOT NULL);
CREATE UNIQUE INDEX idx_decks_name ON decks (name);
CREATE TABLE config (KEY text NOT NULL PRIMARY KEY, usn integer NOT NULL,
  mtime_secs integer NOT NULL, val blob NOT NULL) without rowid;
CREATE TABLE deck_config (id integer PRIMARY KEY NOT NULL, name text NOT NULL COLLATE unicase,
  mtime_secs integer NOT NULL, usn integer NOT NULL, config blob NOT NULL);
CREATE TABLE tags (tag text NOT NULL PRIMARY KEY COLLATE unicase, usn integer NOT NULL,
  collapsed boolean NOT NULL, config blob NULL) without rowid;
"""


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pb_int(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def pb_bytes(number: int, value: bytes | str) -> bytes:
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def _unicase(a: str, b: str) -> int:
    return (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())


def _fill_common(db: sqlite3.Connection, spec: Spec, models: str, decks: str, version: int) -> None:
    db.execute(
        "INSERT INTO col VALUES (1, ?, 0, 0, ?, 0, 0, 0, '{}', ?, ?, '{}', '{}')",
        (spec.crt, version, models, decks),
    )
    db.executemany(
        "INSERT INTO notes VALUES (?, ?, ?, 0, -1, ?, ?, '', 0, 0, '')",
        [
            (n.id, n.guid, n.mid, f" {n.tags} " if n.tags else "", "\x1f".join(n.fields))
            for n in spec.notes
        ],
    )
    db.executemany(
        "INSERT INTO cards VALUES (?, ?, ?, ?, 0, -1, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, '')",
        [
            (c.id, c.nid, c.did, c.ord, c.type, c.queue, c.due, c.ivl, c.factor, c.reps, c.lapses)
            for c in spec.cards
        ],
    )
    for statement in spec.extra_tables:
        db.execute(statement)


def _image(db: sqlite3.Connection, *, wal: bool = False) -> bytes:
    db.commit()
    data = db.serialize()
    db.close()
    if wal:
        # Anki keeps its collection in WAL mode and exports the file as it is:
        # header bytes 18-19 (write/read format versions) are 2, not 1.
        data = data[:18] + b"\x02\x02" + data[20:]
    return data


def legacy_collection(spec: Spec) -> bytes:
    db = sqlite3.connect(":memory:")
    db.executescript(_SCHEMA_COMMON)
    models = {
        str(nt.id): {
            "id": nt.id,
            "name": nt.name,
            "type": 1 if nt.cloze else 0,
            "flds": [{"name": name, "ord": i} for i, name in enumerate(nt.fields)],
            "tmpls": [
                {"name": t[0], "qfmt": t[1], "afmt": t[2], "ord": i}
                for i, t in enumerate(nt.templates)
            ],
        }
        for nt in spec.notetypes
    }
    decks = {str(deck_id): {"id": deck_id, "name": name} for deck_id, name in spec.decks.items()}
    _fill_common(db, spec, json.dumps(models), json.dumps(decks), 11)
    return _image(db)


def modern_collection(spec: Spec) -> bytes:
    db = sqlite3.connect(":memory:")
    db.create_collation("unicase", _unicase)
    db.executescript(_SCHEMA_COMMON + _SCHEMA_18)
    for nt in spec.notetypes:
        db.execute(
            "INSERT INTO notetypes VALUES (?, ?, 0, 0, ?)",
            (nt.id, nt.name, pb_int(1, 1 if nt.cloze else 0) + pb_bytes(3, ".card {}")),
        )
        for ord_, name in enumerate(nt.fields):
            db.execute(
                "INSERT INTO fields VALUES (?, ?, ?, ?)", (nt.id, ord_, name, pb_bytes(5, "Arial"))
            )
        for ord_, (name, qfmt, afmt) in enumerate(nt.templates):
            db.execute(
                "INSERT INTO templates VALUES (?, ?, ?, 0, 0, ?)",
                (nt.id, ord_, name, pb_bytes(1, qfmt) + pb_bytes(2, afmt)),
            )
    for deck_id, name in spec.decks.items():
        db.execute(
            "INSERT INTO decks VALUES (?, ?, 0, 0, x'', x'')", (deck_id, name.replace("::", "\x1f"))
        )
    _fill_common(db, spec, "", "", 18)
    return _image(db, wal=True)


def dummy_legacy_collection() -> bytes:
    """What modern Anki puts in collection.anki2 for old clients."""
    spec = Spec(
        [BASIC],
        {1: "Default"},
        [
            Note(
                1,
                "dummy",
                1,
                [
                    "Please update to the latest Anki version, "
                    "then import the .colpkg/.apkg file again.",
                    "",
                ],
            )
        ],
        [Card(1, 1, 1)],
    )
    return legacy_collection(spec)


def write_zip(
    path: Path, members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def legacy_package(
    path: Path, spec: Spec, media: dict[str, bytes] | None = None, member: str = "collection.anki2"
) -> Path:
    files = media or {}
    members = {member: legacy_collection(spec)}
    if member != "collection.anki2":
        members["collection.anki2"] = dummy_legacy_collection()
    members["media"] = json.dumps({str(i): name for i, name in enumerate(files)}).encode()
    members.update({str(i): data for i, data in enumerate(files.values())})
    return write_zip(path, members)


def modern_package(path: Path, spec: Spec, media: dict[str, bytes] | None = None) -> Path:
    """Laid out as Anki 23.10+ exports by default (checked against a package exported by
    Anki's own library in test_anki_real): members stored uncompressed, each one zstd
    data written as a stream (no content size in the frame header), the collection in
    WAL mode, and the media map a zstd protobuf ``MediaEntries`` of (name, size, sha1)."""
    files = media or {}
    compressor = zstandard.ZstdCompressor(write_content_size=False)

    def zstd(data: bytes) -> bytes:
        out = io.BytesIO()
        with compressor.stream_writer(out, closefd=False) as writer:
            writer.write(data)
        return out.getvalue()

    entries = b"".join(
        pb_bytes(
            1,
            pb_bytes(1, name) + pb_int(2, len(data)) + pb_bytes(3, hashlib.sha1(data).digest()),
        )
        for name, data in files.items()
    )
    members = {
        "meta": pb_int(1, 3),
        "collection.anki21b": zstd(modern_collection(spec)),
        "collection.anki2": dummy_legacy_collection(),
    }
    members.update({str(i): zstd(data) for i, data in enumerate(files.values())})
    members["media"] = zstd(entries)
    return write_zip(path, members, zipfile.ZIP_STORED)


def zstd_stream(total: int) -> bytes:
    """zstd data that expands to ``total`` zero bytes, built without holding them in memory."""
    out = io.BytesIO()
    compressor = zstandard.ZstdCompressor().compressobj()
    chunk = bytes(1024 * 1024)
    for _ in range(total // len(chunk)):
        out.write(compressor.compress(chunk))
    out.write(compressor.flush())
    return out.getvalue()
