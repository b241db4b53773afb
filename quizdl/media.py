"""Images and sounds that cards show: stored once, by content, in ``media/`` beside the database.

A card refers to a file with Markdown whose target is ``media:<name>``:
``![label](media:<name>)`` for an image, ``[label](media:<name>)`` for a sound.
``<name>`` is the first 32 hex digits of the file's SHA-256 plus a lowercase
extension from a fixed list, so

* importing the same file twice (or from two decks) stores it once;
* a name can never hold a path separator, ``..`` or anything else that could
  reach outside the media folder: every name is checked against that shape
  before it is joined to the folder, on the way in and on the way out;
* a card's text changes only when the file's bytes change.

One file may be at most ``MAX_MEDIA_BYTES`` (20 MiB), and one import's files
``MAX_MEDIA_TOTAL_BYTES`` (512 MiB) together; a file past either limit is not
stored and its card shows ``[image: NAME (why)]`` instead. Nothing here imports
Textual: the review screen and the importers share it.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from quizdl.files import write_whole
from quizdl.paths import data_dir

MAX_MEDIA_BYTES = 20 * 1024 * 1024
# All the media one import keeps (they are held in memory until stored).
MAX_MEDIA_TOTAL_BYTES = 512 * 1024 * 1024
MEDIA_DIR_NAME = "media"
IMAGE_SUFFIXES = frozenset({"png", "jpg", "jpeg", "gif", "webp", "bmp", "svg", "tif", "tiff"})
SOUND_SUFFIXES = frozenset(
    {"mp3", "ogg", "oga", "opus", "wav", "m4a", "aac", "flac", "webm", "mp4", "spx"}
)
_DIGEST_CHARS = 32
_STORED_NAME = re.compile(r"^[0-9a-f]{32}\.[a-z0-9]{1,5}$")
# ![label](media:name) or [label](media:name); the label holds no brackets (see label_of).
MEDIA_REF = re.compile(r"(!?)\[([^\[\]\n]*)\]\(media:([0-9a-f]{32}\.[a-z0-9]{1,5})\)")

MediaKind = Literal["image", "sound"]


@dataclass(frozen=True)
class MediaRef:
    kind: MediaKind
    label: str  # the file's original name, for the learner
    name: str  # the stored name in the media folder


def media_dir() -> Path:
    return data_dir() / MEDIA_DIR_NAME


def suffix_of(original: str) -> str:
    return PurePosixPath(original.replace("\\", "/")).suffix.lower().lstrip(".")


def kind_of(original: str) -> MediaKind | None:
    suffix = suffix_of(original)
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in SOUND_SUFFIXES:
        return "sound"
    return None


def stored_name(data: bytes, original: str) -> str | None:
    """The content-addressed name for ``data``, or None for a kind of file cards cannot use."""
    if kind_of(original) is None:
        return None
    digest = hashlib.sha256(data).hexdigest()[:_DIGEST_CHARS]
    suffix = suffix_of(original)
    return f"{digest}.{'jpg' if suffix == 'jpeg' else suffix}"


def is_stored_name(name: str) -> bool:
    return bool(_STORED_NAME.match(name))


def label_of(original: str) -> str:
    """A file name fit to stand inside ``[...]`` in Markdown: no brackets, no newlines."""
    base = original.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = re.sub(r"[\[\]()\n\r\t]+", " ", base).strip()
    return cleaned[:120] or "file"


def reference(name: str, original: str) -> str:
    """The Markdown a card holds for a stored file."""
    label = label_of(original)
    if kind_of(name) == "sound":
        return f"[🔊 {label}](media:{name})"
    return f"![{label}](media:{name})"


def missing_marker(original: str, why: str = "") -> str:
    """What a card shows where a file could not be kept, so the learner knows it was there."""
    kind = kind_of(original) or "media"
    detail = f" ({why})" if why else ""
    return f"[{kind}: {label_of(original)}{detail}]"


def media_refs(text: str) -> list[MediaRef]:
    refs: list[MediaRef] = []
    for match in MEDIA_REF.finditer(text):
        name = match.group(3)
        kind = kind_of(name)
        if kind is None:
            continue
        label = match.group(2).removeprefix("🔊 ").strip()
        refs.append(MediaRef(kind, label, name))
    return refs


def path_of(name: str, directory: Path | None = None) -> Path | None:
    """Where a stored file is, or None if the name is not a stored name or the file is gone."""
    if not is_stored_name(name):
        return None
    path = (directory or media_dir()) / name
    return path if path.is_file() else None


class MediaError(OSError):
    pass


def store(files: Mapping[str, bytes], directory: Path | None = None) -> int:
    """Write each file not stored yet; returns how many were written.

    Names are checked, sizes are bounded, and each file appears whole or not at
    all (written beside its target, then renamed)."""
    folder = directory or media_dir()
    written = 0
    for name, data in files.items():
        if not is_stored_name(name) or stored_name(data, name) != name:
            raise MediaError(f"refusing to store media under the name {name!r}")
        if len(data) > MAX_MEDIA_BYTES:
            raise MediaError(f"{name} is larger than {MAX_MEDIA_BYTES:,} bytes")
        target = folder / name
        if target.is_file():
            continue  # content-addressed: the same name holds the same bytes
        folder.mkdir(parents=True, exist_ok=True)
        write_whole(target, data)
        written += 1
    return written


def opener_command() -> list[str] | None:
    """The system's "open with the default application" command, if this system has one."""
    if sys.platform == "darwin":
        found = shutil.which("open")
    elif sys.platform.startswith("win"):
        return None  # os.startfile, see open_externally
    else:
        found = shutil.which("xdg-open")
    return [found] if found else None


def open_externally(path: Path) -> str | None:
    """Open a stored file in the system viewer or player; a one-line reason if it cannot."""
    if sys.platform.startswith("win"):
        try:
            os.startfile(path)  # type: ignore[attr-defined,unused-ignore]
        except OSError as exc:
            return f"cannot open {path.name}: {exc.strerror or exc}"
        return None
    command = opener_command()
    if command is None:
        tool = "open" if sys.platform == "darwin" else "xdg-open"
        return f"no system viewer found ({tool} is not installed); the file is {path}"
    try:
        subprocess.Popen(
            [*command, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError as exc:
        return f"cannot open {path.name}: {exc.strerror or exc}"
    return None
