"""The content hash that tells a changed deck source from an unchanged one.

Kept apart from the deck parser: start-up compares the bundled decks' hashes
with the stored ones on every ``quizdl`` command, and loading pydantic and
YAML only to hash a file would cost more than the comparison.
"""

from __future__ import annotations

import hashlib
from pathlib import Path


def text_digest(text: str) -> str:
    """SHA-256 of the decoded text, encoded as UTF-8 (a byte-order mark the
    decoding dropped does not count)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def file_digest(path: Path) -> str | None:
    """``text_digest`` of a UTF-8 file as ``decks.loader.read_text`` decodes it;
    None when it cannot be read or decoded (the loader then says why)."""
    try:
        return text_digest(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None
