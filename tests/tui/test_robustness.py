"""Regression tests for what crashed the app in a learner's hands (issue 9)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.exc import OperationalError
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from quizdl.study.factory import open_study
from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp, make_app
from quizdl.tui.screens.challenges import ChallengeListScreen
from quizdl.tui.screens.home import HomeScreen
from quizdl.tui.screens.review import ReviewScreen
from quizdl.tui.text import WORD_JOINER, markup_safe, printable

from .hostile import HOSTILE_STRINGS, fill_collection
from .support import fixed_clock, reviews_of, settle

HOSTILE_TITLE = "Weights [/] biases [@click=app.quit]x[/] ␛[31mCNN [draft]"


@pytest.fixture
def hostile(service: StudyService, tmp_path: Path) -> StudyService:
    fill_collection(service, tmp_path)
    return service


def cells(table: DataTable[Any], row: int) -> list[str]:
    return [str(cell) for cell in table.get_row_at(row)]


@settings(max_examples=500)
@given(st.text() | st.sampled_from(HOSTILE_STRINGS))
def test_any_text_survives_markup_escaping_unchanged(text: str) -> None:
    # Between our own tags, as the screens use it: a trailing backslash once
    # escaped the closing tag after it.
    markup = f"[b]{markup_safe(text)}[/b] [$success]{markup_safe(text)}[/] [i]end[/i]"
    shown = Content.from_markup(markup).plain.replace(WORD_JOINER, "")
    expected = printable(text).replace(WORD_JOINER, "")
    assert shown == f"{expected} {expected} end"


def test_a_trailing_backslash_does_not_escape_the_next_tag() -> None:
    path = "C:\\"
    content = Content.from_markup(f"[b]{markup_safe(path)}[/b] [$error]x[/]")
    assert content.plain.replace(WORD_JOINER, "") == "C:\\ x"
    assert "[/b]" not in content.plain


def test_control_characters_are_shown_not_obeyed() -> None:
    shown = printable("a\x1b[31mb\x07c\u202ed\x9b")
    assert shown == "a␛[31mb␇c\ufffdd\ufffd"
    assert printable("tabs\tand\nlines") == "tabs\tand\nlines"


async def test_hostile_titles_show_literally_on_home(hostile: StudyService) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        table = app.screen.query_one("#decks", DataTable)
        titles = [cells(table, row)[0] for row in range(table.row_count)]
        assert HOSTILE_TITLE in titles
        assert app.is_running


async def test_challenge_list_with_recorded_checks_opens_again_and_again(
    hostile: StudyService,
) -> None:
    # Defect 1: a recorded check put "[$success]✓ passed[/]" in a table cell.
    app = make_app(hostile)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for _ in range(3):
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, ChallengeListScreen)
            table = app.screen.query_one(DataTable)
            rows = {cells(table, row)[3]: cells(table, row) for row in range(table.row_count)}
            assert rows["A [b]tiny[/b] classifier [/]"][0] == "✓ passed"
            assert rows["[/] second"][0] == "not tried"  # given up, never checked
            await pilot.press("escape")
            await settle(pilot)


async def test_review_header_and_feedback_keep_brackets(hostile: StudyService) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.action_review("hostile")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        header = str(screen.query_one("#deck-line", Static).render())
        assert header == HOSTILE_TITLE
        await pilot.press(*"[/] [@click=app.quit]", "enter")
        await settle(pilot)
        assert app.is_running


async def test_a_long_deck_title_ends_in_an_ellipsis_before_the_counts(
    service: StudyService,
) -> None:
    # At 80 columns the title ran into the counts: "...convolutional neural2 new".
    from quizdl.decks.model import Deck, QACard

    title = "A very long deck title about convolutional neural networks and attention " * 3
    card = QACard(type="qa", id="c1", question="Why?", answer="Because.")
    service.import_deck(Deck(id="long", title=title, cards=(card,)))
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.action_review("long")
        await settle(pilot)
        line = app.screen.query_one("#deck-line", Static)
        counts = app.screen.query_one("#counts", Static)
        shown = line.render_line(0).text.rstrip()
        assert shown.endswith("…") and shown[:-1] in title, shown
        assert counts.render_line(0).text.strip().startswith("1 new")
        # Two columns at least between the title's end and the counts.
        assert line.region.x + len(shown) + 2 <= counts.content_region.x


async def test_a_failed_task_is_a_notice_and_the_screen_stays_usable(
    app: QuizApp, service: StudyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_answer = service.answer
    calls = {"n": 0}

    def flaky(pk: int, quality: int, answer_seconds: float = 0.0, study_more: Any = None) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OperationalError("UPDATE", {}, Exception("database or disk is full"))
        return real_answer(pk, quality, answer_seconds, study_more)

    monkeypatch.setattr(service, "answer", flaky)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("space", "5")
        await settle(pilot)
        assert app.is_running
        notices = [n for n in app._notifications if n.severity == "error"]
        assert len(notices) == 1
        message = notices[0].message
        assert "free some disk space" in message and "quizdl.log" in message
        assert "\n" not in message
        log = Path(message.rsplit("Details: ", 1)[1])
        assert "Traceback" in log.read_text(encoding="utf-8")
        # The same card, still gradable: nothing was lost, nothing half-done.
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and not screen.busy
        await pilot.press("5")
        await settle(pilot)
    assert len(reviews_of(service, "relu")) == 1


async def test_an_unhandled_error_exits_1_with_one_line(
    app: QuizApp,
    monkeypatch: pytest.MonkeyPatch,
    quizdl_home: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def broken(self: QuizApp) -> None:
        raise RuntimeError("the stats broke\nsecond line")

    monkeypatch.setattr(QuizApp, "action_stats", broken)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("s")
            await settle(pilot)
    assert app.return_code == 1
    said = app.fatal_line or ""
    assert "Traceback" not in capsys.readouterr().err
    assert len(said.splitlines()) == 1, said
    assert said.startswith("quizdl: RuntimeError: the stats broke second line (details in")
    assert (quizdl_home / "quizdl.log").exists()


async def test_read_only_collection_says_so_and_keeps_grades_off(
    tmp_path: Path, deck_path: Path
) -> None:
    url = f"sqlite:///{tmp_path}/ro.sqlite3"
    writer = open_study(database_url=url, clock=fixed_clock, bundled=[])
    writer.import_file(deck_path)
    writer.db.close()
    reason = "another quizdl (pid 4242 on host, since 09:00 UTC) has this collection open"
    reader = open_study(database_url=url, clock=fixed_clock, bundled=[], read_only=reason)
    app = make_app(reader)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            banners = [n.message for n in app._notifications]
            assert any(reason in message for message in banners)
            await pilot.press("a")
            await settle(pilot)
            await pilot.press("space", "5")
            await settle(pilot)
            assert app.is_running
            assert any("Answers cannot be saved" in n.message for n in app._notifications)
        assert reviews_of(reader, "relu") == []
    finally:
        reader.db.close()


async def test_palette_offers_screen_commands_while_typing(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen) and isinstance(screen.focused, Input)
        titles = [command.title for command in app.get_system_commands(screen)]
        assert "Suspend" in titles and "Deck file" in titles
        assert not any("cursor" in title.lower() or "delete" in title.lower() for title in titles)


async def test_summary_offers_no_card_keys(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        assert screen.check_action("suspend", ()) is True
        # relu, backprop, the MCQ, the cloze: each answered with a 5.
        for keys in (("space", "5"), ("space", "5"), ("2", "5"), ("enter", "enter", "5")):
            await pilot.press(*keys)
            await settle(pilot)
        assert screen.phase == "done"
        titles = [command.title for command in app.get_system_commands(screen)]
        assert "Suspend" not in titles and "Deck file" not in titles


async def test_theme_is_remembered_across_starts(service: StudyService) -> None:
    first = make_app(service, housekeeping=True)
    async with first.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert first.theme == "textual-dark"
        await pilot.press("ctrl+t")
    second = make_app(service, housekeeping=True)
    async with second.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert second.theme == "textual-light"


@pytest.mark.parametrize("width", [70, 80, 160])
async def test_browse_and_stats_columns_fit_the_screen(hostile: StudyService, width: int) -> None:
    app = make_app(hostile)
    async with app.run_test(size=(width, 30)) as pilot:
        await settle(pilot)
        for key in ("b", "s", "c"):
            await pilot.press(key)
            await settle(pilot)
            table = app.screen.query_one(DataTable)
            used = sum(column.get_render_width(table) for column in table.columns.values())
            assert used <= width - 2, (key, used)
            assert table.row_count > 0
            await pilot.press("escape", "escape")
            await settle(pilot)
