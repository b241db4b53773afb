"""One card in full: both sides, its schedule and its review history."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Markdown, Static

from quizdl.scheduling.sm2 import Quality
from quizdl.study.values import CardDetail
from quizdl.tui.deck_file import open_card_source
from quizdl.tui.render import TYPE_NAMES, format_seconds, full_markdown
from quizdl.tui.screens.base import QuizScreen
from quizdl.tui.services import service_of
from quizdl.tui.text import markup_safe
from quizdl.tui.widgets.footer import Footer


def detail_line(detail: CardDetail) -> str:
    card = detail.card
    state = card.state
    due = "not yet studied" if state.due is None else f"due {state.due:%a %d %b %Y}"
    return (
        f"[b]{markup_safe(card.deck_title)}[/b] · {markup_safe(card.card_id)} · "
        f"{TYPE_NAMES[card.card.type]} · "
        f"[b]{detail.status}[/b] · {due} · interval {state.interval}d · "
        f"easiness {state.easiness:.2f} · lapses {detail.lapses}"
    )


class CardDetailScreen(QuizScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("u", "toggle_suspend", "(Un)suspend"),
        Binding("e", "edit_source", "Deck file"),
        Binding("escape", "app.pop_screen", "Back"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def __init__(self, pk: int) -> None:
        super().__init__()
        self.pk = pk
        self.detail: CardDetail | None = None

    def compose(self) -> ComposeResult:
        yield Static("Card", classes="screen-title")
        yield Static("", id="detail-line")
        with VerticalScroll(id="detail-body"):
            yield Markdown("", id="detail-card")
            yield Static("[b]Review history[/b]", id="history-title")
            table: DataTable[str] = DataTable(id="history", cursor_type="row", zebra_stripes=True)
            table.add_columns("When", "Grade", "Kind", "Time", "Interval after")
            yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#detail-body").focus()
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        detail = service_of(self).card_detail(self.pk)
        self.app.call_from_thread(self.show, detail)

    def show(self, detail: CardDetail) -> None:
        self.detail = detail
        title = "Card" if detail.status != "suspended" else "Card (suspended — u unsuspends)"
        self.query_one(".screen-title", Static).update(title)
        self.query_one("#detail-line", Static).update(detail_line(detail))
        self.query_one("#detail-card", Markdown).update(full_markdown(detail.card.card))
        table: DataTable[str] = self.query_one("#history", DataTable)
        table.clear()
        for entry in reversed(detail.history):
            table.add_row(
                f"{entry.reviewed_at:%Y-%m-%d %H:%M}",
                f"{entry.quality} {Quality(entry.quality).label}",
                entry.kind,
                format_seconds(entry.answer_seconds),
                f"{entry.interval_after}d",
            )
        if not detail.history:
            table.add_row("never reviewed", "", "", "", "")

    def action_toggle_suspend(self) -> None:
        if self.detail is None or self.detail.status == "retired":
            return
        self.set_suspended(self.detail.status != "suspended")

    @work(thread=True, exclusive=True, group="detail-suspend", exit_on_error=False)
    def set_suspended(self, suspended: bool) -> None:
        service_of(self).set_suspended(self.pk, suspended)
        self.app.call_from_thread(self.notify, "Suspended." if suspended else "Unsuspended.")
        self.app.call_from_thread(self.load)

    def action_edit_source(self) -> None:
        if self.detail is not None:
            open_card_source(self.app, self.detail.card)
