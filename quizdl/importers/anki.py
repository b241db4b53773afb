"""Anki sources: packages (.apkg, .colpkg), bare collections, and zstd collections."""

from __future__ import annotations

from pathlib import Path

from quizdl.importers.anki_cards import convert
from quizdl.importers.anki_collection import Collection, read_collection
from quizdl.importers.anki_package import (
    SQLITE_MAGIC,
    decompress_zstd,
    media_fetcher,
    read_package,
)
from quizdl.importers.refuse import refuse
from quizdl.importers.source import ImportOptions, ImportSource


def read_anki_package(path: Path, digest: str, options: ImportOptions) -> ImportSource:
    package = read_package(path)
    collection = read_collection(package.collection, path, package.member)
    _refuse_placeholder(collection, path)
    with media_fetcher(path, package) as fetch:
        source = convert(collection, path, options, package.media_files, digest, fetch)
    source.notes.insert(0, f"read {package.member} (schema {collection.schema})")
    return source


def _refuse_placeholder(collection: Collection, path: Path) -> None:
    """Modern Anki's dummy collection.anki2 holds one note asking to update Anki; if that
    is all a package has, importing it would give the learner one useless card."""
    if len(collection.notes) == 1:
        (note,) = collection.notes.values()
        if "update to the latest anki version" in " ".join(note.fields).casefold():
            refuse(
                path,
                "this package only holds Anki's 'please update Anki' placeholder collection; "
                "export the deck again (File > Export, .apkg) and import that",
            )


def read_anki_collection(
    path: Path, data: bytes, digest: str, options: ImportOptions
) -> ImportSource:
    """A collection file given directly (collection.anki2/anki21, or a zstd anki21b)."""
    if not data.startswith(SQLITE_MAGIC):
        data = decompress_zstd(data, path, path.name)
        if not data.startswith(SQLITE_MAGIC):
            refuse(path, "zstd data that is not an SQLite database, so not an Anki collection")
    collection = read_collection(data, path, path.name)
    return convert(collection, path, options, 0, digest)
