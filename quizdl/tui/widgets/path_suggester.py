"""Completes file paths in an Input, like a shell's Tab (directories end in /)."""

from __future__ import annotations

from pathlib import Path

from textual.suggester import Suggester

DECK_SUFFIXES = (".yaml", ".yml", ".apkg", ".colpkg", ".csv", ".tsv", ".md", ".json", ".anki2")


class PathSuggester(Suggester):
    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        return complete_path(value)


def complete_path(value: str) -> str | None:
    """The first existing entry that extends ``value`` (deck files and folders first)."""
    if not value:
        return None
    typed = Path(value).expanduser()
    folder, prefix = (typed, "") if value.endswith("/") else (typed.parent, typed.name)
    try:
        entries = sorted(folder.iterdir(), key=lambda p: (p.name.startswith("."), p.name))
    except OSError:
        return None
    matches = [p for p in entries if p.name.startswith(prefix) and p.name != prefix]
    if not prefix:
        matches = [p for p in matches if not p.name.startswith(".")]
    useful = [p for p in matches if p.is_dir() or p.suffix.lower() in DECK_SUFFIXES] or matches
    if not useful:
        return None
    best = useful[0]
    completion = best.name[len(prefix) :] + ("/" if best.is_dir() else "")
    return value + completion
