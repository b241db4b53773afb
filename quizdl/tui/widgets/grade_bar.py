"""Six grade buttons, Anki style: the key, SM-2's label and the interval it gives."""

from __future__ import annotations

import math
from datetime import timedelta

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from quizdl.scheduling.sm2 import Quality
from quizdl.tui.render import format_interval


def format_wait(wait: timedelta, short: bool = False) -> str:
    """A learning step's wait, rounded up to the minute: "1 min", "10 min", "2 h" ("1m" short)."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60 - 1e-9))
    if minutes < 60:
        return f"{minutes}m" if short else f"{minutes} min"
    hours = round(minutes / 60, 1)
    text = f"{hours:g}"
    return f"{text}h" if short else f"{text} h"


class GradeCell(Static):
    """One grade; clicking it grades like its digit key."""

    def __init__(self, quality: Quality) -> None:
        super().__init__(id=f"grade-{int(quality)}", classes=f"grade q{int(quality)}")
        self.quality = quality

    def show(self, days: int | None, suggested: bool) -> None:
        interval = "" if days is None else f" · {format_interval(days)}"
        self.update(f"[b]{int(self.quality)}[/b]{interval}\n{self.quality.label}")
        self.set_class(suggested, "suggested")

    def on_click(self, event: Click) -> None:
        event.stop()
        self.post_message(GradeBar.Graded(int(self.quality)))


class GradeBar(Horizontal):
    class Graded(Message):
        def __init__(self, quality: int) -> None:
            super().__init__()
            self.quality = quality

    def compose(self) -> ComposeResult:
        for quality in Quality:
            yield GradeCell(quality)

    def show(self, preview: dict[int, int], suggested: int | None) -> None:
        for cell in self.query(GradeCell):
            cell.show(preview.get(int(cell.quality)), int(cell.quality) == suggested)
