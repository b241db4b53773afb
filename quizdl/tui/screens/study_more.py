"""Study more today, from the home screen: the app's ``quizdl study``.

One option at a time (extra new cards, review ahead, today's failed cards, a
random sample, or only a tag or deck of today's cards), optionally narrowed to
a tag and a deck. The dialog checks that the choice finds cards before it
closes, so the learner can change an empty choice instead of landing on an
empty review.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Literal

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static
from textual.worker import Worker, WorkerState

from quizdl.study.errors import StudyError
from quizdl.study.study_more import MOST_CARDS, StudyMore
from quizdl.tui.screens.dialog import DialogScreen
from quizdl.tui.services import app_of, service_of
from quizdl.tui.text import deck_names, plain

Kind = Literal["new", "ahead", "failed", "sample", "only"]

# (kind, radio label, what N counts, N offered at first); N is None when the
# option takes no number.
OPTIONS: tuple[tuple[Kind, str, str | None, int | None], ...] = (
    ("new", "Extra new cards past today's limit", "cards", 10),
    ("ahead", "Review ahead: cards due in the next N days", "days", 3),
    ("failed", "Again: today's failed cards", None, None),
    ("sample", "Random sample of N cards you have seen", "cards", 20),
    ("only", "Only a tag or deck of today's cards", None, None),
)
MOST_DAYS_AHEAD = 365


def choice_of(
    kind: Kind, number: str, tag: str | None, deck_id: str | None, seed: int
) -> StudyMore:
    """The StudyMore a dialog choice means; StudyError saying what to fix."""
    counts = next(unit for k, _, unit, _ in OPTIONS if k == kind)
    n = 0
    if counts is not None:
        most = MOST_DAYS_AHEAD if counts == "days" else MOST_CARDS
        text = number.strip()
        # ASCII digits only: "²" passes str.isdigit() but is no number to int().
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= most:
            raise StudyError(f"N: expected a number of {counts} from 1 to {most}, got {text!r}")
        n = int(text)
    if kind == "only" and tag is None and deck_id is None:
        raise StudyError("choose a tag or a deck to narrow today's cards to")
    return StudyMore(
        new=n if kind == "new" else 0,
        ahead_days=n if kind == "ahead" else 0,
        failed=kind == "failed",
        sample=n if kind == "sample" else 0,
        tag=tag,
        deck_id=deck_id,
        seed=seed,
    )


class StudyMoreScreen(DialogScreen[StudyMore | None]):
    """Choose cards beyond today's queue; dismissed with the choice, or None."""

    DEFAULT_CSS = """
    #more-kind {
        width: 100%;
    }
    #more-number-row, #more-narrow {
        height: auto;
        margin-top: 1;
    }
    #more-number-label {
        width: 12;
        padding-top: 0;
    }
    #more-number {
        width: 10;
    }
    #more-narrow Select {
        width: 1fr;
    }
    #more-tag {
        margin-right: 1;
    }
    """

    def __init__(self, decks: Sequence[tuple[str, str]], tags: Sequence[str]) -> None:
        super().__init__()
        self.decks = list(deck_names(decks).items())  # titles told apart
        self.tags = list(tags)
        # One seed per dialog: the review draws the same random sample the
        # dialog counted.
        self.seed = random.randrange(2**32)

    def compose(self) -> ComposeResult:
        with Vertical(id="more-box", classes="dialog-box"):
            yield Static("[b]Study more today[/b]", classes="dialog-title")
            with RadioSet(id="more-kind", compact=True):
                for index, (kind, label, _, _) in enumerate(OPTIONS):
                    yield RadioButton(label, value=index == 0, id=f"more-{kind}", compact=True)
            with Horizontal(id="more-number-row"):
                yield Label("N (cards)", id="more-number-label")
                yield Input(
                    str(OPTIONS[0][3]),
                    type="integer",
                    max_length=4,
                    id="more-number",
                    compact=True,
                )
            with Horizontal(id="more-narrow"):
                # Tags and titles are the learner's text: plain, never markup.
                yield Select(
                    [(plain(tag), tag) for tag in self.tags],
                    prompt="Any tag",
                    id="more-tag",
                    compact=True,
                )
                yield Select(
                    [(plain(title), deck_id) for deck_id, title in self.decks],
                    prompt="Any deck",
                    id="more-deck",
                    compact=True,
                )
            yield Static("", id="more-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Study", id="more-start", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="more-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#more-kind", RadioSet).focus()

    # -- the choice -------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        pressed = self.query_one("#more-kind", RadioSet).pressed_index
        return OPTIONS[max(pressed, 0)][0]

    @on(RadioSet.Changed, "#more-kind")
    def kind_changed(self) -> None:
        _, _, unit, default = next(option for option in OPTIONS if option[0] == self.kind)
        number = self.query_one("#more-number", Input)
        number.disabled = unit is None
        self.query_one("#more-number-label", Label).update(f"N ({unit or '—'})")
        number.value = "" if default is None else str(default)
        self.query_one("#more-error", Static).update("")

    def _selected(self, selector: str) -> str | None:
        value = self.query_one(selector, Select).value
        return value if isinstance(value, str) else None

    def choice(self) -> StudyMore:
        return choice_of(
            self.kind,
            self.query_one("#more-number", Input).value,
            self._selected("#more-tag"),
            self._selected("#more-deck"),
            self.seed,
        )

    # -- acting -------------------------------------------------------------------

    @on(Button.Pressed, "#more-start")
    @on(Input.Submitted, "#more-number")
    def start(self) -> None:
        try:
            more = self.choice()
        except StudyError as exc:
            self.say(str(exc))
            return
        self.query_one("#more-start", Button).disabled = True
        self.count_cards(more)

    @work(thread=True, exclusive=True, group="study-more", exit_on_error=False)
    def count_cards(self, more: StudyMore) -> None:
        found = len(service_of(self).study_more(more))
        self.app.call_from_thread(self.counted, more, found)

    def counted(self, more: StudyMore, found: int) -> None:
        self.query_one("#more-start", Button).disabled = False
        if found:
            self.dismiss(more)
        else:
            self.say("No cards for this choice: try another option, tag or deck.")

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            self.query_one("#more-start", Button).disabled = False
            app_of(self).report_failure(worker.error, "Choosing cards to study")

    @on(Button.Pressed, "#more-cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()
