"""Review flows, each card type through to the row in the database."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import DataTable, Input, Static

from quizdl.decks.model import MCQCard
from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp, make_app
from quizdl.tui.screens.home import HomeScreen
from quizdl.tui.screens.review import ReviewScreen

from .support import reviews_of, settle


def text_of(app: QuizApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_home_lists_decks_with_counts(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#decks", DataTable)
        assert table.get_row("test-deck")[1:] == ["4", "0", "4"]
        assert "4" in text_of(app, "#today") and "new" in text_of(app, "#today")


async def test_nothing_due_says_when_next(app: QuizApp, service: StudyService) -> None:
    for card_id in ("relu", "backprop", "softmax-mcq", "dense-cloze"):
        service.answer(service.find_card(card_id).pk, 5)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        today = text_of(app, "#today")
        assert "Nothing due today" in today
        assert "Next card due tomorrow" in today


async def start_review(pilot: object, app: QuizApp) -> ReviewScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("a")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    return screen


async def test_concept_typed_answer_then_grade(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        assert screen.view is not None and screen.view.card.card_id == "relu"
        assert "QUESTION" not in text_of(app, "#mode")
        assert "ANSWER" in text_of(app, "#mode")
        await pilot.press("m", "a", "x", "enter")
        await settle(pilot)
        assert screen.phase == "answer"
        assert "GRADE" in text_of(app, "#mode")
        assert "You wrote: max" in text_of(app, "#feedback")
        await pilot.press("5")
        await settle(pilot)
        assert screen.view.card.card_id == "backprop"
    (row,) = reviews_of(service, "relu")
    assert row.quality == 5
    assert row.interval_after == 1


async def test_space_on_empty_answer_reveals(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("space")
        await settle(pilot)
        assert screen.phase == "answer"


async def test_digits_typed_in_the_answer_box_do_not_grade(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("4", "2")
        await settle(pilot)
        assert screen.phase == "question"
        assert screen.query_one("#typed", Input).value == "42"


async def test_qa_shows_key_points_and_suggests(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("space")
        await pilot.press("4")
        await settle(pilot)
        assert screen.view is not None and screen.view.card.card_id == "backprop"
        await pilot.press(*"The Backward passes and local-gradients.", "enter")
        await settle(pilot)
        feedback = text_of(app, "#feedback")
        assert "✓ backward pass" in feedback
        assert "✓ local gradients" in feedback
        assert "✗ memory" in feedback
        assert screen.suggested == 3
        await pilot.press("enter")  # accepts the suggestion
        await settle(pilot)
    (row,) = reviews_of(service, "backprop")
    assert row.quality == 3


async def go_to(pilot: object, screen: ReviewScreen, card_id: str) -> None:
    """Answer earlier cards with 'perfect' until ``card_id`` is shown."""
    while screen.view is not None and screen.view.card.card_id != card_id:
        await reveal_any(pilot, screen)
        await pilot.press("5")  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]


async def reveal_any(pilot: object, screen: ReviewScreen) -> None:
    """Show the answer side of whatever card is shown (MCQ: pick the right choice)."""
    assert screen.view is not None
    card = screen.view.card.card
    if isinstance(card, MCQCard):
        await pilot.press(str(card.correct_indices[0] + 1))  # type: ignore[attr-defined]
    else:
        await pilot.press("enter")  # type: ignore[attr-defined]
        await settle(pilot)  # type: ignore[arg-type]
        if screen.phase == "question":  # cloze: enter moved to the next blank
            screen.reveal()
    await settle(pilot)  # type: ignore[arg-type]
    assert screen.phase == "answer"


async def test_mcq_digit_chooses_then_grades(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await go_to(pilot, screen, "softmax-mcq")
        assert "CHOOSE" in text_of(app, "#mode")
        await pilot.press("1")  # ReLU: wrong
        await settle(pilot)
        assert screen.phase == "answer"
        assert "Not quite" in text_of(app, "#feedback")
        assert "2" in text_of(app, "#feedback")
        assert screen.suggested == 1
        assert "GRADE" in text_of(app, "#mode")
        await pilot.press("2")  # now a grade, not a choice
        await settle(pilot)
    (row,) = reviews_of(service, "softmax-mcq")
    assert row.quality == 2


async def test_mcq_right_answer_suggests_good(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await go_to(pilot, screen, "softmax-mcq")
        await pilot.press("2")
        await settle(pilot)
        assert "Right" in text_of(app, "#feedback")
        await pilot.press("enter")
        await settle(pilot)
    assert reviews_of(service, "softmax-mcq")[0].quality == 4


async def test_cloze_blanks_checked_tolerantly(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await go_to(pilot, screen, "dense-cloze")
        assert "FILL IN" in text_of(app, "#mode")
        await pilot.press(*" 'Softmax' ", "enter")
        await pilot.press("1", "0", "enter")
        await settle(pilot)
        assert screen.phase == "answer"
        feedback = text_of(app, "#feedback")
        assert "✓ blank 1" in feedback and "✓ blank 2" in feedback
        assert screen.suggested == 4
        await pilot.press("4")
        await settle(pilot)
    assert reviews_of(service, "dense-cloze")[0].quality == 4


async def test_undo_takes_back_the_last_answer(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("space", "5")
        await settle(pilot)
        assert reviews_of(service, "relu")
        await pilot.press("u", "p")  # typed: the answer box has focus
        assert screen.query_one("#typed", Input).value == "up"
        # Inside the box ctrl+z is text undo: the typing goes, the grade stays.
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert screen.query_one("#typed", Input).value == "u"
        assert screen.view is not None and screen.view.card.card_id == "backprop"
        assert reviews_of(service, "relu")
        await pilot.press("escape", "ctrl+z")  # out of the box, it undoes the grade
        await settle(pilot)
        assert screen.view is not None and screen.view.card.card_id == "relu"
        assert screen.phase == "question"
    assert reviews_of(service, "relu") == []


async def test_u_outside_the_box_undoes_the_grade(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("space", "5")
        await settle(pilot)
        await pilot.press("escape", "u")
        await settle(pilot)
        assert screen.view is not None and screen.view.card.card_id == "relu"
    assert reviews_of(service, "relu") == []


async def test_low_grade_comes_back_then_summary(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("space", "2")  # relu: wrong but familiar -> re-drill
        await settle(pilot)
        # The clock stands still: relu's 1-minute step is never due before the others.
        assert "last card again in 1 min" in text_of(app, "#card-kind")
        seen = []
        while screen.phase != "done":
            assert screen.view is not None
            seen.append(screen.view.card.card_id)
            if screen.view.card.card_id == "relu":
                kind = text_of(app, "#card-kind")
                assert "early: nothing else is left (due in 1 min)" in kind
                assert "last card" not in kind  # it is that card
            await reveal_any(pilot, screen)
            await pilot.press("5")
            await settle(pilot)
        assert seen == ["backprop", "softmax-mcq", "dense-cloze", "relu"]
        summary = text_of(app, "#summary")
        assert "Session complete" in summary
        assert "4" in summary and "5 answers" in summary
        assert "80%" in summary
        assert "Sat 28 Nov 2026" in summary
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
    kinds = [r.kind for r in reviews_of(service, "relu")]
    assert kinds == ["scheduled", "redrill"]
    assert "tensorflow" not in sys.modules and "keras" not in sys.modules


async def test_suspend_removes_the_card(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("escape", "s")
        await settle(pilot)
        assert screen.view is not None and screen.view.card.card_id == "backprop"
    assert service.card(service.find_card("relu").pk).suspended


async def test_deck_file_location_without_editor(app: QuizApp, deck_path: object) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await start_review(pilot, app)
        await pilot.press("escape", "e")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any(m.endswith("test-deck.yaml:5") for m in messages)


async def test_opening_straight_into_review_then_home(service: StudyService) -> None:
    app = make_app(service, review_on_start=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.view is not None and screen.view.card.card_id == "relu"
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#decks", DataTable)
        assert table.get_row("test-deck")[1:] == ["4", "0", "4"]


async def test_mcq_option_and_grade_by_mouse(app: QuizApp, service: StudyService) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await go_to(pilot, screen, "softmax-mcq")
        choices = screen.query_one("#choices")
        items = list(choices.children[0].children)
        await pilot.click(items[1])  # "Softmax"
        await settle(pilot)
        assert screen.phase == "answer" and screen.chosen == [1]
        await pilot.click("#grade-5")
        await settle(pilot)
    assert reviews_of(service, "softmax-mcq")[0].quality == 5


async def test_undo_after_the_summary_brings_the_card_back(
    app: QuizApp, service: StudyService
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        while screen.phase != "done":
            await reveal_any(pilot, screen)
            await pilot.press("5")
            await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert screen.phase == "question"
        assert screen.view is not None and screen.view.card.card_id == "dense-cloze"
        assert screen.query_one("#card-scroll").display
        assert not screen.query_one("#summary").display
    assert reviews_of(service, "dense-cloze") == []


MULTI = """\
id: multi
title: Multi
cards:
  - id: pick-two
    type: mcq
    question: Which layers have weights?
    choices: [Dense, Dropout, Conv2D, Flatten]
    answer: [0, 2]
"""


async def test_mcq_with_several_answers_toggles_then_checks(
    app: QuizApp, service: StudyService, tmp_path: Path
) -> None:
    path = tmp_path / "multi.yaml"
    path.write_text(MULTI, encoding="utf-8")
    service.import_file(path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_review("multi")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert "2 are right" in text_of(app, "#mode")
        await pilot.press("1", "2", "2", "3")  # 2 toggled on and off again
        assert screen.phase == "question" and sorted(screen.chosen) == [0, 2]
        await pilot.press("enter")
        await settle(pilot)
        assert screen.phase == "answer" and "Right" in text_of(app, "#feedback")
        await pilot.press("enter")
        await settle(pilot)
    assert reviews_of(service, "pick-two")[0].quality == 4


async def test_grade_buttons_say_when_the_card_returns_and_its_easiness(
    app: QuizApp, service: StudyService
) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("space")  # relu, a new card: reveal
        await settle(pilot)
        assert screen.phase == "answer"
        again, good = text_of(app, "#grade-0"), text_of(app, "#grade-4")
        # Not "1d" on every button: a fail comes back in a minute, a pass tomorrow.
        assert "1m" in again and "ease 2.50→1.70" in again
        assert "1d" in good and "ease 2.50" in good and "→" not in good
        assert "ease 2.50→2.60" in text_of(app, "#grade-5")
    narrow = make_app(service)
    async with narrow.run_test(size=(70, 30)) as pilot:
        await start_review(pilot, narrow)
        await pilot.press("space")
        await settle(pilot)
        # Too narrow for both numbers: the new easiness alone.
        assert "ease→1.70" in text_of(narrow, "#grade-0")


async def test_study_more_opens_the_review_on_the_chosen_cards(service: StudyService) -> None:
    from quizdl.study.study_more import StudyMore

    for card_id in ("relu", "backprop", "softmax-mcq", "dense-cloze"):
        service.answer(service.find_card(card_id).pk, 5)
    # Nothing is due today; review tomorrow's cards ahead.
    more = StudyMore(ahead_days=1, deck_id="test-deck")
    chosen = [service.card(e.pk).card_id for e in service.study_more(more)]
    assert sorted(chosen) == ["backprop", "dense-cloze", "relu", "softmax-mcq"]
    app = make_app(service, study_more=more)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        seen = []
        while screen.phase != "done":
            assert screen.view is not None
            seen.append(screen.view.card.card_id)
            await reveal_any(pilot, screen)
            await pilot.press("5")
            await settle(pilot)
        assert seen == chosen
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_the_shown_answer_scrolls_with_the_keys_and_nothing_inside_follows_its_focus(
    app: QuizApp,
) -> None:
    from dataclasses import replace

    from quizdl.tui.widgets.card_scroll import CardScroll

    async with app.run_test(size=(60, 12)) as pilot:
        screen = await start_review(pilot, app)
        await pilot.press("enter")  # nothing typed: shows the answer
        await settle(pilot)
        scroll = screen.query_one("#card-scroll", CardScroll)
        assert screen.phase == "answer" and app.focused is scroll
        assert scroll.max_scroll_y > 0  # the card is taller than the small terminal
        await pilot.press("end")
        await settle(pilot)
        assert scroll.scroll_y == scroll.max_scroll_y
        # CardScroll restyles only itself on focus: sound only while no rule gives a
        # widget inside it a look that depends on the area's focus.
        for rule in app.stylesheet.rules:
            for selector_set in rule.selector_set:
                for ancestor in selector_set.selectors[:-1]:
                    if ancestor.pseudo_classes & {"focus", "focus-within"}:
                        assert not replace(ancestor, pseudo_classes=set()).check(scroll), (
                            selector_set.css
                        )
