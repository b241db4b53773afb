"""Where the decks that ship with quizdl are found."""

from __future__ import annotations

from pathlib import Path

import quizdl

_PACKAGE_DIR = Path(quizdl.__file__).resolve().parent


def bundled_decks_dir() -> Path:
    """Inside an installed wheel the decks sit in the package; in a source
    checkout (editable install, ``make run``) they are the repo's ``decks/``."""
    packaged = _PACKAGE_DIR / "bundled_decks"
    if packaged.is_dir():
        return packaged
    return _PACKAGE_DIR.parent / "decks"


def bundled_deck_paths() -> list[Path]:
    directory = bundled_decks_dir()
    if not directory.is_dir():
        return []
    return sorted(directory.glob("*.yaml"))
