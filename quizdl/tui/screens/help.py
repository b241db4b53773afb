"""Help: the keys of the screen it was opened from, and the global ones."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

GLOBAL_KEYS = """\
### Everywhere

- `ctrl+p` command palette: every action by name
- `ctrl+t` light / dark theme
- `f1` or `?` this help (`Esc` closes it)
- `ctrl+q` quit — every answer is already saved
"""

REVIEW_NOTES = """\
### Reviewing

Before the answer is shown, **digits choose** a multiple-choice option; after
it, **digits grade** (0 blackout … 5 perfect). The line under the card always
says which. Each grade shows the interval it gives. Cards graded below 4 come
back later in the same session. Type an answer first if you like: `qa` answers
are checked against the card's key points, blanks against the expected words.
"""


def keys_markdown(screen: Screen[object]) -> str:
    """The screen's own keys, whatever has focus (an answer box, for one, hides
    some from the footer while it takes letters)."""
    rows = []
    seen: set[str] = set()
    for binding in Binding.make_bindings(screen.BINDINGS):
        if not binding.description or binding.description in seen:
            continue
        seen.add(binding.description)
        shown = binding.key_display or screen.app.get_key_display(binding)
        rows.append(f"- `{shown}` {binding.description}")
    return "\n".join(rows)


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "dismiss", "Close"),
    ]

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        title = type(self.for_screen).__name__.removesuffix("Screen")
        parts = [f"## Help — {title}", "### Keys here", keys_markdown(self.for_screen)]
        if title == "Review":
            parts.append(REVIEW_NOTES)
        parts.append(GLOBAL_KEYS)
        with VerticalScroll(id="help-body"):
            yield Markdown("\n\n".join(parts))
