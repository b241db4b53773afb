"""Random walks through the real app: keys, text, clicks, resizes, days passing.

Examples prove a flow works; these find what breaks. Hypothesis draws a
sequence of actions and plays it on a collection holding every card type,
hostile text in every field, answered, re-drilled and suspended cards and
challenges with passed, failed and given-up checks. After the walk: the app
never raised, no background task failed, and the collection's invariants
hold. A failing walk is shrunk to the shortest sequence that still fails.

``QUIZDL_EXPLORE_EXAMPLES=500 pytest tests/tui/test_explore.py`` runs a long
exploration before a release; ``make test`` runs a fixed, bounded one.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from collection_invariants import check_collection
from helpers import FixedClock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual.pilot import Pilot

from quizdl.decks.loader import load_deck
from quizdl.exporters.apkg import export_apkg
from quizdl.exporters.csv_export import export_csv
from quizdl.study.factory import open_study
from quizdl.tui.app import QuizApp, make_app

from .hostile import HOSTILE_STRINGS, fill_collection
from .support import DECK

# A long run (QUIZDL_EXPLORE_EXAMPLES set) draws new walks each time; make
# test replays the same bounded set, so a failure there is reproducible.
EXAMPLES = int(os.environ.get("QUIZDL_EXPLORE_EXAMPLES", "12"))
REPLAY = "QUIZDL_EXPLORE_EXAMPLES" not in os.environ
MAX_STEPS = 30

# Every key some screen binds, and the keys a learner leans on. "q" is left
# out: quitting is a valid end, but a walk that quits at step 2 explores
# nothing (quitting has its own tests).
KEYS = [
    *"abcsieuvrxmpl0123456789/?",
    "enter",
    "space",
    "escape",
    "tab",
    "shift+tab",
    "backspace",
    "up",
    "down",
    "left",
    "right",
    "pageup",
    "pagedown",
    "home",
    "end",
    "ctrl+z",
    "ctrl+p",
    "ctrl+t",
    "ctrl+s",
    "ctrl+r",
    "ctrl+e",
    "f1",
]
SIZES = [(80, 24), (70, 20), (100, 30), (160, 50), (40, 12)]


def _typeable(text: str) -> str:
    # What a terminal can deliver as characters: control bytes arrive as
    # keys (escape, enter), which the KEYS list covers.
    kept = "".join(ch for ch in text[:60] if ch.isprintable())
    return kept.replace("q", "Q")


TEXTS = st.one_of(
    st.sampled_from([_typeable(text) for text in HOSTILE_STRINGS]),
    st.text(max_size=12).map(_typeable),
    st.sampled_from(["relu", "softmax", "10", "(2, 2)", "tag:cnn", "[x]"]),
)

START_SCREENS = [
    "",  # home
    "a",  # review, every deck
    "enter",  # review, the first deck
    "c",  # challenges
    "c down enter",  # a challenge
    "s",  # statistics
    "b",  # browse
    "b enter down enter",  # a card's detail
    "i",  # import
    "question_mark",  # help
    "ctrl+p",  # the command palette
    "m",  # the study-more dialog
    "p",  # the interview-plan dialog
]
PATHS = ["deck", "missing", "folder", "binary", "hostile", "csv copy", "apkg copy"]
# How often each kind of step is drawn: mostly keys the current screen binds,
# so a walk goes deep into screens instead of bouncing off unbound keys.
KINDS = [
    *["bound"] * 10,
    *["key"] * 3,
    *["type"] * 3,
    "path",
    *["click"] * 2,
    "resize",
    "day",
]


def _bound_keys(app: QuizApp) -> list[str]:
    keys = [key for key in app.screen.active_bindings if key not in ("q", "ctrl+q", "ctrl+c")]
    return keys or KEYS


async def _settle(pilot: Pilot[Any]) -> None:
    await pilot.pause()
    await asyncio.wait_for(pilot.app.workers.wait_for_complete(), timeout=20)


async def _walk(
    app: QuizApp, data: st.DataObject, paths: dict[str, Path], visited: set[str]
) -> None:
    clock = app.service.clock
    assert isinstance(clock, FixedClock)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        # Each walk starts on a screen of its own so that every screen is
        # explored in depth, not only the ones a few keys from home.
        for key in data.draw(st.sampled_from(START_SCREENS), label="start").split():
            await pilot.press(key)
            await _settle(pilot)
        for _ in range(MAX_STEPS):
            if not app.is_running:
                break
            visited.add(type(app.screen).__name__)
            kind = data.draw(st.sampled_from(KINDS), label="kind")
            if kind == "bound":
                await pilot.press(data.draw(st.sampled_from(_bound_keys(app)), label="key"))
            elif kind == "key":
                await pilot.press(data.draw(st.sampled_from(KEYS), label="key"))
            elif kind == "type":
                text = data.draw(TEXTS, label="text")
                if text:
                    await pilot.press(*text)
            elif kind == "path":
                path = paths[data.draw(st.sampled_from(PATHS), label="path")]
                await pilot.press(*_typeable(str(path)), "enter")
            elif kind == "click":
                width, height = app.size
                x = data.draw(st.integers(0, width - 1), label="x")
                y = data.draw(st.integers(0, height - 1), label="y")
                await pilot.click(offset=(x, y))
            elif kind == "resize":
                await pilot.resize_terminal(*data.draw(st.sampled_from(SIZES), label="size"))
            else:
                clock.advance(days=data.draw(st.integers(1, 3), label="days"))
            await _settle(pilot)
    # A walk may end in a quit (the footer and the palette offer one): fine,
    # as long as it was a clean one.
    assert app.return_code in (None, 0)


def _paths(directory: Path, deck: Path) -> dict[str, Path]:
    binary = directory / "binary.apkg"
    binary.write_bytes(bytes(range(256)) * 8)
    # The hostile deck's copies, as a learner sends it to a spreadsheet or Anki and
    # back: unedited (.apkg), and with a multiple-choice card's choices gone (CSV),
    # which the preview names as a card changing kind.
    hostile = load_deck(deck)
    apkg_copy = directory / "copy [b].apkg"
    apkg_copy.write_bytes(export_apkg(hostile))
    csv_copy = directory / "copy [@click=app.quit].csv"
    csv_copy.write_text(
        export_csv(hostile).decode("utf-8").replace("a) ", "").replace("b) ", ""),
        encoding="utf-8",
    )
    folder = directory / "a folder [x]"
    folder.mkdir()
    return {
        "deck": directory / "test-deck.yaml",
        "missing": directory / "missing [@click=app.quit].yaml",
        "folder": folder,
        "binary": binary,
        "hostile": deck,
        "csv copy": csv_copy,
        "apkg copy": apkg_copy,
    }


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=REPLAY,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_random_walk_never_crashes(data: st.DataObject, monkeypatch: pytest.MonkeyPatch) -> None:
    failures: list[str] = []

    def record(self: QuizApp, error: BaseException, what: str) -> None:
        failures.append(f"{what}: {type(error).__name__}: {error}")

    monkeypatch.setattr(QuizApp, "report_failure", record)
    with tempfile.TemporaryDirectory() as temp:
        directory = Path(temp)
        (directory / "test-deck.yaml").write_text(DECK, encoding="utf-8")
        clock = FixedClock()
        service = open_study(
            database_url=f"sqlite:///{directory}/q.sqlite3", clock=clock, bundled=[]
        )
        try:
            service.import_file(directory / "test-deck.yaml")
            deck = fill_collection(service, directory)
            visited: set[str] = set()
            asyncio.run(_walk(make_app(service), data, _paths(directory, deck), visited))
            data.draw(st.just(sorted(visited)), label="screens visited")
            assert failures == []
            check_collection(service)
        finally:
            service.db.close()
