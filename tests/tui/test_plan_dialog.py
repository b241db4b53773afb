"""The interview plan from the home screen: set, refuse in place, narrow to decks, clear."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers import FixedClock
from textual.pilot import Pilot
from textual.widgets import Input, SelectionList, Static

from quizdl.study.errors import StudyError
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp, make_app
from quizdl.tui.screens.home import HomeScreen
from quizdl.tui.screens.plan import PlanScreen, interview_day_of, minutes_of

from .support import settle

HOSTILE_TITLE = "Deck [/] [@click=app.quit]x \\"


def deck(deck_id: str, title: str) -> str:
    quoted = title.replace("'", "''")
    cards = "".join(
        f"  - {{id: c{i}, type: qa, question: 'Q{i}?', answer: 'a{i}'}}\n" for i in range(4)
    )
    return f"id: {deck_id}\ntitle: '{quoted}'\ncards:\n{cards}"


@pytest.fixture
def study(tmp_path: Path) -> Iterator[StudyService]:
    service = open_study(
        database_url=f"sqlite:///{tmp_path}/q.sqlite3", clock=FixedClock(), bundled=[]
    )
    for deck_id, title in (("hostile", HOSTILE_TITLE), ("plain", "Plain deck")):
        path = tmp_path / f"{deck_id}.yaml"
        path.write_text(deck(deck_id, title), encoding="utf-8")
        service.import_file(path)
    yield service
    service.db.close()


async def open_dialog(pilot: Pilot[object], app: QuizApp) -> PlanScreen:
    await settle(pilot)
    assert isinstance(app.screen, HomeScreen)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(app.screen, PlanScreen)
    return app.screen


async def type_into(pilot: Pilot[object], screen: PlanScreen, selector: str, text: str) -> None:
    screen.query_one(selector, Input).value = ""
    screen.query_one(selector, Input).focus()
    await pilot.press(*text)


def error_of(screen: PlanScreen) -> str:
    return str(screen.query_one("#plan-error", Static).render())


async def test_a_plan_set_in_days_from_today_shows_on_home(study: StudyService) -> None:
    app = make_app(study)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dialog(pilot, app)
        await type_into(pilot, screen, "#plan-day", "9")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        plan = study.plan()
        assert plan is not None
        assert (plan.interview_day, plan.minutes_per_day, plan.deck_ids) == (
            study.today() + timedelta(days=9),
            20,
            (),
        )
        home = str(app.screen.query_one("#today", Static).render())
        assert "Interview in 9 days — 0/8 ready" in home


async def test_what_cannot_be_a_plan_is_refused_in_the_dialog(study: StudyService) -> None:
    app = make_app(study)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dialog(pilot, app)
        for day, minutes, expected in (
            ("next week", "20", "expected a date as YYYY-MM-DD or a number of days"),
            ("2020-01-01", "20", "must be after today"),  # the service's own refusal
            ("9999-12-31", "20", "at most 3650 days away"),
            ("9", "0", "minutes a day: expected more than 0"),
            ("9", "[/]", "minutes a day: expected a number, got '[/]'"),
        ):
            await type_into(pilot, screen, "#plan-day", day)
            await type_into(pilot, screen, "#plan-minutes", minutes)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is screen  # still open, what was typed kept
            assert expected in error_of(screen)
            assert screen.query_one("#plan-day", Input).value == day
        assert study.plan() is None
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and study.plan() is None


async def test_decks_are_chosen_by_ticking_and_a_plan_can_be_cleared(
    study: StudyService,
) -> None:
    app = make_app(study)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_dialog(pilot, app)
        decks = screen.query_one("#plan-decks", SelectionList)
        prompts = [str(decks.get_option_at_index(i).prompt) for i in range(decks.option_count)]
        assert HOSTILE_TITLE in prompts  # the learner's title, literally
        decks.select("hostile")
        await type_into(pilot, screen, "#plan-day", (study.today() + timedelta(days=5)).isoformat())
        await pilot.press("enter")
        await settle(pilot)
        plan = study.plan()
        assert plan is not None and plan.deck_ids == ("hostile",)
        assert app.is_running
        # Opened again, the dialog shows the plan; Clear removes it.
        screen = await open_dialog(pilot, app)
        assert screen.query_one("#plan-day", Input).value == plan.interview_day.isoformat()
        assert screen.query_one("#plan-decks", SelectionList).selected == ["hostile"]
        await pilot.click("#plan-clear")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and study.plan() is None
        assert "Interview" not in str(app.screen.query_one("#today", Static).render())


def test_interview_days_and_minutes_as_typed() -> None:
    today = date(2026, 11, 30)
    assert interview_day_of(" 14 ", today) == date(2026, 12, 14)
    assert interview_day_of("2026-12-24", today) == date(2026, 12, 24)
    for text in ("", "0", "²", "-3", "99999", "tomorrow"):
        with pytest.raises(StudyError, match="interview day"):
            interview_day_of(text, today)
    assert minutes_of("12.5") == 12.5
    for text in ("nan", "inf", "-1", "1441", ""):
        with pytest.raises(StudyError, match="minutes a day"):
            minutes_of(text)
