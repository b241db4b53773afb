"""What every CLI command shares: opening the service, failing cleanly."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

if TYPE_CHECKING:  # the store loads in ``main`` (see there), not with this module
    from quizdl.study.service import StudyService

EXIT_OK = 0
EXIT_FAILED = 1  # a check or validation that did not pass
EXIT_USAGE = 2  # bad usage or bad input


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print a one-line reason (never a traceback) and exit."""
    click.echo(f"quizdl: {message}", err=True)
    sys.exit(code)


def open_service() -> StudyService:
    from quizdl.decks.errors import DeckError
    from quizdl.study.errors import StudyError
    from quizdl.study.factory import open_study

    try:
        return open_study()
    except DeckError as exc:  # a broken bundled deck is our bug, but say so plainly
        fail(f"a bundled deck is invalid:\n{exc}")
    except StudyError as exc:
        fail(str(exc))


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))
