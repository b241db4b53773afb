"""The steps the export tests share: the command line, a deck's copy in another
format, and the deck as the collection holds it afterwards."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from quizdl.decks.model import Deck
from quizdl.study.factory import open_study


def run(*args: str) -> Result:
    from quizdl.cli.main import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def copy_of(source: Path, deck_id: str, out: Path) -> Path:
    """Import ``source``, then export deck ``deck_id`` to ``out`` (its suffix picks
    the format); returns ``out``."""
    assert run("import", str(source)).exit_code == 0
    assert run("export", deck_id, "-o", str(out)).exit_code == 0
    return out


def unchanged(cards: int) -> str:
    """What an import that changes none of a deck's ``cards`` reports."""
    return f"0 new, 0 updated, 0 retired, 0 restored, {cards} unchanged"


def stored_deck(deck_id: str) -> Deck:
    """The deck as the collection holds it now (its active cards)."""
    service = open_study(bundled=[])
    try:
        return service.export_deck(deck_id)[0]
    finally:
        service.db.close()
