"""``quizdl plan``: set, show or clear the interview plan."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import click

from quizdl.cli.common import fail, open_service, print_json
from quizdl.study.errors import StudyError

if TYPE_CHECKING:
    from quizdl.study.plans import Pacing, PlanStatus

WEAKEST_SHOWN = 8
PLANNED_DAYS_SHOWN = 7


def _interview_day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(f"--interview: expected a date as YYYY-MM-DD, got {text!r}")


def memory_model(status: PlanStatus) -> str:
    from quizdl.scheduling.readiness import MIN_REVIEWS_TO_FIT

    fitted = status.fitted
    if fitted is None:
        return (
            f"FSRS-6 defaults (fitted to your own log from {MIN_REVIEWS_TO_FIT:,} reviews; "
            f"you have {status.reviews:,})"
        )
    return f"FSRS-6 fitted to your {fitted.review_count:,} reviews on {fitted.study_day:%d %b %Y}"


def new_cards_line(pacing: Pacing, minutes_per_day: float) -> str:
    if pacing.needed <= pacing.allowed:
        return f"{pacing.new_today} (paced to see every card before the final stretch)"
    return (
        f"{pacing.new_today}, what {minutes_per_day:g} minutes a day hold; seeing every card "
        f"before the final stretch would take {pacing.needed} a day"
    )


@click.command("plan")
@click.option("--interview", metavar="DATE", help="Plan toward this interview day (YYYY-MM-DD).")
@click.option("--deck", "decks", multiple=True, metavar="ID", help="Only these decks (repeat).")
@click.option(
    "--minutes-per-day", type=float, default=None, help="Daily study budget (default 20)."
)
@click.option("--clear", is_flag=True, help="Drop the plan: plain SM-2 limits again.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def plan(
    interview: str | None,
    decks: tuple[str, ...],
    minutes_per_day: float | None,
    clear: bool,
    as_json: bool,
) -> None:
    """Pace new cards toward an interview day and show how ready you are.

    With no options, shows the plan: days left, today's new cards and the
    predicted share of cards you would recall on the day, per deck and tag.
    """
    if clear and (interview or decks or minutes_per_day is not None):
        fail("--clear cannot be combined with --interview, --deck or --minutes-per-day")
    if interview is None and (decks or minutes_per_day is not None):
        fail("--deck and --minutes-per-day need --interview DATE")
    from quizdl.study.fitted import refit_if_due

    service = open_service()
    try:
        if clear:
            had = service.clear_plan()
            click.echo("Plan cleared." if had else "There was no plan to clear.")
            return
        if interview is not None:
            day = _interview_day(interview)
            if minutes_per_day is None:
                service.set_plan(day, decks)
            else:
                service.set_plan(day, decks, minutes_per_day)
        if not service.read_only:
            # At most once a study day, and only with enough reviews to trust.
            refit_if_due(service.db, service.clock())
        status = service.plan_status()
        load = service.planned_load()
    except StudyError as exc:
        fail(str(exc))
    if as_json:
        data = None if status is None else status.as_json()
        if data is not None:
            data["planned_days"] = [
                {
                    "day": planned.day.isoformat(),
                    "reviews": planned.reviews,
                    "new_cards": planned.new_cards,
                    "minutes": round(planned.minutes, 1),
                }
                for planned in load
            ]
        print_json(data)
        return
    if status is None:
        click.echo("No interview plan. Set one with: quizdl plan --interview YYYY-MM-DD")
        return
    info = status.plan
    scope = ", ".join(info.deck_ids) if info.deck_ids else "all decks"
    days = "day" if status.days_left == 1 else "days"
    click.echo(
        f"Interview on {info.interview_day:%a %d %b %Y}, in {status.days_left} {days} "
        f"({scope}, {info.minutes_per_day:g} min a day)"
    )
    overall = status.overall
    click.echo(
        f"Ready: {overall.ready}/{overall.cards} cards "
        f"(expected recall on the day {overall.mean_recall:.0%}); {status.unseen} not seen yet"
    )
    click.echo(f"New cards today: {new_cards_line(status.pacing, info.minutes_per_day)}")
    click.echo(f"Memory model: {memory_model(status)}")
    if load:
        click.echo("Planned days (reviews + new cards, expected minutes):")
        for planned in load[:PLANNED_DAYS_SHOWN]:
            counts = f"{planned.reviews:>4} + {planned.new_cards:<4}"
            click.echo(f"  {planned.day:%a %d %b}  {counts} ≈ {planned.minutes:.0f} min")
        if len(load) > PLANNED_DAYS_SHOWN:
            click.echo(f"  … {len(load) - PLANNED_DAYS_SHOWN} more (quizdl plan --json)")
    if status.groups:
        click.echo("Weakest:")
        width = max(len(g.name) for g in status.groups[:WEAKEST_SHOWN])
        for group in status.groups[:WEAKEST_SHOWN]:
            click.echo(
                f"  {group.name:<{width}}  {group.ready:>4}/{group.cards:<4} ready  "
                f"{group.mean_recall:.0%}"
            )
