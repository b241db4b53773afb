"""Home: decks with today's counts, progress, streak and a review heatmap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Static

from quizdl.study.plans import PlanInfo, PlanStatus
from quizdl.study.study_more import StudyMore, study_more_choices
from quizdl.study.values import DeckSummary, Stats
from quizdl.tui.plan_text import plan_line
from quizdl.tui.render import format_seconds
from quizdl.tui.screens.base import QuizScreen
from quizdl.tui.services import app_of, service_of
from quizdl.tui.text import Cell, deck_names, plain
from quizdl.tui.widgets.footer import Footer
from quizdl.tui.widgets.heatmap import Heatmap
from quizdl.tui.widgets.tables import fill_table

ALL_DECKS = "*all*"
HEATMAP_WEEKS = 17


@dataclass(frozen=True)
class HomeData:
    decks: list[DeckSummary]
    stats: Stats
    leeches: int = 0
    plan: PlanStatus | None = None


def when(day: date, today: date) -> str:
    days = (day - today).days
    if days == 1:
        return f"tomorrow ({day:%a %d %b})"
    return f"{day:%a %d %b} (in {days} days)"


def summary_markup(stats: Stats) -> str:
    week = sum(count for day, count in stats.reviews_per_day if (stats.today - day).days < 7)
    retention = "—" if stats.retention is None else f"{stats.retention:.0%}"
    upcoming = "none yet" if stats.next_due is None else f"{stats.next_due:%a %d %b}"
    return (
        f"[b]{week}[/b] reviews in the last 7 days\n"
        f"retention [b]{retention}[/b] (graded 3 or better)\n"
        f"time today [b]{format_seconds(stats.seconds_today)}[/b], "
        f"in total [b]{format_seconds(stats.seconds_total)}[/b]\n"
        f"due tomorrow [b]{stats.due_tomorrow}[/b] · next after today: {upcoming}\n\n"
        "[dim]s[/dim] statistics · [dim]c[/dim] challenges · [dim]b[/dim] browse"
    )


class HomeScreen(QuizScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "review_selected", "Review deck", show=False),
        Binding("a", "app.review", "All decks"),
        # Off the footer, which 80 columns fill already; the hint line says it.
        Binding("m", "study_more", "Study more", show=False),
        Binding("c", "app.challenges", "Challenges"),
        Binding("s", "app.stats", "Stats"),
        Binding("b", "app.browse", "Browse"),
        # Off the footer too; the leech line says it when there are leeches.
        Binding("l", "leeches", "Leeches", show=False),
        Binding("p", "plan", "Interview plan", show=False),
        Binding("i", "app.import", "Import"),
        Binding("question_mark", "app.help", "Help"),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        with Horizontal(id="home-top"):
            yield Static("[b]quizdl[/b]  deep-learning interview practice", id="home-title")
            yield Static("", id="streak")
        yield Static("Loading your decks…", id="today")
        yield DataTable[Cell](id="decks", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="home-bottom"):
            with Vertical(id="home-side"):
                yield Static("[b]Reviews[/b], last 4 months", classes="side-title")
                yield Heatmap(id="heatmap")
            yield Static("", id="home-summary")
        yield Static(
            "[b]Enter[/b] reviews the selected deck · [b]m[/b] study more · "
            "[b]p[/b] plan · [b]ctrl+p[/b] all",
            id="home-hint",
        )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#decks").focus()

    def on_screen_resume(self) -> None:
        # Also sent when the screen is first shown: counts are (re)loaded each
        # time the learner arrives here, e.g. back from a review.
        self.load()

    @work(thread=True, exclusive=True, group="home", exit_on_error=False)
    def load(self) -> None:
        service = service_of(self)
        data = HomeData(
            service.deck_summaries(),
            service.stats(history_days=HEATMAP_WEEKS * 7),
            service.leech_count(),
            service.plan_status(),
        )
        self.app.call_from_thread(self.show, data)

    shown: HomeData | None = None

    def on_resize(self) -> None:
        # Column widths follow the terminal's width.
        if self.shown is not None:
            self.show(self.shown)

    def show(self, data: HomeData) -> None:
        self.shown = data
        stats = data.stats
        table: DataTable[Cell] = self.query_one("#decks", DataTable)
        selected = table.cursor_row
        new = sum(d.new for d in data.decks)
        due = sum(d.due for d in data.decks)
        total = sum(d.total for d in data.decks)
        rows: list[tuple[str, list[Cell]]] = [
            (ALL_DECKS, [Text("All decks", style="bold"), str(new), str(due), str(total)])
        ]
        names = deck_names((deck.id, deck.title) for deck in data.decks)
        for deck in data.decks:
            cells: list[Cell] = [
                plain(names[deck.id]),
                str(deck.new),
                str(deck.due),
                str(deck.total),
            ]
            rows.append((deck.id, cells))
        fill_table(
            table,
            ("Deck", "New", "Due", "Total"),
            [cells for _, cells in rows],
            keys=[key for key, _ in rows],
            flexible={0: 1.0},
            screen_width=self.app.size.width,
        )
        if 0 <= selected < table.row_count:
            table.move_cursor(row=selected)
        days = "day" if stats.streak == 1 else "days"
        self.query_one("#streak", Static).update(f"🔥 streak [b]{stats.streak}[/b] {days}")
        done = f"{stats.reviews_today} reviewed, {format_seconds(stats.seconds_today)}"
        if not data.decks:
            message = "No decks yet: press [b]i[/b] to import one."
        elif new + due == 0:
            upcoming = stats.next_due
            later = f" Next card due {when(upcoming, stats.today)}." if upcoming else ""
            message = f"[b]Nothing due today[/b] — well done. {done}.{later}"
        else:
            message = f"Today: [b]{due}[/b] due · [b]{new}[/b] new · {done}"
        if data.plan is not None:
            # The plan's line holds the weakest topics in what the screen has room for.
            message += "\n" + plan_line(data.plan, self.app.size.width - 4)
        if data.leeches:
            leeches = "leech" if data.leeches == 1 else "leeches"
            message += (
                f"\n[b $warning]{data.leeches}[/] {leeches} — [b]l[/b] lists them; "
                "[b]e[/b] on a card opens its deck file to rewrite it"
            )
        self.query_one("#today", Static).update(message)
        self.query_one(Heatmap).show(stats.reviews_per_day, stats.today, HEATMAP_WEEKS)
        self.query_one("#home-summary", Static).update(summary_markup(stats))

    @on(DataTable.RowSelected, "#decks")
    def review_row(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        app_of(self).action_review(None if key == ALL_DECKS else key)

    def action_leeches(self) -> None:
        from quizdl.study.leeches import LEECH_TAG
        from quizdl.tui.screens.browse import BrowseScreen

        self.app.push_screen(BrowseScreen(f"tag:{LEECH_TAG}"))

    def action_review_selected(self) -> None:
        self.query_one("#decks", DataTable).action_select_cursor()

    # -- study more today -----------------------------------------------------

    # -- the interview plan ------------------------------------------------------

    def action_plan(self) -> None:
        self.open_plan()

    @work(thread=True, exclusive=True, group="plan", exit_on_error=False)
    def open_plan(self) -> None:
        service = service_of(self)
        decks, _ = study_more_choices(service.db)
        current, today = service.plan(), service.today()
        self.app.call_from_thread(self._ask_plan, current, decks, today)

    def _ask_plan(
        self, current: PlanInfo | None, decks: list[tuple[str, str]], today: date
    ) -> None:
        from quizdl.tui.screens.plan import PlanScreen

        self.app.push_screen(PlanScreen(current, decks, today), callback=self._plan_changed)

    def _plan_changed(self, changed: bool | None) -> None:
        if changed:
            self.load()

    def action_study_more(self) -> None:
        self.open_study_more()

    @work(thread=True, exclusive=True, group="study-more", exit_on_error=False)
    def open_study_more(self) -> None:
        decks, tags = study_more_choices(service_of(self).db)
        self.app.call_from_thread(self._ask_study_more, decks, tags)

    def _ask_study_more(self, decks: list[tuple[str, str]], tags: list[str]) -> None:
        from quizdl.tui.screens.study_more import StudyMoreScreen

        self.app.push_screen(StudyMoreScreen(decks, tags), callback=self._study_chosen)

    def _study_chosen(self, more: StudyMore | None) -> None:
        if more is not None:
            from quizdl.tui.screens.review import ReviewScreen

            self.app.push_screen(ReviewScreen(None, more))
