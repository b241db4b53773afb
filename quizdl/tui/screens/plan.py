"""The interview plan from the home screen: the app's ``quizdl plan``.

Set the interview day (a date, or a number of days from today), the minutes a
day and the decks it covers, or clear the plan. The service checks the plan
as the CLI's does, and its refusal is shown in the dialog so the learner can
fix the field instead of losing what they typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState

from quizdl.scheduling.plan import DEFAULT_MINUTES_PER_DAY, MOST_MINUTES_PER_DAY, MOST_PLAN_DAYS
from quizdl.study.errors import StudyError
from quizdl.study.plans import PlanInfo
from quizdl.tui.screens.dialog import DialogScreen
from quizdl.tui.services import app_of, service_of
from quizdl.tui.text import deck_names, plain


@dataclass(frozen=True)
class PlanChoice:
    interview_day: date
    minutes_per_day: float
    deck_ids: tuple[str, ...]  # empty: every deck


def interview_day_of(text: str, today: date) -> date:
    """'2026-12-10', or '14' for fourteen days from today; StudyError otherwise."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        days = int(text)
        if not 1 <= days <= MOST_PLAN_DAYS:
            raise StudyError(
                f"interview day: expected 1 to {MOST_PLAN_DAYS} days from today, got {text}"
            )
        return today + timedelta(days=days)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StudyError(
            f"interview day: expected a date as YYYY-MM-DD or a number of days, got {text!r}"
        ) from None


def minutes_of(text: str) -> float:
    try:
        minutes = float(text.strip())
    except ValueError:
        raise StudyError(f"minutes a day: expected a number, got {text.strip()!r}") from None
    if not 0 < minutes <= MOST_MINUTES_PER_DAY:
        raise StudyError(
            f"minutes a day: expected more than 0 and at most {MOST_MINUTES_PER_DAY}, "
            f"got {text.strip()}"
        )
    return minutes


class PlanScreen(DialogScreen[bool]):
    """Dismissed with True when the plan was set or cleared, None otherwise."""

    DEFAULT_CSS = """
    .plan-row {
        height: auto;
    }
    .plan-row Label {
        width: 16;
    }
    .plan-row Input {
        width: 1fr;
    }
    #plan-decks {
        height: auto;
        max-height: 8;
        margin-top: 1;
    }
    """

    def __init__(
        self, current: PlanInfo | None, decks: Sequence[tuple[str, str]], today: date
    ) -> None:
        super().__init__()
        self.current = current
        self.decks = list(deck_names(decks).items())  # titles told apart
        self.today = today

    def compose(self) -> ComposeResult:
        current = self.current
        day = "" if current is None else current.interview_day.isoformat()
        minutes = DEFAULT_MINUTES_PER_DAY if current is None else current.minutes_per_day
        covered = set() if current is None else set(current.deck_ids)
        with Vertical(classes="dialog-box"):
            yield Static("[b]Interview plan[/b]", classes="dialog-title")
            with Horizontal(classes="plan-row"):
                yield Label("Interview day")
                yield Input(
                    day, placeholder="YYYY-MM-DD, or days from today", id="plan-day", compact=True
                )
            with Horizontal(classes="plan-row"):
                yield Label("Minutes a day")
                yield Input(f"{minutes:g}", id="plan-minutes", compact=True)
            yield Static("[dim]Decks (none ticked: every deck)[/dim]")
            # Deck titles are the learner's text: plain, never markup.
            yield SelectionList[str](
                *(
                    Selection(plain(title), deck_id, deck_id in covered)
                    for deck_id, title in self.decks
                ),
                id="plan-decks",
                compact=True,
            )
            yield Static("", id="plan-error", classes="dialog-error")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", id="plan-save", variant="primary", compact=True)
                if current is not None:
                    yield Button("Clear plan", id="plan-clear", compact=True)
                yield Button("Cancel (esc)", id="plan-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#plan-day", Input).focus()

    def choice(self) -> PlanChoice:
        return PlanChoice(
            interview_day_of(self.query_one("#plan-day", Input).value, self.today),
            minutes_of(self.query_one("#plan-minutes", Input).value),
            tuple(self.query_one("#plan-decks", SelectionList).selected),
        )

    @on(Button.Pressed, "#plan-save")
    @on(Input.Submitted)
    def save(self) -> None:
        try:
            choice = self.choice()
        except StudyError as exc:
            self.say(str(exc))
            return
        self.set_buttons(disabled=True)
        self.store(choice)

    @on(Button.Pressed, "#plan-clear")
    def clear(self) -> None:
        self.set_buttons(disabled=True)
        self.store(None)

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def store(self, choice: PlanChoice | None) -> None:
        service = service_of(self)
        try:
            if choice is None:
                service.clear_plan()
            else:
                service.set_plan(choice.interview_day, choice.deck_ids, choice.minutes_per_day)
        except StudyError as exc:
            self.app.call_from_thread(self.refused, str(exc))
            return
        self.app.call_from_thread(self.dismiss, True)

    def refused(self, message: str) -> None:
        self.set_buttons(disabled=False)
        self.say(message)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            # A read-only or damaged collection: the notice says why.
            self.set_buttons(disabled=False)
            app_of(self).report_failure(worker.error, "Saving the plan")

    def set_buttons(self, *, disabled: bool) -> None:
        for button in self.query(Button):
            if button.id != "plan-cancel":
                button.disabled = disabled

    @on(Button.Pressed, "#plan-cancel")
    def cancel_pressed(self) -> None:
        self.action_cancel()
