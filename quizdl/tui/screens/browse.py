"""Browse: search every card by text, deck, tag, type and state; open one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import DataTable, Input, Select, Static

from quizdl.decks.model import CARD_TYPES
from quizdl.study.values import BrowseRow, CardStatus
from quizdl.tui.screens.base import QuizScreen
from quizdl.tui.services import service_of
from quizdl.tui.text import Cell, deck_names, plain
from quizdl.tui.widgets.footer import Footer
from quizdl.tui.widgets.tables import fill_table

STATUSES: tuple[CardStatus, ...] = ("new", "learning", "review", "suspended", "retired")
SEARCH_DELAY = 0.25
# Rows the list holds at most: a table of every card of a 100,000-card collection
# would take seconds to fill. One more is asked for, to tell that more match.
SHOWN = 500
LABELS = ("Prompt", "Type", "State", "Due", "Deck/card")
# Type, state and due are short; the prompt and the card's deck/id share what
# the screen has left, the prompt taking the larger part, so every column
# stays on screen from 70 columns up.
FLEXIBLE = {0: 0.65, 4: 0.35}


@dataclass(frozen=True)
class Query:
    text: str
    tag: str | None
    deck_id: str | None
    card_type: str | None
    status: CardStatus | None


def split_tag(text: str) -> tuple[str, str | None]:
    """``tag:cnn relu`` -> ("relu", "cnn"): tags are searched with a prefix."""
    words, tag = [], None
    for word in text.split():
        if word.startswith("tag:") and len(word) > 4:
            tag = word[4:]
        else:
            words.append(word)
    return " ".join(words), tag


def _value(select: Select[str]) -> str | None:
    value = select.value
    return value if isinstance(value, str) else None


class BrowseScreen(QuizScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search"),
        Binding("u", "toggle_suspend", "(Un)suspend"),
        Binding("escape", "leave", "Home"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self, search: str = "") -> None:
        super().__init__()
        self.initial_search = search
        self.rows: dict[int, BrowseRow] = {}
        self.found: list[BrowseRow] = []  # the last search's rows, one past SHOWN at most
        self._search_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("Browse — every card; Enter opens one", classes="screen-title")
        with Horizontal(id="filters"):
            yield Input(
                self.initial_search,
                placeholder="Search text · tag:name",
                id="search",
                compact=True,
            )
            yield Select[str]([], prompt="Any deck", id="deck", compact=True)
            yield Select[str](
                [(t, t) for t in CARD_TYPES], prompt="Any type", id="type", compact=True
            )
            yield Select[str](
                [(s, s) for s in STATUSES], prompt="Any state", id="status", compact=True
            )
        yield DataTable[Cell](id="results", cursor_type="row", zebra_stripes=True)
        yield Static("", id="result-count", classes="muted")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # The results have focus, so "/" moves to the search box (as in less
        # and vim) instead of typing a slash into it.
        self.query_one("#results").focus()
        self.load_decks()
        self.show([])

    def on_resize(self) -> None:
        if self.found:
            self.show(self.found)

    def on_screen_resume(self) -> None:
        # Sent on the first show too, and when a card's detail closes.
        self.search()

    @work(thread=True, group="browse-decks", exit_on_error=False)
    def load_decks(self) -> None:
        decks = service_of(self).deck_summaries()
        names = deck_names((deck.id, deck.title) for deck in decks)
        options = [(plain(names[deck.id]), deck.id) for deck in decks]
        self.app.call_from_thread(self.query_one("#deck", Select).set_options, options)

    def current_query(self) -> Query:
        text, tag = split_tag(self.query_one("#search", Input).value)
        status = _value(self.query_one("#status", Select))
        return Query(
            text,
            tag,
            _value(self.query_one("#deck", Select)),
            _value(self.query_one("#type", Select)),
            cast(CardStatus | None, status),
        )

    @on(Input.Changed, "#search")
    def search_changed(self) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        self._search_timer = self.set_timer(SEARCH_DELAY, self.search)

    @on(Select.Changed)
    def filter_changed(self) -> None:
        self.search()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.query_one("#results").focus()

    def search(self) -> None:
        self.run_search(self.current_query())

    @work(thread=True, exclusive=True, group="browse-search", exit_on_error=False)
    def run_search(self, query: Query) -> None:
        rows = service_of(self).browse(
            query.text,
            deck_id=query.deck_id,
            tag=query.tag,
            card_type=query.card_type,
            status=query.status,
            limit=SHOWN + 1,
        )
        self.app.call_from_thread(self.show, rows)

    def show(self, rows: list[BrowseRow]) -> None:
        table: DataTable[Cell] = self.query_one("#results", DataTable)
        cursor = table.cursor_row
        self.found = rows
        more = len(rows) > SHOWN
        rows = rows[:SHOWN]
        self.rows = {row.pk: row for row in rows}
        cells: list[list[Cell]] = [
            [
                plain(row.prompt),
                row.type,
                row.status,
                "" if row.due is None else str(row.due),
                plain(f"{row.deck_id}/{row.card_id}"),
            ]
            for row in rows
        ]
        keys = [str(row.pk) for row in rows]
        fill_table(
            table,
            LABELS,
            cells,
            keys=keys,
            flexible=FLEXIBLE,
            screen_width=self.app.size.width,
            keep_end={4},  # a narrow deck/card cell keeps the card's id
        )
        if 0 <= cursor < table.row_count:
            table.move_cursor(row=cursor)
        shown = f"{len(rows)} card{'s' if len(rows) != 1 else ''}"
        if more:
            shown = f"first {SHOWN} shown, more match"
        self.query_one("#result-count", Static).update(
            f"{shown} · [b]Enter[/b] open · [b]u[/b] suspend/unsuspend · [b]/[/b] search"
        )

    def selected_pk(self) -> int | None:
        table: DataTable[Cell] = self.query_one("#results", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return None if key is None else int(key)

    @on(DataTable.RowSelected, "#results")
    def open_card(self, event: DataTable.RowSelected) -> None:
        from quizdl.tui.screens.card_detail import CardDetailScreen

        if event.row_key.value is not None:
            self.app.push_screen(CardDetailScreen(int(event.row_key.value)))

    def action_focus_search(self) -> None:
        self.query_one("#search").focus()

    def action_toggle_suspend(self) -> None:
        pk = self.selected_pk()
        if pk is None or self.rows[pk].status == "retired":
            return
        self.set_suspended(pk, self.rows[pk].status != "suspended")

    @work(thread=True, group="browse-suspend", exit_on_error=False)
    def set_suspended(self, pk: int, suspended: bool) -> None:
        service_of(self).set_suspended(pk, suspended)
        word = "suspended" if suspended else "unsuspended"
        self.app.call_from_thread(self.notify, f"Card {word}.")
        self.app.call_from_thread(self.search)

    def action_leave(self) -> None:
        if isinstance(self.focused, Input | Select) and self.query_one("#results", DataTable):
            self.query_one("#results").focus()
            return
        self.dismiss()
