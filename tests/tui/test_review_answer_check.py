"""The review screen's typed-answer checking, through a real app: a typo is
"almost" with a lowered suggestion the learner can override, a right answer
in another form is right, and typed text is never markup."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp, make_app
from quizdl.tui.screens.review import ReviewScreen

from .support import fixed_clock, reviews_of, settle

DECK = """\
id: answers
title: Answers
cards:
  - id: norm-cloze
    type: cloze
    text: |
      ```python
      x = keras.layers.{{LayerNormalization|LayerNorm}}()(x)
      ```
      `Dense(64)` after `Dense(128)` has {{8256}} parameters.
"""


@pytest.fixture
def service(tmp_path: Path) -> Iterator[StudyService]:
    path = tmp_path / "answers.yaml"
    path.write_text(DECK, encoding="utf-8")
    study = open_study(
        database_url=f"sqlite:///{tmp_path}/q.sqlite3", clock=fixed_clock, bundled=[]
    )
    study.import_file(path)
    yield study
    study.db.close()


@pytest.fixture
def app(service: StudyService) -> QuizApp:
    return make_app(service)


async def answer_blanks(pilot: object, app: QuizApp, *typed: str) -> ReviewScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("a")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    for inputs, text in zip(screen.blank_inputs, typed, strict=True):
        inputs.value = text
    screen.reveal()
    await settle(pilot)  # type: ignore[arg-type]
    assert screen.phase == "answer"
    return screen


def feedback_of(app: QuizApp) -> str:
    return str(app.screen.query_one("#feedback", Static).render())


async def test_a_typo_is_almost_and_the_learner_can_still_grade_it_perfect(
    app: QuizApp, service: StudyService
) -> None:
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await answer_blanks(pilot, app, "LayerNormalisation", "8,256")
        feedback = feedback_of(app)
        assert "≈ blank 1: LayerNormalisation — almost: LayerNormalization" in feedback
        assert "✓ blank 2: 8,256" in feedback
        assert screen.suggested == 3
        await pilot.press("5")  # the learner overrides the suggestion
        await settle(pilot)
    (row,) = reviews_of(service, "norm-cloze")
    assert row.quality == 5


async def test_right_in_another_form_is_accepted_with_enter(
    app: QuizApp, service: StudyService
) -> None:
    async with app.run_test(size=(110, 30)) as pilot:
        screen = await answer_blanks(pilot, app, "layernorm", " 8256.0 ")
        assert "✓ blank 1" in feedback_of(app) and "✓ blank 2" in feedback_of(app)
        assert screen.suggested == 4
        await pilot.press("enter")
        await settle(pilot)
    assert reviews_of(service, "norm-cloze")[0].quality == 4


async def test_typed_markup_is_shown_as_text_and_does_nothing(app: QuizApp) -> None:
    hostile = "[@click=app.quit]x[/] [b]\x1b[31m"
    async with app.run_test(size=(110, 30)) as pilot:
        await answer_blanks(pilot, app, hostile, "[/]")
        feedback = feedback_of(app)
        assert "[@click=app.quit]x[/]" in feedback
        assert "✗ blank 2: [/] — answer: 8256" in feedback
        assert app.is_running


QA_DECK = """\
id: qa
title: QA
cards:
  - id: vanishing
    type: qa
    question: How do residual networks help deep training?
    answer: Residual connections let gradients flow past layers, against vanishing gradients.
    key_points: [residual connections, [vanishing gradients, vanishing gradient problem]]
"""


async def test_a_key_point_with_a_slip_is_marked_almost(tmp_path: Path) -> None:
    path = tmp_path / "qa.yaml"
    path.write_text(QA_DECK, encoding="utf-8")
    study = open_study(
        database_url=f"sqlite:///{tmp_path}/qa.sqlite3", clock=fixed_clock, bundled=[]
    )
    study.import_file(path)
    app = make_app(study)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            await pilot.press(*"residual conections stop vanishing gradients", "enter")
            await settle(pilot)
            feedback = feedback_of(app)
            assert "≈ residual connections (almost)" in feedback
            assert "✓ vanishing gradients" in feedback
            assert screen.suggested == 3
    finally:
        study.db.close()
