"""Text boxes of the review screen: the typed answer and the cloze blanks."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import Input

# Enough to step back through a typed answer word by word.
UNDO_DEPTH = 200


class UndoableInput(Input):
    """An Input where ctrl+z undoes typing.

    Inside a text box ctrl+z belongs to the text: the review screen's grade
    undo (also ctrl+z) must not fire there and throw the typed answer away.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+z", "undo_text", "Undo typing", show=False),
    ]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self._history: list[str] = []
        self._last = self.value
        self._undoing = False

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is not self:
            return
        if not self._undoing and event.value != self._last:
            self._history.append(self._last)
            del self._history[:-UNDO_DEPTH]
        self._undoing = False
        self._last = event.value

    def clear_history(self) -> None:
        self._history.clear()
        self._last = self.value

    def action_undo_text(self) -> None:
        if not self._history:
            self.app.bell()
            return
        self._undoing = True
        self.value = self._history.pop()
        self.cursor_position = len(self.value)


class AnswerInput(UndoableInput):
    """The typed answer, where space on an empty box reveals the answer, as on Anki.

    Typing stays possible (spaces between words work as usual); only a space
    before anything is typed means "I have no answer to type, show me".
    """

    class RevealRequested(Message):
        pass

    async def _on_key(self, event: events.Key) -> None:
        if event.key == "space" and not self.value:
            event.stop()
            event.prevent_default()
            self.post_message(self.RevealRequested())
            return
        await super()._on_key(event)
