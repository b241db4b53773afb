"""How screens reach the app's services without importing the app module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.dom import DOMNode

if TYPE_CHECKING:
    from quizdl.study.service import StudyService
    from quizdl.tui.app import QuizApp


def app_of(node: DOMNode) -> QuizApp:
    from quizdl.tui.app import QuizApp

    app = node.app
    assert isinstance(app, QuizApp)
    return app


def service_of(node: DOMNode) -> StudyService:
    return app_of(node).service
