"""``quizdl study``: study more today (Anki's custom study) in the review app."""

from __future__ import annotations

import sys

import click

from quizdl.cli.common import fail, open_service
from quizdl.study.errors import StudyError


@click.command("study")
@click.option(
    "--new", "new", type=int, default=0, metavar="N", help="N new cards past today's limit."
)
@click.option(
    "--ahead", "ahead", type=int, default=0, metavar="DAYS", help="Cards due in the next DAYS days."
)
@click.option("--failed", is_flag=True, help="Again today's cards graded below 3.")
@click.option(
    "--sample",
    type=int,
    default=0,
    metavar="N",
    help="N random cards you have seen, not due today.",
)
@click.option("--tag", default=None, metavar="T", help="Only cards with this tag.")
@click.option("--deck", "deck_id", default=None, metavar="ID", help="Only this deck.")
@click.option(
    "--list", "list_only", is_flag=True, help="Print the chosen cards; do not open the app."
)
def study(
    new: int,
    ahead: int,
    failed: bool,
    sample: int,
    tag: str | None,
    deck_id: str | None,
    list_only: bool,
) -> None:
    """Study more today: extra new cards, cards due soon, today's failed cards,
    a random sample, or only a tag or deck. Combine them (--ahead 3 --tag cnn);
    --tag or --deck alone narrows today's queue. Opens the review app on the
    chosen cards.
    """
    from quizdl.study.study_more import StudyMore

    if not (new or ahead or failed or sample or tag or deck_id):
        fail(
            "choose what to study: --new N, --ahead DAYS, --failed, --sample N, "
            "--tag T or --deck ID"
        )
    try:
        more = StudyMore(
            new=new, ahead_days=ahead, failed=failed, sample=sample, tag=tag, deck_id=deck_id
        )
        service = open_service()
        # Studying needs a collection the answers can be saved to; say so
        # before the app opens rather than at the first grade.
        refusal = None if list_only else service.answering.refusal()
        if refusal is not None:
            service.db.close()
            fail(refusal)
        entries = service.study_more(more)
        cards = [service.card(entry.pk) for entry in entries]
    except StudyError as exc:
        fail(str(exc))
    service.db.close()
    if not cards:
        click.echo("Nothing to study for these options.")
        return
    if list_only:
        for card in cards:
            click.echo(f"{card.deck_id}/{card.card_id}")
        return
    from quizdl.tui.app import run

    status = run(study_more=more)
    if status:
        sys.exit(status)
