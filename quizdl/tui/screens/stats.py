"""Statistics: reviews per day, the 30-day forecast, retention per deck, streak, time.

textual-plotext is imported here only, so start-up never pays for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from quizdl.study.planned import PlannedLoad
from quizdl.study.plans import PlanStatus
from quizdl.study.values import Stats
from quizdl.tui.plan_text import readiness_line
from quizdl.tui.render import format_seconds
from quizdl.tui.screens.base import QuizScreen
from quizdl.tui.services import service_of
from quizdl.tui.text import Cell, deck_names, plain
from quizdl.tui.widgets.footer import Footer
from quizdl.tui.widgets.tables import fill_table

HISTORY_DAYS = 30
FORECAST_DAYS = 30


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def summary_markup(stats: Stats) -> str:
    next_due = "nothing scheduled" if stats.next_due is None else f"{stats.next_due:%a %d %b}"
    days = "day" if stats.streak == 1 else "days"
    return (
        f"Today [b]{stats.reviews_today}[/b] reviews in [b]{format_seconds(stats.seconds_today)}"
        f"[/b] · due today [b]{stats.due_today}[/b], tomorrow [b]{stats.due_tomorrow}[/b] · "
        f"next due {next_due}\n"
        f"Streak [b]{stats.streak}[/b] {days} · retention [b]{percent(stats.retention)}[/b] "
        f"(reviews graded ≥ 3) · time in total [b]{format_seconds(stats.seconds_total)}[/b]"
    )


def draw_bars(
    widget: PlotextPlot, title: str, series: Sequence[tuple[date, int]], today: date
) -> None:
    plt: Any = widget.plt
    plt.clear_figure()
    plt.title(title)
    offsets = [(day - today).days for day in (d for d, _ in series)]
    values = [count for _, count in series]
    if offsets:
        plt.bar(offsets, values, marker="sd", width=0.8)
        # Without a fixed floor plotext centres a flat series on zero and the
        # bars reach below the axis.
        top = max([*values, 1])
        plt.ylim(0, top)
        ticks = offsets[:: max(1, len(offsets) // 5)]
        plt.xticks(ticks, [f"{t:+d}d" if t else "today" for t in ticks])
        # Counts are whole numbers: plotext's own ticks read "26.5".
        levels = sorted({0, top // 2, top})
        plt.yticks(levels, [str(level) for level in levels])
    widget.refresh()


def planned_title(planned: Sequence[PlannedLoad]) -> str:
    """'Planned cards a day (longest 19 of 20 min)': the plan's forecast title."""
    longest = max(day.minutes for day in planned)
    return f"Planned cards/day, longest {longest:.0f} min"


COLUMNS = ("Deck", "Cards", "New", "Learn", "Review", "Susp.", "Due", "Retention")


class StatsScreen(QuizScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Home"),
        Binding("question_mark", "app.help", "Help"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Statistics", classes="screen-title")
        yield Static("Counting your reviews…", id="stats-summary")
        with Horizontal(id="charts"):
            yield PlotextPlot(id="reviews-chart")
            yield PlotextPlot(id="forecast-chart")
        yield DataTable[Cell](id="retention", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True)

    shown: Stats | None = None
    forecast_title = ""

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def load(self) -> None:
        service = service_of(self)
        stats = service.stats(history_days=HISTORY_DAYS, forecast_days=FORECAST_DAYS)
        planned = tuple(service.planned_load())
        plan = service.plan_status() if planned else None
        self.app.call_from_thread(self.loaded, stats, planned, plan)

    # An interview plan's load per study day; the forecast shows it instead of
    # the scheduler's due counts while a plan is active.
    planned: tuple[PlannedLoad, ...] = ()
    plan: PlanStatus | None = None

    def loaded(
        self, stats: Stats, planned: tuple[PlannedLoad, ...], plan: PlanStatus | None
    ) -> None:
        self.planned = planned
        self.plan = plan
        self.show(stats)

    def on_resize(self) -> None:
        # Column widths follow the terminal's width.
        if self.shown is not None:
            self.show(self.shown)

    def show(self, stats: Stats) -> None:
        self.shown = stats
        summary = summary_markup(stats)
        if self.planned and self.planned[0].day == stats.today:
            # The plan decides what is due in its decks: say what it asks today.
            today = self.planned[0]
            summary += (
                f"\nInterview plan today: [b]{today.reviews}[/b] to review, "
                f"[b]{today.new_cards}[/b] new, about [b]{today.minutes:.0f}[/b] min"
            )
        if self.plan is not None:
            summary += "\n" + readiness_line(self.plan, self.app.size.width - 4)
        self.query_one("#stats-summary", Static).update(summary)
        draw_bars(
            self.query_one("#reviews-chart", PlotextPlot),
            "Reviews per day",
            stats.reviews_per_day,
            stats.today,
        )
        if self.planned:
            self.forecast_title = planned_title(self.planned)
            forecast = [(day.day, day.reviews + day.new_cards) for day in self.planned]
        else:
            self.forecast_title = "Due, next 30 days"
            forecast = stats.forecast
        draw_bars(
            self.query_one("#forecast-chart", PlotextPlot),
            self.forecast_title,
            forecast,
            stats.today,
        )
        table: DataTable[Cell] = self.query_one("#retention", DataTable)
        names = deck_names((deck.deck_id, deck.title) for deck in stats.decks)
        rows: list[list[Cell]] = [
            [
                plain(names[deck.deck_id]),
                str(deck.total),
                str(deck.new),
                str(deck.learning),
                str(deck.review),
                str(deck.suspended),
                str(deck.due_today),
                percent(deck.retention),
            ]
            for deck in stats.decks
        ]
        rows.append(
            [Text("All decks", style="bold"), *([""] * 6), Text(percent(stats.retention), "bold")]
        )
        fill_table(table, COLUMNS, rows, flexible={0: 1.0}, screen_width=self.app.size.width)
