"""What the app remembers between starts (the theme), beside the collection.

Kept out of ``config.toml``: that file is the learner's to write, and the app
must never rewrite it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

from quizdl import paths

FILE_NAME = "ui.json"
THEMES = ("textual-dark", "textual-light")


@dataclass(frozen=True)
class Preferences:
    theme: str = THEMES[0]


def load_preferences() -> Preferences:
    try:
        data = json.loads((paths.data_dir() / FILE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Preferences()
    theme = data.get("theme") if isinstance(data, dict) else None
    return Preferences(theme=theme if theme in THEMES else THEMES[0])


def save_preferences(preferences: Preferences) -> None:
    """Best effort: a read-only data directory only means it is not remembered."""
    target = paths.data_dir() / FILE_NAME
    partial = target.with_name(FILE_NAME + ".partial")
    try:
        partial.write_text(json.dumps({"theme": preferences.theme}), encoding="utf-8")
        os.replace(partial, target)
    except OSError:
        partial.unlink(missing_ok=True)
