"""``quizdl``: the TUI with no arguments, scripting subcommands otherwise."""

from __future__ import annotations

import atexit
import gc
import importlib
import json
import sys
from pathlib import Path
from typing import ClassVar

import click

from quizdl.cli.common import EXIT_FAILED, EXIT_USAGE, fail, open_service, print_json


class _LazyGroup(click.Group):
    """Commands in their own modules are imported only when used (or listed):
    opening the app should not pay for the checker's or importers' imports."""

    lazy: ClassVar[dict[str, str]] = {
        "challenge": "quizdl.cli.challenge:challenge",
        "backup": "quizdl.cli.backup:backup",
        "import": "quizdl.cli.transfer:import_command",
        "export": "quizdl.cli.transfer:export_command",
        "plan": "quizdl.cli.plan:plan",
        "study": "quizdl.cli.study:study",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy:
            module_name, attribute = self.lazy[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            assert isinstance(command, click.Command)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=_LazyGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(package_name="quizdl")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Daily deep-learning interview practice: spaced repetition and Keras challenges.

    With no command, opens the review app.
    """
    if ctx.invoked_subcommand is None:
        _open_app()


def _open_app() -> None:
    # Imported here: scripting commands never pay for Textual.
    from quizdl.tui.app import run

    status = run()
    if status:
        sys.exit(status)


@cli.group()
def decks() -> None:
    """List, validate, lint and describe decks."""


@decks.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def decks_list(as_json: bool) -> None:
    """Every deck with total, new and due-today counts."""
    summaries = open_service().deck_summaries()
    if as_json:
        print_json([s.as_json() for s in summaries])
        return
    if not summaries:
        click.echo("No decks yet. Import one with: quizdl import PATH")
        return
    width = max(len(s.id) for s in summaries)
    click.echo(f"{'deck':<{width}}  {'total':>6}  {'new':>5}  {'due':>5}  title")
    for s in summaries:
        click.echo(f"{s.id:<{width}}  {s.total:>6}  {s.new:>5}  {s.due:>5}  {s.title}")


@decks.command("validate")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
def decks_validate(paths: tuple[Path, ...]) -> None:
    """Check deck files; print each problem as path:line:column: field: message."""
    from quizdl.decks.errors import DeckError
    from quizdl.decks.loader import load_deck

    bad = 0
    for path in paths:
        try:
            deck = load_deck(path)
        except DeckError as exc:
            bad += 1
            for problem in exc.problems:
                click.echo(str(problem))
        else:
            click.echo(f"{path}: ok ({len(deck.cards)} cards)", err=True)
            # Challenge specs that contradict themselves, told without running Keras.
            from quizdl.challenges.lint import spec_problems
            from quizdl.decks.model import ChallengeCard

            for card in deck.cards:
                if isinstance(card, ChallengeCard):
                    for contradiction in spec_problems(card.expect):
                        click.echo(f"{path}: warning: {card.id}: expect: {contradiction}", err=True)
    if bad:
        sys.exit(EXIT_FAILED)


@decks.command("lint")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--allow",
    "allow_files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Allow-list file (repeatable). Default: lint-allow.txt beside the decks.",
)
@click.option("--no-allow", is_flag=True, help="Ignore allow-lists: report every warning.")
def decks_lint(
    paths: tuple[Path, ...], as_json: bool, allow_files: tuple[Path, ...], no_allow: bool
) -> None:
    """Warn about unfair cards (path:line:column: rule: deck/card: message); exit 1 if any."""
    from quizdl.decks.errors import DeckError
    from quizdl.decks.lint import lint

    chosen = [] if no_allow else (list(allow_files) if allow_files else None)
    try:
        result = lint(paths, chosen)
    except DeckError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_USAGE)
    if as_json:
        print_json(
            {
                "warnings": [warning.as_json() for warning in result.warnings],
                "allowed": len(result.allowed),
                "unused_allow_entries": [entry.where for entry in result.unused],
            }
        )
    else:
        for warning in result.warnings:
            click.echo(str(warning))
        for entry in result.unused:
            click.echo(
                f"{entry.where}: allow-list entry matches no warning "
                f"({entry.deck_id}/{entry.card_id} {entry.rule})",
                err=True,
            )
        click.echo(f"{len(result.warnings)} warning(s), {len(result.allowed)} allowed", err=True)
    if result.warnings:
        sys.exit(EXIT_FAILED)


@decks.command("schema")
def decks_schema() -> None:
    """Print the deck format as JSON Schema (for editor autocompletion)."""
    from quizdl.decks.model import Deck

    schema = Deck.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "quizdl deck"
    click.echo(json.dumps(schema, indent=2, ensure_ascii=False))


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def stats(as_json: bool) -> None:
    """Reviews today, cards due today and tomorrow, streak, per-deck counts."""
    result = open_service().stats()
    if as_json:
        print_json(result.as_json())
        return
    click.echo(f"Reviews today:  {result.reviews_today}")
    click.echo(f"Due today:      {result.due_today}")
    click.echo(f"Due tomorrow:   {result.due_tomorrow}")
    click.echo(f"Streak:         {result.streak} day{'s' if result.streak != 1 else ''}")
    if result.retention is not None:
        click.echo(f"Retention:      {result.retention:.0%}")
    if result.decks:
        click.echo("")
        width = max(len(d.deck_id) for d in result.decks)
        click.echo(
            f"{'deck':<{width}}  {'total':>6} {'new':>5} {'learn':>5} {'review':>6} {'due':>5}"
        )
        for d in result.decks:
            counts = f"{d.total:>6} {d.new:>5} {d.learning:>5} {d.review:>6} {d.due_today:>5}"
            click.echo(f"{d.deck_id:<{width}}  {counts}")


def main() -> None:
    # What SQLAlchemy and the store allocate as they load lives as long as the
    # process: the collector's passes over it, while it loads and again while
    # the interpreter shuts down, cost ~70 ms of a ~0.35 s ``quizdl stats``.
    # So they load with the collector paused (the command itself runs with it
    # on), and everything still alive at exit is frozen out of its view: the
    # memory goes back to the system with the process anyway, and atexit
    # handlers and refcount finalizers run as before.
    atexit.register(gc.freeze)
    collecting = gc.isenabled()
    gc.disable()
    try:
        import sqlite3

        from sqlalchemy.exc import SQLAlchemyError

        from quizdl.decks.errors import DeckError
        from quizdl.paths import database_url
        from quizdl.store.db import sqlite_path
        from quizdl.store.faults import CollectionError, explain
        from quizdl.study.errors import StudyError
        from quizdl.study.factory import open_study  # noqa: F401  (loaded with the rest)
    finally:
        if collecting:
            gc.enable()

    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except click.exceptions.Abort:
        fail("aborted")
    except (StudyError, DeckError, CollectionError) as exc:
        fail(str(exc))
    except (SQLAlchemyError, sqlite3.Error) as exc:
        explained = explain(exc, sqlite_path(database_url()))
        fail(str(explained) if explained is not None else f"database error: {exc}")
    except KeyboardInterrupt:
        sys.exit(130)
