"""Challenges: every build-this-model exercise with its last result and due date."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Static

from quizdl.study.values import ChallengeInfo
from quizdl.tui.screens.base import QuizScreen
from quizdl.tui.services import service_of
from quizdl.tui.text import Cell, plain
from quizdl.tui.widgets.footer import Footer
from quizdl.tui.widgets.tables import fill_table


def result_of(info: ChallengeInfo) -> Text:
    # A Text, not markup: table cells parse strings with Rich, which knows
    # nothing of Textual's $variables (a "[$success]…[/]" cell crashed here).
    if info.last_passed is None:
        return Text("not tried")
    if info.last_passed:
        return Text("✓ passed", style="bold green")
    return Text("✗ failed", style="bold red")


LABELS = ("Last check", "Due", "Checks", "Challenge", "Deck")
# The result, due date and count are short; titles and deck ids share the rest.
FLEXIBLE = {3: 0.7, 4: 0.3}


class ChallengeListScreen(QuizScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Home"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.infos: dict[str, ChallengeInfo] = {}

    def compose(self) -> ComposeResult:
        yield Static("Challenges — build the model, the checker grades it", classes="screen-title")
        yield DataTable[Cell](id="challenges", cursor_type="row", zebra_stripes=True)
        yield Static("[b]Enter[/b] open the selected challenge", classes="muted", id="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()

    def on_resize(self) -> None:
        # Column widths follow the terminal's width.
        if self.infos:
            self.show(list(self.infos.values()))

    def on_screen_resume(self) -> None:
        # Sent on the first show too, and when a challenge closes.
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        infos = service_of(self).challenges.challenge_cards()
        self.app.call_from_thread(self.show, infos)

    def show(self, infos: list[ChallengeInfo]) -> None:
        table: DataTable[Cell] = self.query_one(DataTable)
        row = table.cursor_row
        # Keyed by deck and card: two decks may hold the same card id.
        self.infos = {info.key: info for info in infos}
        today = service_of(self).today()
        cells: list[list[Cell]] = []
        for info in infos:
            due = "new" if info.due is None else ("today" if info.due <= today else str(info.due))
            cells.append(
                [result_of(info), due, str(info.attempts), plain(info.title), plain(info.deck_id)]
            )
        keys = [info.key for info in infos]
        fill_table(
            table, LABELS, cells, keys=keys, flexible=FLEXIBLE, screen_width=self.app.size.width
        )
        if 0 <= row < table.row_count:
            table.move_cursor(row=row)
        if not infos:
            self.query_one("#hint", Static).update("No challenges in your decks yet.")

    @on(DataTable.RowSelected)
    def open_challenge(self, event: DataTable.RowSelected) -> None:
        from quizdl.tui.screens.challenge import ChallengeScreen

        key = event.row_key.value
        if key is not None:
            self.app.push_screen(ChallengeScreen(self.infos[key]))
