"""The challenge screen: autosave, background checks, solution, a real Keras check."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import Check, CheckCancelled, Verdict
from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp, make_app
from quizdl.tui.checking import Checker, real_checker
from quizdl.tui.screens.challenge import ChallengeScreen
from quizdl.tui.screens.challenges import ChallengeListScreen
from quizdl.tui.screens.confirm import ConfirmScreen
from quizdl.tui.screens.review import ReviewScreen

from .support import reviews_of, settle

GOOD_CODE = """\
import keras
from keras import layers


def build_model():
    return keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3, activation="softmax")])
"""

WRONG_CODE = GOOD_CODE.replace("Dense(3", "Dense(2")


class FakeChecker:
    """Passes code that builds Dense(3); records what it was asked."""

    def __init__(self) -> None:
        self.warmed = 0
        self.checked: list[str] = []
        self.closed = False
        self.cancelled = 0
        # When set, a check blocks until cancel() (a check that takes forever).
        self.block = False
        self._released = threading.Event()
        self.started = threading.Event()
        self.message: str | None = None

    def warm_up(self) -> None:
        self.warmed += 1

    def check(self, spec: ChallengeSpec, code: str, *, reference: str = "") -> Verdict:
        self.checked.append(code)
        self.started.set()
        if self.block:
            self._released.wait(30)
            raise CheckCancelled
        ok = "Dense(3" in code
        message = "Dense(3) as expected" if ok else "expected units=3 at layer 1, found 2"
        return Verdict(checks=(Check("layer 1", ok, self.message or message),), seconds=0.2)

    def cancel(self) -> None:
        self.cancelled += 1
        self._released.set()

    def close(self) -> None:
        self.closed = True
        self.cancel()


@pytest.fixture
def challenge_service(service: StudyService, challenge_deck_path: Path) -> StudyService:
    service.import_file(challenge_deck_path)
    return service


@pytest.fixture
def fake() -> FakeChecker:
    return FakeChecker()


@pytest.fixture
def challenge_app(challenge_service: StudyService, fake: FakeChecker) -> QuizApp:
    return make_app(challenge_service, checker_factory=lambda: fake)


async def open_challenge(pilot: object, app: QuizApp) -> ChallengeScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("c")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ChallengeListScreen)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ChallengeScreen)
    return app.screen


async def test_opens_with_starter_and_warms_the_checker(
    challenge_app: QuizApp, fake: FakeChecker
) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        screen = await open_challenge(pilot, challenge_app)
        assert "def build_model():" in screen.code
        # Once when the app opened (the challenge is due), again on opening it
        # (a no-op for the real checker when its spares are alive).
        assert fake.warmed == 2
    assert fake.closed


async def test_failed_then_passed_check_grades_4(
    challenge_app: QuizApp, challenge_service: StudyService, fake: FakeChecker
) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        screen = await open_challenge(pilot, challenge_app)
        screen.query_one(TextArea).load_text(WRONG_CODE)
        await pilot.press("ctrl+r")
        await settle(pilot)
        verdict = str(screen.query_one("#verdict", Static).render())
        assert "Not yet" in verdict and "found 2" in verdict
        assert reviews_of(challenge_service, "tiny-mlp") == []
        screen.query_one(TextArea).load_text(GOOD_CODE)
        await pilot.press("ctrl+r")
        await settle(pilot)
        verdict = str(screen.query_one("#verdict", Static).render())
        assert "Passed" in verdict and "Graded 4 (good)" in verdict
    assert fake.checked == [WRONG_CODE, GOOD_CODE]
    (row,) = reviews_of(challenge_service, "tiny-mlp")
    assert row.quality == 4


async def test_code_autosaves_and_reopens(
    challenge_app: QuizApp, challenge_service: StudyService
) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        screen = await open_challenge(pilot, challenge_app)
        screen.query_one(TextArea).load_text("# my attempt\n")
        await pilot.press("escape", "escape")  # leave the editor, then the screen
        await settle(pilot)
        assert challenge_service.challenges.last_code("tiny-mlp") == "# my attempt\n"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(challenge_app.screen, ChallengeScreen)
        assert challenge_app.screen.code == "# my attempt\n"


async def test_quitting_saves_the_draft(
    challenge_app: QuizApp, challenge_service: StudyService
) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        screen = await open_challenge(pilot, challenge_app)
        screen.query_one(TextArea).insert("# typed just before quitting\n")
        await challenge_app.action_quit()
    assert "# typed just before quitting" in (
        challenge_service.challenges.last_code("tiny-mlp") or ""
    )


async def test_solution_states_the_grading_consequence(
    challenge_app: QuizApp, challenge_service: StudyService
) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        screen = await open_challenge(pilot, challenge_app)
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert isinstance(challenge_app.screen, ConfirmScreen)
        assert "grades this card 3 (hard)" in challenge_app.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert screen.query_one("#solution").display
        screen.query_one(TextArea).load_text(GOOD_CODE)
        await pilot.press("ctrl+r")
        await settle(pilot)
    assert reviews_of(challenge_service, "tiny-mlp")[0].quality == 3


@pytest.fixture
def checker() -> Iterator[Checker]:
    made = real_checker()
    yield made
    made.close()


@pytest.mark.keras
async def test_real_check_in_a_child_process(
    challenge_service: StudyService, checker: Checker
) -> None:
    """A whole review session and a real check leave TensorFlow out of this process."""
    app = make_app(challenge_service, checker_factory=lambda: checker)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        while app.screen.phase != "done":  # type: ignore[attr-defined]
            screen = app.screen
            screen.reveal()  # type: ignore[attr-defined]
            await settle(pilot)
            await pilot.press("5")
            await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        screen = await open_challenge(pilot, app)
        screen.query_one(TextArea).load_text(WRONG_CODE)
        await pilot.press("ctrl+r")
        for _ in range(120):
            await pilot.pause(0.5)
            if not screen.checking:
                break
        await settle(pilot)
        verdict = str(screen.query_one("#verdict", Static).render())
        assert "Not yet" in verdict, verdict
        assert "3" in verdict and "2" in verdict
    assert "tensorflow" not in sys.modules and "keras" not in sys.modules


async def test_ctrl_e_without_editor_says_how(challenge_app: QuizApp) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        await open_challenge(pilot, challenge_app)
        await pilot.press("ctrl+e")
        await pilot.pause()
        messages = [n.message for n in challenge_app._notifications]
        assert any("$EDITOR" in m for m in messages)


async def test_ctrl_e_in_a_terminal_that_cannot_suspend(
    challenge_app: QuizApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EDITOR", "true")
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        screen = await open_challenge(pilot, challenge_app)
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert screen.attempt_file().read_text(encoding="utf-8") == screen.code


async def test_challenge_in_a_review_is_graded_by_its_check(
    challenge_app: QuizApp, challenge_service: StudyService, fake: FakeChecker
) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await challenge_app.push_screen(ReviewScreen("challenge-deck"))
        await settle(pilot)
        review = challenge_app.screen
        assert isinstance(review, ReviewScreen)
        assert "BUILD" in str(review.query_one("#mode", Static).render())
        await pilot.press("enter")
        await settle(pilot)
        editor = challenge_app.screen
        assert isinstance(editor, ChallengeScreen)
        editor.query_one(TextArea).load_text(GOOD_CODE)
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert challenge_app.screen is review
        # The pass graded the card once (5: first try); the review moved on to its summary.
        assert [row.quality for row in reviews_of(challenge_service, "tiny-mlp")] == [5]
        assert review.phase == "done"
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert reviews_of(challenge_service, "tiny-mlp") == []
        assert review.phase == "question"


async def test_leaving_the_editor_without_a_pass_keeps_the_card(
    challenge_app: QuizApp, challenge_service: StudyService
) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await challenge_app.push_screen(ReviewScreen("challenge-deck"))
        await settle(pilot)
        review = challenge_app.screen
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert challenge_app.screen is review
        assert isinstance(review, ReviewScreen) and review.phase == "question"
        await pilot.press("v")  # grade yourself against the solution instead
        await settle(pilot)
        assert review.phase == "answer"
        await pilot.press("2")
        await settle(pilot)
    assert [row.quality for row in reviews_of(challenge_service, "tiny-mlp")] == [2]


async def test_escape_cancels_a_running_check_and_records_nothing(
    challenge_app: QuizApp, challenge_service: StudyService, fake: FakeChecker
) -> None:
    fake.block = True
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        screen = await open_challenge(pilot, challenge_app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert fake.started.wait(5)
        assert screen.checking
        await pilot.press("escape")
        for _ in range(50):
            await pilot.pause(0.05)
            if not screen.checking:
                break
        assert not screen.checking
        assert fake.cancelled == 1
        # Still on the challenge: the first Esc cancelled, it did not leave.
        assert challenge_app.screen is screen
        assert "cancelled" in str(screen.query_one("#challenge-status", Static).render())
    assert reviews_of(challenge_service, "tiny-mlp") == []


async def test_quitting_during_a_check_cancels_it(
    challenge_app: QuizApp, fake: FakeChecker
) -> None:
    fake.block = True
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        await open_challenge(pilot, challenge_app)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert fake.started.wait(5)
        await challenge_app.action_quit()
    assert fake.closed and fake.cancelled >= 1


HOSTILE_TEXT = (
    "[/] [@click=app.quit]x[/] [b]bold[/b] \x1b[31mred\x1b[0m [link=http://x]l[/link] $error"
)


async def test_verdict_text_is_never_markup(
    challenge_app: QuizApp, challenge_service: StudyService, fake: FakeChecker
) -> None:
    fake.message = HOSTILE_TEXT
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        screen = await open_challenge(pilot, challenge_app)
        screen.query_one(TextArea).load_text(WRONG_CODE)
        await pilot.press("ctrl+r")
        await settle(pilot)
        shown = str(screen.query_one("#verdict", Static).render())
        assert "[/] [@click=app.quit]x[/] [b]bold[/b]" in shown
        assert challenge_app.is_running
        # And the list, which shows the recorded check, still opens.
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(challenge_app.screen, ChallengeListScreen)


async def test_a_due_challenge_warms_the_checker_when_the_app_opens(
    challenge_app: QuizApp, fake: FakeChecker
) -> None:
    async with challenge_app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert fake.warmed == 1  # before any challenge was opened


async def test_without_a_due_challenge_nothing_starts(service: StudyService) -> None:
    idle = FakeChecker()
    app = make_app(service, checker_factory=lambda: idle)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert idle.warmed == 0
