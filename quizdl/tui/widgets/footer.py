"""Textual's Footer, redrawn only when the keys it shows change."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer as TextualFooter

Signature = tuple[tuple[str, str, bool], ...]


class Footer(TextualFooter):
    """The footer of bindings.

    Textual's Footer rebuilds all its keys on every bindings signal (focus
    changes, inputs enabled or disabled: about twenty per reviewed card), and
    each rebuild leaves watchers on ``compact`` that are only pruned when
    ``compact`` changes, which here is never. Rebuilding only when the visible
    keys differ keeps grading fast and a long session's memory flat.
    """

    _shown: Signature | None = None

    def _signature(self, screen: Screen[object]) -> Signature:
        return tuple(
            (binding.key, binding.description, enabled)
            for _, binding, enabled, _ in screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        if self.is_attached and screen is self.screen and self._bindings_ready:
            shown = self._signature(screen)
            if shown == self._shown:
                return
            self._shown = shown
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        await super().recompose()
        watchers: dict[str, list[tuple[object, object]]] = getattr(self, "__watchers", {})
        for entries in watchers.values():
            entries[:] = [
                (node, callback)
                for node, callback in entries
                if getattr(node, "is_attached", True) and not getattr(node, "_closing", False)
            ]
