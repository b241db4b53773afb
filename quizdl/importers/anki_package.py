"""Opening an Anki package (.apkg / .colpkg) safely and taking out its newest collection.

Modern Anki writes ``collection.anki21b`` (SQLite, zstd-compressed) next to a
dummy ``collection.anki2`` whose only note asks to update Anki, so the newest
collection present always wins. Sizes are checked before and while
decompressing: declared sizes in a zip can lie and a zstd frame can expand a
thousandfold.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import zstandard

from quizdl.importers.protobuf import ProtobufError, decode, first_int, first_text
from quizdl.importers.refuse import MAX_COLLECTION_BYTES, MAX_ZIP_RATIO, refuse
from quizdl.importers.source import MediaFetch, MediaTooLarge
from quizdl.media import MAX_MEDIA_BYTES

SQLITE_MAGIC = b"SQLite format 3\x00"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_NEWEST_FIRST = ("collection.anki21b", "collection.anki21", "collection.anki2")
# PackageMetadata.version in the package's "meta" file (Anki 2.1.50+).
_META_VERSION = {1: "collection.anki2", 2: "collection.anki21", 3: "collection.anki21b"}
_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class AnkiPackage:
    collection: bytes  # an SQLite database image
    member: str  # which collection file it came from
    media_files: int
    media_members: dict[str, str] = field(default_factory=dict)  # file name -> zip member
    media_zstd: bool = False  # Anki 23.10+ packages compress each media file with zstd


def _choose_member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    names = {info.filename: info for info in archive.infolist()}
    if "meta" in names:
        try:
            version = first_int(decode(_read_capped(archive, names["meta"], path, 4096)), 1)
        except ProtobufError:
            version = 0
        preferred = _META_VERSION.get(version)
        if preferred in names:
            return names[preferred]
    for name in _NEWEST_FIRST:
        if name in names:
            return names[name]
    refuse(
        path,
        "this zip archive holds no Anki collection "
        "(expected collection.anki21b, collection.anki21 or collection.anki2)",
    )


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path, cap: int) -> bytes:
    if info.file_size > cap:
        refuse(path, f"{info.filename} would unpack to {info.file_size:,} bytes; refusing")
    ratio = info.file_size / info.compress_size if info.compress_size else 0
    if info.file_size > 10 * _CHUNK and ratio > MAX_ZIP_RATIO:
        refuse(path, f"{info.filename} expands {ratio:.0f}x: refusing a possible zip bomb")
    buffer = bytearray()
    with archive.open(info) as member:
        while chunk := member.read(_CHUNK):
            buffer += chunk
            if len(buffer) > cap:
                refuse(path, f"{info.filename} unpacks to more than {cap:,} bytes; refusing")
    return bytes(buffer)


def decompress_zstd(data: bytes, path: Path, what: str, *, may_be_empty: bool = False) -> bytes:
    buffer = bytearray()
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            while chunk := reader.read(_CHUNK):
                buffer += chunk
                if len(buffer) > MAX_COLLECTION_BYTES:
                    refuse(path, f"{what} unpacks to more than {MAX_COLLECTION_BYTES:,} bytes")
    except zstandard.ZstdError as exc:
        refuse(path, f"{what} is not valid zstd data ({exc})")
    if not buffer and not may_be_empty:
        refuse(path, f"{what} is not valid zstd data (nothing decompressed)")
    return bytes(buffer)


_MAX_MEDIA_MAP_BYTES = 64 * 1024 * 1024
# MediaEntries.entries = 1; MediaEntry.name = 1, legacy_zip_filename = 255.
_ENTRIES, _NAME, _LEGACY_MEMBER = 1, 1, 255


def _media_members(
    archive: zipfile.ZipFile, names: dict[str, zipfile.ZipInfo], path: Path
) -> tuple[dict[str, str], bool]:
    """Which zip member holds each media file, and whether members are zstd data.

    Legacy packages map member numbers to names in JSON; Anki 23.10+ writes a
    zstd-compressed protobuf list whose n-th entry is member ``n``. A map that
    cannot be read costs the media, not the cards."""
    info = names.get("media")
    if info is None:
        return {}, False
    raw = _read_capped(archive, info, path, _MAX_MEDIA_MAP_BYTES)
    if raw.startswith(ZSTD_MAGIC):
        try:
            entries = decode(decompress_zstd(raw, path, "the media map", may_be_empty=True)).get(
                _ENTRIES, []
            )
        except ProtobufError:
            return {}, True
        members: dict[str, str] = {}
        for index, entry in enumerate(entries):
            if not isinstance(entry, bytes):
                continue
            try:
                fields = decode(entry)
            except ProtobufError:
                continue
            name = first_text(fields, _NAME)
            legacy = first_int(fields, _LEGACY_MEMBER, -1)
            if name:
                members[name] = str(legacy if legacy >= 0 else index)
        return members, True
    try:
        mapping = json.loads(raw.decode("utf-8", errors="replace") or "{}")
    except (json.JSONDecodeError, RecursionError):
        return {}, False
    if not isinstance(mapping, dict):
        return {}, False
    return {str(name): str(member) for member, name in mapping.items()}, False


def read_package(path: Path) -> AnkiPackage:
    try:
        with zipfile.ZipFile(path) as archive:
            info = _choose_member(archive, path)
            data = _read_capped(archive, info, path, MAX_COLLECTION_BYTES)
            names = {item.filename: item for item in archive.infolist()}
            media = sum(1 for name in names if name.isdigit())
            members, media_zstd = _media_members(archive, names, path)
    except zipfile.BadZipFile as exc:
        refuse(path, f"not a readable zip archive (corrupt or truncated: {exc})")
    except (zipfile.LargeZipFile, NotImplementedError) as exc:
        refuse(path, f"unsupported zip archive: {exc}")
    except (EOFError, OSError) as exc:
        refuse(path, f"cannot read the archive (truncated?): {exc}")
    if info.filename.endswith(".anki21b"):
        data = decompress_zstd(data, path, info.filename)
    if not data.startswith(SQLITE_MAGIC):
        refuse(path, f"{info.filename} is not an SQLite database, so not an Anki collection")
    return AnkiPackage(data, info.filename, media, members, media_zstd)


def _media_bytes(archive: zipfile.ZipFile, package: AnkiPackage, name: str) -> bytes | None:
    member = package.media_members.get(name)
    if member is None:
        return None
    try:
        info = archive.getinfo(member)
    except KeyError:
        return None
    # A zstd member expands; the limit is checked on what it expands to.
    limit = MAX_MEDIA_BYTES * (4 if package.media_zstd else 1)
    if info.file_size > limit:
        raise MediaTooLarge(name)
    try:
        with archive.open(info) as stream:
            data = stream.read(limit + 1)
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError):
        return None
    if len(data) > limit:
        raise MediaTooLarge(name)
    if package.media_zstd and data.startswith(ZSTD_MAGIC):
        try:
            with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
                data = reader.read(MAX_MEDIA_BYTES + 1)
        except zstandard.ZstdError:
            return None
    if len(data) > MAX_MEDIA_BYTES:
        raise MediaTooLarge(name)
    return data


@contextmanager
def media_fetcher(path: Path, package: AnkiPackage) -> Iterator[MediaFetch]:
    """Reads media files of the package by name while the conversion runs (the zip stays
    open for it). A file missing or unreadable is None: the card gets a marker."""
    if not package.media_members:
        yield lambda name: None
        return
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        yield lambda name: None
        return
    with archive:
        yield lambda name: _media_bytes(archive, package, name)
