"""Whole-screen snapshots at 100×30 and 80×24 (update with --snapshot-update).

Each was looked at: the text a learner needs must be visible, nothing clipped.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import TextArea

from quizdl.study.service import StudyService
from quizdl.tui.app import make_app

from .support import settle
from .test_challenge import WRONG_CODE, FakeChecker

SIZES = [pytest.param((100, 30), id="100x30"), pytest.param((80, 24), id="80x24")]


@pytest.fixture
def studied(service: StudyService) -> StudyService:
    """Some history so home and stats have something to show."""
    service.answer(service.find_card("relu").pk, 5)
    service.answer(service.find_card("backprop").pk, 2)
    return service


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare: Any, studied: StudyService, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(studied), terminal_size=size, run_before=settle)


@pytest.mark.parametrize("size", SIZES)
def test_review_question(snap_compare: Any, service: StudyService, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("space", "5")  # relu
        await settle(pilot)
        await pilot.press(*"the backward pass")

    assert snap_compare(make_app(service), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_review_answer(snap_compare: Any, service: StudyService, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("space", "5")  # relu
        await settle(pilot)
        await pilot.press(*"the backward pass needs memory", "enter")
        await settle(pilot)

    assert snap_compare(make_app(service), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_review_mcq_answer(snap_compare: Any, service: StudyService, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("space", "5", "space", "5")  # relu, backprop
        await settle(pilot)
        await pilot.press("1")  # a wrong choice
        await settle(pilot)

    assert snap_compare(make_app(service), terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_challenge_failed_check(
    snap_compare: Any, service: StudyService, challenge_deck_path: Path, size: tuple[int, int]
) -> None:
    # The editor's colours come from tree-sitter; without it the screen differs.
    pytest.importorskip("tree_sitter_python")
    service.import_file(challenge_deck_path)
    fake = FakeChecker()
    app = make_app(service, checker_factory=lambda: fake)

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        editor = pilot.app.screen.query_one(TextArea)
        editor.load_text(WRONG_CODE)
        editor.move_cursor((0, 0))
        await pilot.press("ctrl+r")
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_stats(snap_compare: Any, studied: StudyService, size: tuple[int, int]) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)

    assert snap_compare(make_app(studied), terminal_size=size, run_before=run_before)


def test_review_answer_light_theme(snap_compare: Any, service: StudyService) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("ctrl+t", "a")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(make_app(service), terminal_size=(100, 30), run_before=run_before)
