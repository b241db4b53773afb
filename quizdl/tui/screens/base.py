"""What every quizdl screen shares: background tasks that fail softly."""

from __future__ import annotations

from typing import TypeVar

from textual.screen import Screen
from textual.worker import Worker, WorkerState

from quizdl.tui.services import app_of

ResultType = TypeVar("ResultType")


class QuizScreen(Screen[ResultType]):
    """A screen whose failed workers become an error notice, not an exit.

    Every ``@work`` in quizdl passes ``exit_on_error=False``; Textual then
    reports the failure here (worker state messages do not bubble).
    """

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state is WorkerState.ERROR and worker.error is not None:
            app_of(self).report_failure(worker.error, worker.name or "a background task")
            self.worker_failed(worker)

    def worker_failed(self, worker: Worker[object]) -> None:
        """Put the screen back into a usable state after ``worker`` failed."""
