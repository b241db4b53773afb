"""Opening an Anki package (.apkg / .colpkg) safely and taking out its newest collection.

Modern Anki writes ``collection.anki21b`` (SQLite, zstd-compressed) next to a
dummy ``collection.anki2`` whose only note asks to update Anki, so the newest
collection present always wins. Sizes are checked before and while
decompressing: declared sizes in a zip can lie and a zstd frame can expand a
thousandfold.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import zstandard

from quizdl.importers.protobuf import ProtobufError, decode, first_int
from quizdl.importers.refuse import MAX_COLLECTION_BYTES, MAX_ZIP_RATIO, refuse

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


def decompress_zstd(data: bytes, path: Path, what: str) -> bytes:
    buffer = bytearray()
    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)) as reader:
            while chunk := reader.read(_CHUNK):
                buffer += chunk
                if len(buffer) > MAX_COLLECTION_BYTES:
                    refuse(path, f"{what} unpacks to more than {MAX_COLLECTION_BYTES:,} bytes")
    except zstandard.ZstdError as exc:
        refuse(path, f"{what} is not valid zstd data ({exc})")
    if not buffer:
        refuse(path, f"{what} is not valid zstd data (nothing decompressed)")
    return bytes(buffer)


def read_package(path: Path) -> AnkiPackage:
    try:
        with zipfile.ZipFile(path) as archive:
            info = _choose_member(archive, path)
            data = _read_capped(archive, info, path, MAX_COLLECTION_BYTES)
            media = sum(1 for item in archive.infolist() if item.filename.isdigit())
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
    return AnkiPackage(data, info.filename, media)
