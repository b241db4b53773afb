"""The optional typed answer of a concept or qa card."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import Input


class AnswerInput(Input):
    """An Input where space on an empty box reveals the answer, as on Anki.

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
