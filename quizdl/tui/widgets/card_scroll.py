"""The review card's scroll area: focusable, and cheap to focus and blur."""

from __future__ import annotations

from textual.containers import VerticalScroll


class CardScroll(VerticalScroll):
    """Holds the question and the answer; focused while the answer is shown, so
    the arrow keys scroll a long answer.

    Textual restyles a widget's whole subtree when it gains or loses focus (a
    descendant's style may depend on it). Here the subtree is every Markdown
    block of the question and the answer, and focus moves in and out at every
    reveal and every grade: about a quarter of the main thread's work between a
    grade and the next card drawn. No style of quizdl's or Textual's gives a
    descendant of a focused scroll area a different look (a test checks the
    app's stylesheet), so only the area itself is restyled.
    """

    def watch_has_focus(self, _has_focus: bool) -> None:
        self.app.stylesheet.update_nodes([self], animate=True)
