"""The interview plan on screen: the stats forecast shows the planned load."""

from __future__ import annotations

import html
from datetime import timedelta

from textual_plotext import PlotextPlot

from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp
from quizdl.tui.screens.stats import StatsScreen

from .support import settle


def screen_text(app: QuizApp) -> str:
    return html.unescape(app.export_screenshot()).replace("\xa0", " ")


async def test_the_forecast_shows_the_plan_until_the_interview(
    app: QuizApp, service: StudyService
) -> None:
    for card_id in ("relu", "backprop"):
        service.answer(service.find_card(card_id).pk, 5)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        assert app.screen.forecast_title == "Due, next 30 days"
        assert "Due, next 30 days" in screen_text(app)
        await pilot.press("escape")
        service.set_plan(service.today() + timedelta(days=4), minutes_per_day=2)
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        stats = app.screen
        assert isinstance(stats, StatsScreen)
        planned = service.planned_load()
        # Four study days: the two unseen cards are paced before the stretch,
        # the two seen ones come back in it, and every day fits two minutes.
        assert [d.day for d in planned] == [service.today() + timedelta(days=i) for i in range(4)]
        assert sum(d.new_cards for d in planned) == 2
        assert sum(d.reviews for d in planned) == 2
        assert all(d.minutes <= 2 for d in planned)
        longest = max(d.minutes for d in planned)
        assert stats.forecast_title == f"Planned cards/day, longest {longest:.0f} min"
        assert stats.forecast_title in screen_text(app)
        chart = stats.query_one("#forecast-chart", PlotextPlot)
        assert chart.region.height > 5
