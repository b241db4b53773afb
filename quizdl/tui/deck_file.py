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

from quizdl.decks.content import card_to_content, prompt_of
from quizdl.study.values import StudyCard

# Sources an editor must not be handed: rewriting a zip in a text editor would
# break the learner's package.
_PACKAGES = (".apkg", ".colpkg", ".zip")
_ZIP_MAGIC = b"PK\x03\x04"


def card_line_of(path: Path, card_id: str, prompt: str = "") -> int:
    """The 1-based line of a card in its deck file: where its ``id`` is written
    (YAML), else the first line holding the start of its ``prompt`` (a Markdown
    list or a CSV file, whose cards have no written id); 1 if neither is found."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    for number, line in enumerate(lines, start=1):
        stripped = line.strip().removeprefix("- ").strip()
        if stripped in (f"id: {card_id}", f'id: "{card_id}"', f"id: '{card_id}'"):
            return number
    start = prompt.strip().splitlines()[0][:40].strip() if prompt.strip() else ""
    if len(start) >= 8:  # a few letters would match anywhere
        for number, line in enumerate(lines, start=1):
            if start in line:
                return number
    return 1


def _not_editable(path: Path) -> str | None:
    """Why ``path`` cannot be opened in a text editor, or None when it can."""
    if path.is_dir():
        return "a folder of files"
    if path.suffix.lower() in _PACKAGES:
        return "an Anki package, not a text file"
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except FileNotFoundError:
        return "no longer there"
    except OSError as error:
        return f"not readable ({error.strerror or error})"
    if head.startswith(_ZIP_MAGIC) or b"\0" in head:
        return "not a text file"
    return None


def open_card_source(app: App[object], card: StudyCard) -> None:
    """Open ``$VISUAL``/``$EDITOR`` at the card; without one, say where it is."""
    if not card.source_path:
        app.notify("This card's deck has no source file.", severity="warning")
        return
    path = Path(card.source_path)
    reason = _not_editable(path)
    if reason is not None:
        app.notify(
            f"{path} is {reason}. Edit the card where the deck came from and import it "
            f"again, or export the deck to YAML (quizdl export {card.deck_id} -o "
            f"{card.deck_id}.yaml), edit that and import it.",
            title="Deck file",
            severity="warning",
            timeout=12,
            markup=False,
        )
        return
    line = card_line_of(path, card.card_id, prompt_of(card_to_content(card.card)))
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
