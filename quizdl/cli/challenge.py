"""``quizdl challenge``: list, read, check and give up "build this model" challenges.

The check runs the learner's file through ``quizdl.challenges.runner`` (a child
process; this process never imports TensorFlow), stores the attempt and, when
it passes, grades the card through the study service.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from quizdl.challenges.runner import DEFAULT_MEMORY, DEFAULT_TIMEOUT, Checker
from quizdl.challenges.verdict import Verdict
from quizdl.cli.common import EXIT_FAILED, EXIT_OK, fail, open_service, print_json
from quizdl.study.errors import StudyError
from quizdl.study.service import StudyService
from quizdl.study.values import ChallengeInfo

GRADE_MEANINGS = {
    5: "passed on the first try",
    4: "passed after earlier attempts",
    3: "passed after seeing the solution",
    1: "gave up",
}
# Enough of the learner's own output to see an error, not a screenful of logs.
OUTPUT_LINES = 20


def _find(service: StudyService, card_id: str) -> ChallengeInfo:
    try:
        return service.challenges.find_challenge(card_id)
    except StudyError as exc:
        fail(f"{exc} (see `quizdl challenge list`)")


def _last_verdict(info: ChallengeInfo) -> str:
    if info.last_passed is None:
        return "—"
    return "passed" if info.last_passed else "failed"


@click.group()
def challenge() -> None:
    """Build-this-model challenges whose Keras code is checked automatically."""


@challenge.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def list_challenges(as_json: bool) -> None:
    """Every challenge with its deck, title, last verdict and due date."""
    infos = open_service().challenges.challenge_cards()
    if as_json:
        print_json(
            [
                {
                    "id": info.card_id,
                    "deck": info.deck_id,
                    "title": info.title,
                    "last_passed": info.last_passed,
                    "due": info.due.isoformat() if info.due else None,
                }
                for info in infos
            ]
        )
        return
    if not infos:
        click.echo("No challenges yet.")
        return
    id_width = max(len("id"), *(len(info.card_id) for info in infos))
    deck_width = max(len("deck"), *(len(info.deck_id) for info in infos))
    click.echo(f"{'id':<{id_width}}  {'deck':<{deck_width}}  {'last':<6}  {'due':<10}  title")
    for info in infos:
        due = info.due.isoformat() if info.due else "new"
        click.echo(
            f"{info.card_id:<{id_width}}  {info.deck_id:<{deck_width}}  "
            f"{_last_verdict(info):<6}  {due:<10}  {info.title}"
        )


@challenge.command("show")
@click.argument("card_id")
@click.option(
    "--starter",
    "starter_path",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the starter code to this file.",
)
@click.option("--force", is_flag=True, help="Overwrite the --starter file if it exists.")
@click.option("--solution", is_flag=True, help="Print the reference solution (counts as seen).")
def show(card_id: str, starter_path: Path | None, force: bool, solution: bool) -> None:
    """Print a challenge's prompt."""
    service = open_service()
    info = _find(service, card_id)
    card = info.card
    if starter_path is not None and starter_path.exists() and not force:
        fail(f"{starter_path} already exists; add --force to overwrite it")
    click.echo(f"# {card.title}\n")
    click.echo(card.prompt.rstrip())
    if starter_path is not None:
        try:
            starter_path.write_text(card.starter.rstrip("\n") + "\n", encoding="utf-8")
        except OSError as exc:
            fail(f"cannot write {starter_path}: {exc.strerror or exc}")
        click.echo(f"\nStarter code written to {starter_path}.")
        click.echo(f"Check it with: quizdl challenge check {card.id} {starter_path}")
    if solution:
        service.challenges.mark_solution_seen(info.key)
        click.echo("\n## Reference solution\n")
        click.echo(card.solution.rstrip())


def _print_verdict(info: ChallengeInfo, verdict: Verdict, grade: int | None) -> None:
    click.echo(f"{info.card_id} — {info.title}")
    for line in verdict.lines():
        click.echo(line)
    if verdict.described_by == "your process":
        click.echo(
            "(Described in the process that ran your code: your model uses your own classes, "
            "or the challenge must run your code.)"
        )
    failed = len(verdict.failures)
    total = len(verdict.checks)
    if verdict.passed:
        meaning = GRADE_MEANINGS.get(grade or 0, "")
        graded = f" Graded {grade}: {meaning}." if grade is not None else ""
        click.echo(f"\nPassed: all {total} rules ({verdict.seconds:.1f} s).{graded}")
        return
    for name, text in (("stdout", verdict.stdout), ("stderr", verdict.stderr)):
        lines = text.rstrip().splitlines()
        if lines:
            click.echo(f"\nYour code's {name} (last lines):")
            click.echo("\n".join(lines[-OUTPUT_LINES:]))
    click.echo(
        f"\nNot yet: {failed} of {total} rules failed ({verdict.seconds:.1f} s). "
        "Fix them and check again."
    )


@challenge.command("check")
@click.argument("card_id")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=1.0),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds your code may run.",
)
def check(card_id: str, file: Path, as_json: bool, timeout: float) -> None:
    """Run FILE and check the model it builds; exit 0 when it passes, 1 when not."""
    service = open_service()
    info = _find(service, card_id)
    try:
        code = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        fail(f"{file}: no such file")
    except UnicodeDecodeError:
        fail(f"{file}: not a UTF-8 text file")
    except OSError as exc:
        fail(f"{file}: {exc.strerror or exc}")
    # One check from the command line: a spare process would only be thrown away.
    try:
        with Checker(keep_warm=False) as checker:
            verdict = checker.check(
                info.card.expect,
                code,
                timeout=timeout,
                memory_bytes=DEFAULT_MEMORY,
                filename=str(file.resolve()),
                reference=info.card.solution,
            )
    except OSError as exc:
        fail(f"cannot start the checker process: {exc}")
    result = verdict.to_dict(info.card_id)
    grade = service.challenges.record_attempt(
        info.key, code, verdict.passed, result, verdict.seconds
    )
    if as_json:
        print_json({**result, "grade": grade})
    else:
        _print_verdict(info, verdict, grade)
    sys.exit(EXIT_OK if verdict.passed else EXIT_FAILED)


@challenge.command("give-up")
@click.argument("card_id")
def give_up(card_id: str) -> None:
    """Stop trying for now: grades the card 1, so it comes back soon."""
    service = open_service()
    info = _find(service, card_id)
    grade = service.challenges.give_up(info.key)
    click.echo(f"{info.card_id}: graded {grade} ({GRADE_MEANINGS[grade]}); it will come back soon.")
    click.echo(f"See the reference solution with: quizdl challenge show {info.key} --solution")


@challenge.command("verify")
@click.argument("decks", nargs=-1, required=True, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--timeout",
    type=click.FloatRange(min=1.0),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds each check may run.",
)
def verify(decks: tuple[Path, ...], timeout: float) -> None:
    """For deck authors: every challenge's solution passes, its starter fails,
    and its spec does not contradict itself. Exit 0 when all hold, 1 when not."""
    from quizdl.challenges.verify import verify_challenges
    from quizdl.decks.errors import DeckError
    from quizdl.decks.loader import load_deck
    from quizdl.decks.model import ChallengeCard

    cards: list[tuple[str, ChallengeCard]] = []
    for path in decks:
        try:
            deck = load_deck(path)
        except DeckError as exc:
            fail(str(exc))
        cards.extend(
            (f"{deck.id}/{card.id}", card) for card in deck.cards if isinstance(card, ChallengeCard)
        )
    if not cards:
        fail("no challenges in " + ", ".join(str(path) for path in decks))
    broken = 0
    try:
        with Checker() as checker:
            for verification in verify_challenges(checker, cards, timeout=timeout):
                problems = verification.problems
                if problems:
                    broken += 1
                    click.echo(f"✗ {verification.key}")
                    for problem in problems:
                        click.echo(f"    {problem}")
                else:
                    solution, starter = verification.solution, verification.starter
                    click.echo(
                        f"✓ {verification.key} — solution passes ({solution.seconds:.1f} s), "
                        f"starter fails {len(starter.failures)} "
                        f"rule{'s' if len(starter.failures) != 1 else ''}"
                    )
    except OSError as exc:
        fail(f"cannot start the checker process: {exc}")
    click.echo(f"\n{len(cards) - broken} of {len(cards)} challenges verified.")
    sys.exit(EXIT_OK if not broken else EXIT_FAILED)
