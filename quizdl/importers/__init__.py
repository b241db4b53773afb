"""Reading every foreign format into a validated ``Deck`` (see ``detect`` for the rules).

``read_source(path, options)`` never writes anything and never runs code from
the file (a folder is read as Markdown notes, see ``folder``); a source it
cannot use raises ``DeckError`` with a located reason.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import ValidationError

from quizdl.decks.loader import check_file, read_text, text_digest
from quizdl.decks.model import Deck
from quizdl.decks.yaml_nodes import gc_paused
from quizdl.importers.anki import read_anki_collection, read_anki_package
from quizdl.importers.csv_text import read_csv
from quizdl.importers.detect import FORMATS, HEAD_BYTES, Format, detect
from quizdl.importers.folder import read_folder
from quizdl.importers.json_source import read_json
from quizdl.importers.markdown import read_markdown
from quizdl.importers.refuse import MAX_COLLECTION_BYTES, MAX_SOURCE_BYTES, refuse
from quizdl.importers.source import ImportOptions, ImportSource, MediaNotes, Skip
from quizdl.importers.yaml_source import read_yaml

__all__ = ["FORMATS", "ImportOptions", "ImportSource", "MediaNotes", "Skip", "read_source"]


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _head(path: Path) -> bytes:
    check_file(path, MAX_SOURCE_BYTES)
    try:
        with path.open("rb") as handle:
            return handle.read(HEAD_BYTES)
    except OSError as exc:
        refuse(path, f"cannot read: {exc.strerror or exc}")


# A source becomes tens of thousands of strings, dicts and models, none in a cycle: the
# collector would rescan them again and again (a fifth of a 20,000-line CSV's read).
@gc_paused()
def read_source(path: Path, options: ImportOptions, format: Format | None = None) -> ImportSource:
    if path.is_dir() and format in (None, "markdown"):
        kind: Format = "markdown"
    else:
        head = _head(path)
        kind = format or detect(path, head)
    try:
        source = read_folder(path, options) if path.is_dir() else _read(path, kind, options)
    except RecursionError:
        refuse(path, "the file is nested too deeply to read")
    except MemoryError:
        refuse(path, "the file is too large to read")
    if options.deck_id and source.deck.id != options.deck_id:
        source.deck = _renamed(source.deck, options.deck_id, path)
    return source


def _read(path: Path, kind: Format, options: ImportOptions) -> ImportSource:
    if kind == "anki-package":
        return read_anki_package(path, _file_digest(path), options)
    if kind == "anki-collection":
        if path.stat().st_size > MAX_COLLECTION_BYTES:
            refuse(path, "the collection is too large to import")
        data = path.read_bytes()
        return read_anki_collection(path, data, hashlib.sha256(data).hexdigest(), options)
    text = read_text(path)
    digest = text_digest(text)
    readers = {"csv": read_csv, "markdown": read_markdown, "json": read_json, "yaml": read_yaml}
    return readers[kind](path, text, digest, options)


def _renamed(deck: Deck, deck_id: str, path: Path) -> Deck:
    try:
        return Deck.model_validate({**deck.model_dump(), "id": deck_id})
    except ValidationError:
        refuse(path, f"--deck {deck_id!r} is not a valid deck id (letters, digits and . _ : @ + -)")
