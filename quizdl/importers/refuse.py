"""Refusing a source: one located, readable reason, raised as the deck loader's DeckError."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

from quizdl.decks.errors import DeckError, DeckProblem

# Limits that keep a hostile or mistaken file from costing minutes or gigabytes.
# MAX_CARDS is one limit for every format (Anki, CSV, Markdown, JSON, YAML, folders):
# a source with more cards is refused whole, naming where the limit was reached.
# Text sources are at most 64 MiB (quizdl.decks.loader.MAX_FILE_BYTES); one media
# file at most 20 MiB (quizdl.media.MAX_MEDIA_BYTES).
MAX_SOURCE_BYTES = 512 * 1024 * 1024  # an Anki package with media can be large
MAX_COLLECTION_BYTES = 1024 * 1024 * 1024  # an uncompressed collection.anki2x
MAX_ZIP_RATIO = 200  # real collections compress ~10:1; bombs reach 1000:1
MAX_CARDS = 200_000


def refuse(path: Path | str, message: str, *, line: int = 0, field: str = "") -> NoReturn:
    raise DeckError([DeckProblem(str(path), line, 1 if line else 0, field, message)])
