"""A calendar heatmap of reviews per day: weeks left to right, Monday on top."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from rich.text import Text
from textual.widgets import Static

SHADES = ("·", "░", "▒", "▓", "█")
DAY_LABELS = ("Mon", "", "Wed", "", "Fri", "", "Sun")


def heatmap_text(counts: Sequence[tuple[date, int]], today: date, weeks: int) -> Text:
    by_day = dict(counts)
    busiest = max(by_day.values(), default=0)
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks - 1)
    text = Text()
    # Month initials over the week in which each month starts.
    header = [" "] * weeks
    for week in range(weeks):
        monday = first + timedelta(weeks=week)
        if monday.day <= 7:
            header[week] = monday.strftime("%b")[0]
    text.append("    " + "".join(header) + "\n", style="dim")
    for weekday in range(7):
        text.append(f"{DAY_LABELS[weekday]:<4}", style="dim")
        for week in range(weeks):
            day = first + timedelta(weeks=week, days=weekday)
            if day > today:
                text.append(" ")
                continue
            count = by_day.get(day, 0)
            level = 0 if not count or not busiest else 1 + min(3, (count * 4 - 1) // busiest)
            style = "green" if count else "dim"
            text.append(SHADES[level], style=style + (" bold" if day == today else ""))
        if weekday < 6:
            text.append("\n")
    return text


class Heatmap(Static):
    def show(self, counts: Sequence[tuple[date, int]], today: date, weeks: int = 17) -> None:
        self.update(heatmap_text(counts, today, weeks))
