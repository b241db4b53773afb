"""A card's deck file opened at the card, so the learner can rewrite it.

Used from review (``e``) and from a card's detail, which is where the leech
list on home leads: a card that keeps lapsing is usually a card to rewrite.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

from textual.app import App, SuspendNotSupported

from quizdl.study.values import StudyCard


def card_line_of(path: Path, card_id: str) -> int:
    """The 1-based line where a card's ``id`` is written in its deck file (1 if unknown)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    for number, line in enumerate(lines, start=1):
        stripped = line.strip().removeprefix("- ").strip()
        if stripped in (f"id: {card_id}", f'id: "{card_id}"', f"id: '{card_id}'"):
            return number
    return 1


def open_card_source(app: App[object], card: StudyCard) -> None:
    """Open ``$VISUAL``/``$EDITOR`` at the card; without one, say where it is."""
    if not card.source_path:
        app.notify("This card's deck has no source file.", severity="warning")
        return
    path = Path(card.source_path)
    line = card_line_of(path, card.card_id)
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        app.notify(
            f"{path}:{line}",
            title="Deck file (set $EDITOR to open it)",
            timeout=10,
            markup=False,
        )
        return
    try:
        with app.suspend():
            subprocess.run([*shlex.split(editor), f"+{line}", str(path)], check=False)
    except SuspendNotSupported:
        app.notify(f"{path}:{line}", title="Deck file", timeout=10, markup=False)
        return
    except (OSError, ValueError) as error:  # no such editor, or unbalanced quotes in it
        app.notify(f"$EDITOR did not start: {error}", severity="error", markup=False)
        return
    app.notify("Edited deck files take effect when you import them again (i on Home).")
