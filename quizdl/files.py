"""Writing a file whole: beside its target, then renamed over it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def write_whole(path: Path, data: bytes) -> None:
    """``data`` at ``path``, or no change at all: a failure (full disk, interrupt)
    never leaves half a file, and a reader never sees one.

    The file gets the permissions a plain ``open()`` gives (0666 less the umask):
    ``tempfile.mkstemp`` makes 0600 files, which left exported decks and media
    unreadable to anyone but their owner. OSError goes to the caller."""
    directory = path.parent if str(path.parent) else Path(".")
    partial = directory / f".{path.name}.{secrets.token_hex(6)}.partial"
    handle = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
