"""The review screen shows a card's images and names its sounds; ``o`` opens them."""

from __future__ import annotations

import importlib
import io
from pathlib import Path

import pytest
from helpers import FixedClock
from textual.widgets import Static

from quizdl.media import store, stored_name
from quizdl.study.factory import open_study
from quizdl.tui.app import make_app
from quizdl.tui.screens.review import ReviewScreen
from quizdl.tui.widgets.card_image import CardMedia


def _png(width: int = 4, height: int = 3) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG = _png()
OGG = b"OggS" + bytes(16)


def _deck(tmp_path: Path) -> Path:
    image, sound = stored_name(PNG, "curve.png"), stored_name(OGG, "say.ogg")
    path = tmp_path / "media-deck.yaml"
    path.write_text(
        f"""\
id: media-deck
title: Media deck
cards:
  - id: curve
    type: qa
    question: "Which curve? [🔊 say.ogg](media:{sound})"
    answer: "![curve.png](media:{image})"
""",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def media_home(home: Path, tmp_path: Path) -> Path:
    store({str(stored_name(PNG, "curve.png")): PNG, str(stored_name(OGG, "say.ogg")): OGG})
    return _deck(tmp_path)


def _lines(media: CardMedia) -> list[str]:
    return [str(widget.render()) for widget in media.query(Static)]


async def test_images_and_sounds_show_and_o_says_when_there_is_no_viewer(
    media_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("quizdl.media.shutil.which", lambda name: None)
    monkeypatch.setattr("quizdl.media.sys.platform", "linux")
    service = open_study(bundled=[], clock=FixedClock())
    service.import_file(media_home)
    app = make_app(service)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.push_screen(ReviewScreen("media-deck"))
            for _ in range(5):
                await app.workers.wait_for_complete()
                await pilot.pause()
            question = app.screen.query_one("#question-media", CardMedia)
            assert _lines(question) == ["🔊 say.ogg · o plays it"]
            answer = app.screen.query_one("#answer-media", CardMedia)
            assert not answer.display
            await pilot.press("escape")  # leave the answer box
            await pilot.press("enter")
            await pilot.pause()
            assert answer.display and answer.refs[0].label == "curve.png"
            await pilot.press("o")
            await pilot.pause()
            notices = [str(n.message) for n in app._notifications]
            assert any("no system viewer found (xdg-open is not installed)" in n for n in notices)
    finally:
        service.db.close()


async def test_with_terminal_graphics_the_image_is_drawn(
    media_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What prepare_terminal_graphics does before the app starts (off a terminal, as here,
    # textual-image asks nothing and draws with Unicode characters).
    image_module = importlib.import_module("textual_image.widget")
    opened: list[list[str]] = []
    monkeypatch.setattr("quizdl.media.shutil.which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr("quizdl.media.sys.platform", "linux")
    monkeypatch.setattr(
        "quizdl.media.subprocess.Popen", lambda args, **kwargs: opened.append(list(args))
    )
    service = open_study(bundled=[], clock=FixedClock())
    service.import_file(media_home)
    app = make_app(service)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.push_screen(ReviewScreen("media-deck"))
            for _ in range(5):
                await app.workers.wait_for_complete()
                await pilot.pause()
            await pilot.press("escape", "enter")
            await pilot.pause()
            answer = app.screen.query_one("#answer-media", CardMedia)
            assert len(answer.query(image_module.Image)) == 1
            await pilot.press("o")
            await pilot.pause()
            assert [Path(args[1]).name for args in opened] == [
                stored_name(OGG, "say.ogg"),
                stored_name(PNG, "curve.png"),
            ]
            assert all(args[0] == "/usr/bin/xdg-open" for args in opened)
    finally:
        service.db.close()


async def test_a_damaged_image_is_named_not_drawn_and_the_app_survives(
    home: Path, tmp_path: Path
) -> None:
    importlib.import_module("textual_image.widget")
    broken = PNG[:40] + bytes(20)
    name = str(stored_name(broken, "broken.png"))
    store({name: broken})
    deck = tmp_path / "broken.yaml"
    deck.write_text(
        f"id: broken\ntitle: B\ncards:\n  - id: b\n    type: qa\n"
        f'    question: "![broken.png](media:{name})"\n    answer: x\n',
        encoding="utf-8",
    )
    service = open_study(bundled=[], clock=FixedClock())
    service.import_file(deck)
    app = make_app(service)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.push_screen(ReviewScreen("broken"))
            for _ in range(5):
                await app.workers.wait_for_complete()
                await pilot.pause()
            question = app.screen.query_one("#question-media", CardMedia)
            assert _lines(question) == ["🖼 broken.png (cannot be drawn) · o opens it"]
            assert app.is_running
    finally:
        service.db.close()


async def test_clicking_a_media_link_opens_the_file_and_web_links_open_a_browser(
    media_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.widgets import Markdown

    opened: list[list[str]] = []
    monkeypatch.setattr("quizdl.media.shutil.which", lambda name: "/usr/bin/" + name)
    monkeypatch.setattr("quizdl.media.sys.platform", "linux")
    monkeypatch.setattr(
        "quizdl.media.subprocess.Popen", lambda args, **kwargs: opened.append(list(args))
    )
    service = open_study(bundled=[], clock=FixedClock())
    service.import_file(media_home)
    app = make_app(service)
    browsed: list[str] = []
    monkeypatch.setattr(app, "open_url", lambda url, **kwargs: browsed.append(url))
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await app.push_screen(ReviewScreen("media-deck"))
            for _ in range(5):
                await app.workers.wait_for_complete()
                await pilot.pause()
            question = app.screen.query_one("#question", Markdown)
            sound = stored_name(OGG, "say.ogg")
            question.post_message(Markdown.LinkClicked(question, f"media:{sound}"))
            question.post_message(Markdown.LinkClicked(question, "https://example.org/x"))
            await pilot.pause()
            assert [Path(args[1]).name for args in opened] == [sound]
            assert browsed == ["https://example.org/x"]
    finally:
        service.db.close()
