"""The interview plan on screen: the stats forecast and the grade buttons."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

from helpers import FixedClock
from textual.widgets import Static
from textual_plotext import PlotextPlot

from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp, make_app
from quizdl.tui.screens.review import ReviewScreen
from quizdl.tui.screens.stats import StatsScreen

from .support import DECK, settle


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
        today = planned[0]
        summary = str(stats.query_one("#stats-summary", Static).render())
        assert (
            f"Interview plan today: {today.reviews} to review, {today.new_cards} new, "
            f"about {today.minutes:.0f} min"
        ) in summary
        chart = stats.query_one("#forecast-chart", PlotextPlot)
        assert chart.region.height > 5


async def test_grade_buttons_show_the_planned_day_beside_sm2s(tmp_path: Path) -> None:
    clock = FixedClock()
    path = tmp_path / "deck.yaml"
    path.write_text(DECK, encoding="utf-8")
    service = open_study(database_url=f"sqlite:///{tmp_path}/q.sqlite3", clock=clock, bundled=[])
    try:
        service.import_file(path)
        relu = service.find_card("relu").pk
        service.answer(relu, 5)
        clock.advance(days=1)
        service.answer(relu, 5)  # SM-2: due in 6 days
        clock.advance(days=6)
        # The interview in 2 days, so today is in the final stretch (reviews
        # first): SM-2's 17 days for a 5 become a rest until the interview.
        service.set_plan(service.today() + timedelta(days=2), ["test-deck"], 20)
        app = make_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            review = app.screen
            assert isinstance(review, ReviewScreen) and review.session is not None
            assert review.session.current_entry is not None
            assert review.session.current_entry.pk == relu
            await pilot.press("enter")  # show the answer: the grade buttons
            await settle(pilot)
            five = str(review.query_one("#grade-5").render())
            assert "17d→2d" in five
            one = str(review.query_one("#grade-1").render())
            assert "→" not in one.split("\n")[0]  # a lapse: tomorrow, as SM-2 says
            await pilot.press("5")
            await settle(pilot)
        assert service.card(relu).state.due == service.today() + timedelta(days=17)
    finally:
        service.db.close()


HOSTILE_TAGS_DECK = """\
id: tagged
title: Tagged
cards:
  - {id: a, type: qa, tags: ["[/]", "[@click=app.quit]x"], question: "A?", answer: "a"}
  - {id: b, type: qa, tags: ["[/]"], question: "B?", answer: "b"}
  - {id: c, type: qa, tags: ["rnn\\\\"], question: "C?", answer: "c"}
"""


async def test_readiness_by_topic_on_home_and_stats(tmp_path: Path) -> None:
    clock = FixedClock()
    path = tmp_path / "tagged.yaml"
    path.write_text(HOSTILE_TAGS_DECK, encoding="utf-8")
    service = open_study(database_url=f"sqlite:///{tmp_path}/q.sqlite3", clock=clock, bundled=[])
    try:
        service.import_file(path)
        service.answer(service.find_card("c").pk, 5)  # only rnn\ has been seen
        service.set_plan(service.today() + timedelta(days=3))
        status = service.plan_status()
        assert status is not None
        weakest = status.groups[0]
        assert weakest.mean_recall == 0.0 and weakest.name != "tag:rnn\\"
        app = make_app(service)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            home = str(app.screen.query_one("#today", Static).render())
            plan_line = next(line for line in home.splitlines() if "Interview" in line)
            assert plan_line.startswith("Interview in 3 days — 1/3 ready · weakest: ")
            assert f"{weakest.name} 0%" in plan_line  # user text, literally
            assert len(plan_line) <= 76
            await pilot.press("s")
            await settle(pilot)
            summary = str(app.screen.query_one("#stats-summary", Static).render())
            assert "Ready for the interview: 1/3 cards" in summary
            topics = summary.splitlines()[-1]
            assert topics.startswith("weakest: ")
            for name in ("tag:[/] 0%", "tag:[@click=app.quit]x 0%"):
                assert name in topics
            assert re.search(r" · deck:tagged \d+%$", topics)
            # Whole topics while they fit the screen; the next one is left out, not cut.
            assert "tag:rnn" not in topics and len(topics) <= 76
            assert app.is_running  # no [@click] action ran
    finally:
        service.db.close()
