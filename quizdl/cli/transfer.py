"""``quizdl import`` (every format quizdl reads) and ``quizdl export`` (YAML, JSON, CSV, .apkg).

Import reads and validates the whole source first, shows the plan (new /
updated / retired cards, what was skipped and why), then applies it in one
transaction; a source that cannot be used is refused whole with exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, cast

import click

from quizdl.cli.common import fail, open_service, print_json

PROGRESS_BAR_FROM = 300  # cards: smaller sources are read before a bar would be seen
SHOW_SKIPPED = 15


class _Bar:
    """A progress bar on stderr that appears only for large sources."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.bar: Any = None
        self.done = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < PROGRESS_BAR_FROM:
                return
            self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _plan_line(verb: str, plan: Any) -> str:
    return (
        f"{verb} {plan.deck_id!r}: {len(plan.new)} new, {len(plan.updated)} updated, "
        f"{len(plan.retired)} retired, {len(plan.restored)} restored, "
        f"{len(plan.unchanged)} unchanged."
    )


@click.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--deck", "deck_id", help="Deck id to import into (default: from the source name).")
@click.option("--dry-run", is_flag=True, help="Show what would change; store nothing.")
@click.option(
    "--replace",
    is_flag=True,
    help="Let this file replace a deck of the same id that another file made "
    "(refused otherwise when it would retire most of that deck's cards).",
)
@click.option(
    "--with-progress",
    is_flag=True,
    help="Carry scheduling over (Anki ease/interval/due/lapses/suspended, or a quizdl backup).",
)
@click.option(
    "--keep-unanswered",
    is_flag=True,
    help="Import questions whose answer is empty or a placeholder ('Answer here', 'TODO').",
)
@click.option(
    "--format",
    "source_format",
    type=click.Choice(
        ["auto", "anki-package", "anki-collection", "csv", "markdown", "json", "yaml"]
    ),
    default="auto",
    show_default=True,
    help="Skip detection and read the file as this format.",
)
@click.option("--front-column", help="CSV: the question column (1-based number or header name).")
@click.option("--back-column", help="CSV: the answer column (number or name).")
@click.option("--tags-column", help="CSV: the space-separated tags column (number or name).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def import_command(
    path: Path,
    deck_id: str | None,
    dry_run: bool,
    replace: bool,
    with_progress: bool,
    keep_unanswered: bool,
    source_format: str,
    front_column: str | None,
    back_column: str | None,
    tags_column: str | None,
    as_json: bool,
) -> None:
    """Import an Anki package, CSV/TSV, Markdown question list (or a folder of
    them), JSON or YAML deck.

    The format is detected from the content. Re-importing the same source
    updates cards by their stable id and never duplicates them; Anki notes
    already in another deck are updated there (by GUID), as Anki does. Images
    and sounds of Anki packages go to the media folder beside the collection.

    Limits, the same for every format: 200,000 cards; a text file 64 MiB; a
    package 512 MiB; one image or sound 20 MiB, and 512 MiB of media in all (a
    file past a limit is left out and marked in its card).
    """
    from quizdl.decks.errors import DeckError
    from quizdl.importers import ImportOptions, read_source
    from quizdl.importers.detect import Format
    from quizdl.importers.ids import is_valid_id
    from quizdl.study.errors import OtherSource, StudyError

    if deck_id is not None and not is_valid_id(deck_id):
        fail(f"--deck {deck_id!r}: ids hold letters, digits and . _ : @ + - (no spaces)")
    bar = _Bar(f"Reading {path.name}")
    options = ImportOptions(
        deck_id=deck_id,
        keep_unanswered=keep_unanswered,
        with_progress=with_progress,
        front_column=front_column,
        back_column=back_column,
        tags_column=tags_column,
        on_progress=bar,
    )
    chosen = None if source_format == "auto" else cast(Format, source_format)
    try:
        source = read_source(path, options, chosen)
    except DeckError as exc:
        bar.close()
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        fail(f"{path}: not imported ({len(exc.problems)} problem(s)); nothing was stored")
    except Exception as exc:  # a reader bug must still end in one line, not a traceback
        bar.close()
        fail(f"{path}: not imported: unexpected {type(exc).__name__}: {exc} (a quizdl bug)")
    bar.close()

    service = open_service()
    progress = source.progress if with_progress else None
    source_path = str(path.resolve())
    try:
        plan = (
            service.plan_import(source.deck, source_path=source_path, traits=source.traits)
            if dry_run
            else service.import_deck(
                source.deck,
                source_path=source_path,
                content_hash=source.content_hash,
                progress=progress,
                media=source.media.files,
                replace=replace,
                traits=source.traits,
            )
        )
    except OtherSource as exc:
        fail(
            f"{path}: not imported: {exc}. --deck ID imports it as a deck of its own; "
            "--replace lets it replace that deck (retired cards keep their history)"
        )
    except StudyError as exc:
        fail(f"{path}: not imported: {exc} (--deck ID chooses the id)")
    except OSError as exc:  # the media folder could not be written: nothing was committed
        fail(f"{path}: not imported: cannot store its media: {exc.strerror or exc}")

    if as_json:
        print_json(
            {
                "path": str(path),
                "format": source.format,
                "deck": plan.deck_id,
                "dry_run": dry_run,
                "new": plan.new,
                "updated": plan.updated,
                "retired": plan.retired,
                "restored": plan.restored,
                "other_source": plan.other_source,
                "retyped": {card_id: list(kinds) for card_id, kinds in plan.retyped.items()},
                "unchanged": len(plan.unchanged),
                "elsewhere_updated": plan.elsewhere_updated,
                "elsewhere_unchanged": plan.elsewhere_unchanged,
                "skipped": [{"where": s.where, "reason": s.reason} for s in source.skipped],
                "media": source.media.describe(),
                "progress_cards": len(progress or {}),
            }
        )
        return
    click.echo(
        f"Read {path} as {source.format}: {len(source.deck.cards)} card(s) "
        f"for deck {plan.deck_id!r} ({plan.deck_title})."
    )
    for note in source.notes:
        click.echo(f"  note: {note}")
    if source.media.any:
        click.echo(f"  media: {source.media.describe()}")
    if source.skipped:
        click.echo(f"  skipped {len(source.skipped)} item(s):")
        for skip in source.skipped[:SHOW_SKIPPED]:
            click.echo(f"    {skip}")
        if len(source.skipped) > SHOW_SKIPPED:
            click.echo(f"    … and {len(source.skipped) - SHOW_SKIPPED} more (--json lists all)")
    if with_progress:
        if progress is None:
            click.echo("  progress: this source carries none; cards come in as new")
        else:
            carried = len(set(progress) & set(plan.new))
            click.echo(
                f"  progress: carried over for {carried} new card(s); "
                "cards already in your collection keep their own history"
            )
    moved = sum(len(ids) for ids in plan.elsewhere_updated.values())
    if moved or plan.elsewhere_unchanged:
        where = ", ".join(repr(deck) for deck in plan.elsewhere_updated) or "their decks"
        click.echo(
            f"  note: {moved + plan.elsewhere_unchanged} card(s) are the same Anki notes (GUID) "
            f"as cards already in your collection: {moved} updated in {where}, "
            f"{plan.elsewhere_unchanged} unchanged; not duplicated here, as Anki does"
        )
        if not plan.deck_exists and not (plan.new or plan.restored or plan.unchanged):
            click.echo(f"  note: no deck {plan.deck_id!r} is made: every card is already in one")
    if plan.retyped:
        shown = ", ".join(
            f"{card_id} ({old} → {new})" for card_id, (old, new) in list(plan.retyped.items())[:5]
        )
        more = f" and {len(plan.retyped) - 5} more" if len(plan.retyped) > 5 else ""
        click.echo(
            f"  note: {len(plan.retyped)} card(s) change kind: {shown}{more}; "
            + (
                "their copy here no longer reads as their own kind (a YAML export keeps it)"
                if source.traits.two_sided
                else "as this source gives them"
            )
        )
    if plan.deck_exists and plan.retired:
        click.echo(
            f"  note: {len(plan.retired)} card(s) of the existing deck {plan.deck_id!r} are not "
            "in this source and are retired; --deck ID imports it as a separate deck"
        )
    if dry_run and plan.other_source is not None and not replace:
        click.echo(
            f"  note: deck {plan.deck_id!r} was imported from {plan.other_source}: this other "
            "file would retire most of its cards, so the import needs --replace (or --deck ID)"
        )
    if dry_run:
        click.echo(_plan_line("Would import", plan) + " (dry run: nothing stored)")
        if plan.retired:
            click.echo(f"  would retire: {', '.join(plan.retired[:10])}")
    else:
        click.echo(_plan_line("Imported", plan))


@click.command("export")
@click.argument("deck_id")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["yaml", "csv", "apkg", "json"]),
    default=None,
    help="Output format (default: from -o's extension, else yaml).",
)
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="File to write ('-': stdout)."
)
@click.option(
    "--with-progress", is_flag=True, help="Include each card's SM-2 state (yaml/json backups)."
)
def export_command(deck_id: str, fmt: str | None, output: Path | None, with_progress: bool) -> None:
    """Write a deck as YAML (lossless), JSON, CSV or an Anki package (.apkg).

    Text formats go to stdout unless -o is given; .apkg defaults to DECK_ID.apkg.
    """
    from quizdl.exporters import PROGRESS_FORMATS, ExportFormat, export_deck
    from quizdl.study.errors import StudyError

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        fmt = {"yml": "yaml", "yaml": "yaml", "json": "json", "csv": "csv", "apkg": "apkg"}.get(
            suffix, "yaml"
        )
    if with_progress and fmt not in PROGRESS_FORMATS:
        fail(f"--with-progress is for yaml or json backups; {fmt} carries content only")
    try:
        deck, progress = open_service().export_deck(deck_id)
    except StudyError as exc:
        fail(str(exc))
    data = export_deck(deck, cast(ExportFormat, fmt), progress if with_progress else None)
    if output is None and fmt == "apkg":
        output = Path(f"{deck.id}.apkg")
    if output is None or str(output) == "-":
        if fmt == "apkg" and sys.stdout.isatty():
            fail("an .apkg is binary: give -o PATH")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    _write_atomically(output, data)
    click.echo(f"Exported {deck.id!r} ({len(deck.cards)} cards) as {fmt} to {output}", err=True)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target and rename, so a failure never leaves half a file."""
    from quizdl.files import write_whole

    try:
        write_whole(path, data)
    except OSError as exc:
        fail(f"{path}: cannot write: {exc.strerror or exc}")
