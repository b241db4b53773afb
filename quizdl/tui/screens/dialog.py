"""What the home screen's dialogs share: a centred box, a title, a line for
refusals and a row of buttons, Esc to cancel, and refusals shown as plain
text (they quote what the learner typed)."""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

from quizdl.tui.text import plain

ResultT = TypeVar("ResultT")


class DialogScreen(ModalScreen[ResultT]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
    ]
    DEFAULT_CSS = """
    DialogScreen {
        align: center middle;
    }
    DialogScreen .dialog-box {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    DialogScreen .dialog-title {
        margin-bottom: 1;
    }
    DialogScreen .dialog-error {
        color: $error;
        height: auto;
    }
    DialogScreen .dialog-buttons {
        height: auto;
        margin-top: 1;
        align-horizontal: right;
    }
    DialogScreen .dialog-buttons Button {
        margin-left: 2;
    }
    """

    def say(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(plain(message))

    def action_cancel(self) -> None:
        self.dismiss(None)
