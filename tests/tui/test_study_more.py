"""Study more from the home screen: the dialog, its choices, hostile tags, 80×24."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import FixedClock
from textual.widgets import Input, RadioSet, Select, Static

from quizdl.study.errors import StudyError
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.study.settings import StudySettings
from quizdl.study.study_more import StudyMore
from quizdl.tui.app import QuizApp, make_app
from quizdl.tui.screens.home import HomeScreen
from quizdl.tui.screens.review import ReviewScreen
from quizdl.tui.screens.study_more import StudyMoreScreen, choice_of

from .support import settle

HOSTILE_TAGS = ["[", "]", "[/]", "[@click=app.quit]"]


def deck_text() -> str:
    """Twelve cards: two per hostile tag, four plain ones tagged cnn."""
    cards = []
    for index in range(12):
        tag = HOSTILE_TAGS[index // 2] if index < 8 else "cnn"
        quoted = tag.replace("'", "''")
        cards.append(
            f"  - {{id: c{index}, type: qa, tags: ['{quoted}'], "
            f"question: 'Q{index}?', answer: 'a{index}'}}\n"
        )
    title = "'Deck [/] [@click=app.quit]x'"
    return f"id: tags\ntitle: {title}\ncards:\n{''.join(cards)}"


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def study(tmp_path: Path, clock: FixedClock) -> Iterator[StudyService]:
    path = tmp_path / "tags.yaml"
    path.write_text(deck_text(), encoding="utf-8")
    service = open_study(
        database_url=f"sqlite:///{tmp_path}/q.sqlite3",
        clock=clock,
        bundled=[],
        settings=StudySettings(new_cards_per_day=2),
    )
    service.import_file(path)
    yield service
    service.db.close()


@pytest.fixture
def app(study: StudyService) -> QuizApp:
    return make_app(study)


async def open_dialog(pilot: object, app: QuizApp) -> StudyMoreScreen:
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, HomeScreen)
    await pilot.press("m")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, StudyMoreScreen)
    return app.screen


def error_text(screen: StudyMoreScreen) -> str:
    return str(screen.query_one("#more-error", Static).render())


async def test_extra_new_cards_from_home_open_a_review_of_them(
    app: QuizApp, study: StudyService
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app)
        # The whole dialog is on an 80×24 screen.
        box = dialog.query_one("#more-box").region
        assert box.x >= 0 and box.y >= 0 and box.right <= 80 and box.bottom <= 24
        for selector in ("#more-start", "#more-cancel", "#more-tag", "#more-deck"):
            widget = dialog.query_one(selector).region
            assert widget.height >= 1 and box.contains_region(widget), selector
        number = dialog.query_one("#more-number", Input)
        number.value = "3"
        await pilot.click("#more-start")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.session is not None
        # Today's 2 new cards stay in today's queue; the 3 after them are studied.
        counts = review.session.counts()
        assert (counts.new, counts.review) == (3, 0)
        assert review.session.current_entry is not None
        assert study.card(review.session.current_entry.pk).card_id == "c2"


async def test_review_ahead_and_the_number_follow_the_option(
    app: QuizApp, study: StudyService, clock: FixedClock
) -> None:
    for index in range(3):
        study.answer(study.find_card(f"c{index + 8}").pk, 5)  # due tomorrow
    clock.advance(days=0, hours=1)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app)
        kinds = dialog.query_one("#more-kind", RadioSet)
        kinds.focus()
        await pilot.press("down", "enter")  # "Review ahead"
        await pilot.pause()
        number = dialog.query_one("#more-number", Input)
        assert number.value == "3" and not number.disabled  # days, offered at 3
        await pilot.press("down", "enter")  # "Again: today's failed": no number
        await pilot.pause()
        assert number.disabled
        await pilot.press("up", "enter")
        await pilot.pause()
        number.value = "1"
        number.focus()
        await pilot.press("enter")  # Enter in the number starts too
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.session is not None
        assert review.session.counts().review == 3
        assert review.more is not None and review.more.ahead_days == 1


async def test_an_empty_or_bad_choice_says_why_and_the_dialog_stays(app: QuizApp) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app)
        number = dialog.query_one("#more-number", Input)
        number.value = ""
        await pilot.click("#more-start")
        await settle(pilot)
        assert app.screen is dialog
        assert error_text(dialog) == "N: expected a number of cards from 1 to 1000, got ''"
        # Nothing failed today: the choice finds no card, and says so in one line.
        dialog.query_one("#more-kind", RadioSet).focus()
        await pilot.press("down", "down", "enter")
        await pilot.click("#more-start")
        await settle(pilot)
        assert app.screen is dialog
        assert error_text(dialog).startswith("No cards for this choice")
        # "Only a tag or deck" needs one of them.
        dialog.query_one("#more-kind", RadioSet).focus()
        await pilot.press("down", "down", "enter")
        await pilot.click("#more-start")
        await settle(pilot)
        assert error_text(dialog) == "choose a tag or a deck to narrow today's cards to"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.is_running


async def test_hostile_tag_names_are_shown_and_chosen_literally(
    app: QuizApp, study: StudyService
) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app)
        tags = dialog.query_one("#more-tag", Select)
        shown = [str(prompt) for prompt, _ in tags._options[1:]]  # after "Any tag"
        assert shown == sorted([*HOSTILE_TAGS, "cnn"], key=lambda t: (t.casefold(), t))
        decks = dialog.query_one("#more-deck", Select)
        assert [str(prompt) for prompt, _ in decks._options[1:]] == ["Deck [/] [@click=app.quit]x"]
        # Open the tag list and pick "[@click=app.quit]" with the keyboard:
        # a live action would quit the app.
        tags.focus()
        await pilot.press("enter")
        await pilot.pause()
        target = 1 + shown.index("[@click=app.quit]")
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await pilot.pause()
        assert app.is_running and tags.value == "[@click=app.quit]"
        # The chosen tag is drawn as typed in the closed select.
        assert "[@click=app.quit]" in tags.query_one("SelectCurrent Static").render().plain  # type: ignore[attr-defined]
        kinds = dialog.query_one("#more-kind", RadioSet)
        kinds.focus()
        await pilot.press("down", "down", "down", "enter")  # "Random sample"
        number = dialog.query_one("#more-number", Input)
        number.value = "5"
        await pilot.click("#more-start")
        await settle(pilot)
        # Nothing seen yet: no card to sample.
        assert app.screen is dialog and error_text(dialog).startswith("No cards")
        kinds.focus()
        await pilot.press("down", "enter")  # "Only a tag or deck of today's cards"
        await pilot.click("#more-start")
        await settle(pilot)
        # Today's queue holds c0 and c1 (2 new a day): neither has that tag.
        assert app.screen is dialog and error_text(dialog).startswith("No cards")
        kinds.focus()
        await pilot.press("up", "up", "up", "up", "enter")  # "Extra new cards"
        dialog.query_one("#more-number", Input).value = "10"
        await pilot.click("#more-start")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.session is not None
        assert review.more is not None and review.more.tag == "[@click=app.quit]"
        picked = [study.card(e.pk).card_id for e in review.session._pending]
        assert picked == ["c6", "c7"]
        assert app.is_running


def test_choices_become_the_cli_options() -> None:
    assert choice_of("new", "12", "cnn", None, 1) == StudyMore(new=12, tag="cnn", seed=1)
    assert choice_of("ahead", " 7 ", None, "d", 1) == StudyMore(ahead_days=7, deck_id="d", seed=1)
    assert choice_of("failed", "", None, None, 1) == StudyMore(failed=True, seed=1)
    assert choice_of("sample", "20", "[/]", None, 2) == StudyMore(sample=20, tag="[/]", seed=2)
    assert choice_of("only", "", "[", None, 1) == StudyMore(tag="[", seed=1)
    with pytest.raises(StudyError, match="days from 1 to 365, got '400'"):
        choice_of("ahead", "400", None, None, 1)
    with pytest.raises(StudyError, match="cards from 1 to 1000, got '-3'"):
        choice_of("new", "-3", None, None, 1)
    for odd in ("²", "1e3", "٣", "", " "):
        with pytest.raises(StudyError, match="expected a number of cards"):
            choice_of("sample", odd, None, None, 1)


async def test_a_sample_from_home_draws_seen_cards_not_due_today(
    app: QuizApp, study: StudyService, clock: FixedClock
) -> None:
    for index in range(8, 12):
        study.answer(study.find_card(f"c{index}").pk, 5)
    clock.advance(days=1)  # all four are due today: nothing to sample
    for index in (8, 9):
        study.answer(study.find_card(f"c{index}").pk, 5)  # now due in 6 days
    clock.advance(hours=1)
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await open_dialog(pilot, app)
        dialog.query_one("#more-kind", RadioSet).focus()
        await pilot.press("down", "down", "down", "enter")
        dialog.query_one("#more-number", Input).value = "5"
        await pilot.click("#more-start")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen) and review.session is not None
        assert review.session.counts().review == 2  # c8 and c9: seen, not due today
        picked = {study.card(e.pk).card_id for e in review.session._pending}
        assert picked == {"c8", "c9"}
