"""Six grade buttons, Anki style: the key, SM-2's label, when the card comes back
(a learning step's minutes or the days to its next review, and under an
interview plan the plan's day where it differs: "17d→5d") and its easiness change."""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import timedelta

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Click
from textual.message import Message
from textual.widgets import Static

from quizdl.scheduling.sm2 import Quality
from quizdl.study.values import GradeOption
from quizdl.tui.render import format_interval


def format_wait(wait: timedelta, short: bool = False) -> str:
    """A learning step's wait, rounded up to the minute: "1 min", "10 min", "2 h" ("1m" short)."""
    minutes = max(1, math.ceil(wait.total_seconds() / 60 - 1e-9))
    if minutes < 60:
        return f"{minutes}m" if short else f"{minutes} min"
    hours = round(minutes / 60, 1)
    text = f"{hours:g}"
    return f"{text}h" if short else f"{text} h"


def describe_grade(option: GradeOption, width: int) -> tuple[str, str]:
    """(when the card comes back, what happens to its easiness) for one button,
    the easiness in full ("ease 2.50→2.36") when ``width`` columns hold it."""
    when = (
        format_wait(option.wait, short=True)
        if option.wait is not None
        else (format_interval(option.days))
    )
    if option.wait is None and option.planned_days is not None:
        # An interview plan shows the card on another day than SM-2's: both.
        when = f"{when}→{format_interval(option.planned_days)}"
    if option.recall is not None:
        # FSRS: what to expect on that day matters more than SM-2's ease.
        return when, f"recall {option.recall:.0%}" if width >= 11 else f"R {option.recall:.0%}"
    before, after = option.easiness_before, option.easiness_after
    if abs(after - before) < 0.005:
        ease = f"ease {before:.2f}" if width >= 9 else "ease ="
    elif width >= 14:
        ease = f"ease {before:.2f}→{after:.2f}"
    else:
        ease = f"ease→{after:.2f}"
    return when, ease


class GradeCell(Static):
    """One grade; clicking it grades like its digit key."""

    def __init__(self, quality: Quality) -> None:
        super().__init__(id=f"grade-{int(quality)}", classes=f"grade q{int(quality)}")
        self.quality = quality

    def show(self, option: GradeOption | None, suggested: bool, width: int) -> None:
        head = f"[b]{int(self.quality)}[/b]"
        if option is None:
            self.update(f"{head}\n{self.quality.label}")
        else:
            when, ease = describe_grade(option, width)
            self.update(f"{head} · {when}\n{self.quality.label}\n[dim]{ease}[/dim]")
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

    def show(self, preview: Mapping[int, GradeOption], suggested: int | None) -> None:
        # Six cells share the screen, one column of margin each; the bar may
        # still be hidden (size 0) when it is filled, so the screen decides.
        width = max(0, self.app.size.width // len(Quality) - 1)
        for cell in self.query(GradeCell):
            cell.show(preview.get(int(cell.quality)), int(cell.quality) == suggested, width)
