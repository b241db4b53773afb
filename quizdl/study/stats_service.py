"""Statistics as a use case: today's numbers, streak, history and forecast."""

from __future__ import annotations

from quizdl.study.context import StudyContext
from quizdl.study.learning import learning_by_deck
from quizdl.study.stats import collect_stats
from quizdl.study.values import Stats


class StatsService:
    def __init__(self, context: StudyContext) -> None:
        self.context = context

    def stats(self, *, history_days: int = 90, forecast_days: int = 30) -> Stats:
        today = self.context.today()
        with self.context.db.read() as session:
            return collect_stats(
                session,
                today,
                learning_by_deck(session, today, self.context.settings.steps),
                history_days=history_days,
                forecast_days=forecast_days,
            )
