"""Stats, browse, import, help and the command palette."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, Select, Static

from quizdl.decks.model import Deck, MCQCard, QACard
from quizdl.exporters.csv_export import export_csv
from quizdl.study.service import StudyService
from quizdl.tui.app import QuizApp, make_app
from quizdl.tui.deck_file import card_line_of
from quizdl.tui.screens.browse import BrowseScreen, split_tag
from quizdl.tui.screens.card_detail import CardDetailScreen
from quizdl.tui.screens.help import HelpScreen
from quizdl.tui.screens.home import HomeScreen
from quizdl.tui.screens.import_deck import ImportScreen
from quizdl.tui.screens.stats import StatsScreen
from quizdl.tui.widgets.path_suggester import complete_path

from .support import DECK, settle


def static_text(app: QuizApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def test_stats_show_retention_and_streak(app: QuizApp, service: StudyService) -> None:
    service.answer(service.find_card("relu").pk, 5)
    service.answer(service.find_card("backprop").pk, 1)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)
        summary = static_text(app, "#stats-summary")
        assert "Today 2 reviews" in summary
        assert "Streak 1 day" in summary
        assert "retention 50%" in summary
        table = app.screen.query_one("#retention", DataTable)
        assert str(table.get_row_at(0)[0]) == "Test deck"
        assert table.get_row_at(0)[-1] == "50%"


def test_split_tag() -> None:
    assert split_tag("tag:cnn relu") == ("relu", "cnn")
    assert split_tag("relu") == ("relu", None)


async def open_browse(pilot: object, app: QuizApp) -> BrowseScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("b")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, BrowseScreen)
    return app.screen


def result_ids(screen: BrowseScreen) -> list[str]:
    table = screen.query_one("#results", DataTable)
    return [str(table.get_row_at(i)[4]).split("/")[-1] for i in range(table.row_count)]


async def test_browse_search_and_filters(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browse(pilot, app)
        assert len(result_ids(screen)) == 4
        await pilot.press("slash", *"softmax")  # "/" moves to the search box
        assert screen.query_one("#search", Input).value == "softmax"
        await pilot.pause(0.4)
        await settle(pilot)
        assert sorted(result_ids(screen)) == ["dense-cloze", "softmax-mcq"]
        screen.query_one("#type", Select).value = "mcq"
        await settle(pilot)
        assert result_ids(screen) == ["softmax-mcq"]
        screen.query_one("#search", Input).value = ""
        screen.query_one("#type", Select).clear()
        screen.query_one("#status", Select).value = "new"
        await pilot.pause(0.4)
        await settle(pilot)
        assert len(result_ids(screen)) == 4


async def test_browse_says_when_more_cards_match_than_it_lists(
    app: QuizApp, service: StudyService
) -> None:
    # The list holds 500 rows; with 604 cards it said "500 cards", and the
    # learner could not tell that another deck's cards were missing from it.
    questions = [
        QACard(type="qa", id=f"big-{i}", question=f"Question {i}?", answer=f"Answer {i}")
        for i in range(600)
    ]
    service.import_deck(Deck(id="big", title="Big deck", cards=tuple(questions)))
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browse(pilot, app)
        assert len(result_ids(screen)) == 500
        assert "first 500 shown, more match ·" in static_text(app, "#result-count")
        await pilot.resize_terminal(80, 24)  # the table is laid out again
        await settle(pilot)
        assert "first 500 shown, more match ·" in static_text(app, "#result-count")
        screen.query_one("#deck", Select).value = "test-deck"
        await settle(pilot)
        assert len(result_ids(screen)) == 4
        assert static_text(app, "#result-count").startswith("4 cards ·")


async def test_browse_open_card_and_unsuspend(app: QuizApp, service: StudyService) -> None:
    pk = service.find_card("relu").pk
    service.answer(pk, 4)
    service.set_suspended(pk, True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_browse(pilot, app)
        screen.query_one("#status", Select).value = "suspended"
        await settle(pilot)
        assert result_ids(screen) == ["relu"]
        screen.query_one("#results").focus()
        await pilot.press("enter")
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, CardDetailScreen)
        assert "suspended" in static_text(app, "#detail-line")
        history = detail.query_one("#history", DataTable)
        assert history.get_row_at(0)[1] == "4 good"
        await pilot.press("u")
        await settle(pilot)
        assert "review" in static_text(app, "#detail-line")
        await pilot.press("escape")
        await settle(pilot)
        assert result_ids(screen) == []  # no longer suspended
    assert not service.card(pk).suspended


def test_path_completion(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "mine.yaml").write_text("x")
    (tmp_path / "notes.txt").write_text("x")
    assert complete_path(f"{tmp_path}/de") == f"{tmp_path}/decks/"
    assert complete_path(f"{tmp_path}/decks/") == f"{tmp_path}/decks/mine.yaml"
    assert complete_path(f"{tmp_path}/zzz") is None


async def open_import(pilot: object, app: QuizApp) -> ImportScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("i")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, ImportScreen)
    return app.screen


async def preview_import(pilot: object, app: QuizApp, path: Path) -> str:
    """Open the import screen, validate ``path`` there; the report it shows."""
    screen = await open_import(pilot, app)
    screen.query_one("#path", Input).value = str(path)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    return static_text(app, "#import-report")


async def test_import_preview_then_confirm(
    app: QuizApp, service: StudyService, tmp_path: Path
) -> None:
    changed = DECK.replace("max(0, x): passes", "max(0, x) passes").replace(
        "  - id: dense-cloze",
        "  - id: gelu\n    type: concept\n    term: GELU\n"
        "    explanation: Gaussian error linear unit.\n  - id: dense-cloze-2",
    )
    path = tmp_path / "changed.yaml"
    path.write_text(changed, encoding="utf-8")
    async with app.run_test(size=(100, 30)) as pilot:
        report = await preview_import(pilot, app, path)
        assert "Update deck Test deck" in report
        # Cards are listed by what the learner will see, not by their ids.
        assert "2 new\n        · GELU\n        · layers.Dense(10" in report
        assert "1 updated\n        · ReLU" in report
        # A retired card is shown by its prompt too, read from the collection.
        assert "1 retired\n        · layers.Dense(10, activation=[…]) has […] units." in report
        assert [r.card_id for r in service.browse("gaussian")] == []  # nothing stored yet
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Imported Test deck" in static_text(app, "#import-report")
    assert [r.card_id for r in service.browse("gaussian")] == ["gelu"]
    assert service.browse("", status="retired")[0].card_id == "dense-cloze"


async def test_import_preview_lists_each_card_on_one_line(
    service: StudyService, tmp_path: Path
) -> None:
    # Prompts were clipped at 70 characters whatever the width: at 80 columns a
    # long one wrapped under the list's bullets, and emoji took two cells each.
    from rich.cells import cell_len

    questions = [
        "What is the value of a convolutional kernel applied to a 3×3 matrix of zeros?",
        "What is supervised machine learning, and how does it differ from the rest? 👶👶👶",
        "Short one?",
        *(f"What does question number {i} of this long list ask about, exactly?" for i in range(9)),
    ]
    path = tmp_path / "questions.md"
    path.write_text(
        "".join(f"**{question}**\n\nAn answer to it.\n\n" for question in questions),
        encoding="utf-8",
    )
    for width in (80, 160):  # a scroll bar at 80 x 24: the report is longer than the screen
        app = make_app(service)
        async with app.run_test(size=(width, 24)) as pilot:
            await preview_import(pilot, app, path)
            report = app.screen.query_one("#import-report", Static)
            listed = [
                line for line in str(report.render()).splitlines() if line.lstrip().startswith("·")
            ]
            assert len(listed) == 8
            assert all(cell_len(line) <= report.content_region.width for line in listed), listed
            assert any(line.endswith("Short one?") for line in listed)
            if width == 160:  # room enough: nothing is clipped
                assert not any(line.endswith("…") for line in listed)


async def test_import_preview_warns_when_another_file_would_replace_the_deck(
    app: QuizApp, service: StudyService, tmp_path: Path, deck_path: Path
) -> None:
    # Another file (another folder) with the deck's id and none of its cards.
    other = tmp_path / "elsewhere" / "deck.yaml"
    other.parent.mkdir()
    other.write_text(
        "id: test-deck\ntitle: Test deck [b]v2[/b]\ncards:\n"
        "  - {id: swish, type: concept, term: Swish, explanation: 'x * sigmoid(x) [/]'}\n",
        encoding="utf-8",
    )
    before = len(service.export_deck("test-deck")[0].cards)
    async with app.run_test(size=(100, 30)) as pilot:
        report = await preview_import(pilot, app, other)
        assert f"was imported from {deck_path.resolve()}" in report
        assert f"retires {before} of the deck's {before} cards" in report
        # The preview is the question: confirming imports it, as it says.
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Imported Test deck [b]v2[/b]" in static_text(app, "#import-report")
    assert [card.id for card in service.export_deck("test-deck")[0].cards] == ["swish"]


async def test_a_deck_exported_to_csv_previews_and_imports_back_unchanged(
    app: QuizApp, service: StudyService, tmp_path: Path
) -> None:
    # The test deck has a concept, key points, a multiple-choice card and a cloze:
    # from CSV they come back as the two sides it kept, which must not replace them.
    deck, _ = service.export_deck("test-deck")
    path = tmp_path / "copy.csv"  # the deck column, not the name, says which deck
    path.write_bytes(export_csv(deck))
    async with app.run_test(size=(100, 30)) as pilot:
        report = await preview_import(pilot, app, path)
        assert f"{len(deck.cards)} unchanged" in report and "0 updated" in report, report
        assert service.export_deck("test-deck")[0] == deck
        # A multiple-choice copy whose choices were deleted in a spreadsheet can only
        # come in as a question card: the preview says so before the confirm.
        mcq = next(card for card in deck.cards if isinstance(card, MCQCard))
        with path.open(newline="", encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        next(row for row in rows if row[0] == mcq.id)[2] = mcq.question
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
        app.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        report = static_text(app, "#import-report")
        assert "1 updated card(s) change kind (mcq → qa):\n        · Which activation" in report


async def test_import_errors_show_locations(app: QuizApp, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(DECK.replace("type: mcq", "type: mcq\n    colour: red"), encoding="utf-8")
    async with app.run_test(size=(100, 30)) as pilot:
        report = await preview_import(pilot, app, path)
        assert "Not importable" in report
        assert "bad.yaml:" in report and "colour" in report
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Not importable" in static_text(app, "#import-report")


async def test_help_lists_the_screen_keys(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_palette_lists_every_action(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Review all decks", "Challenges", "Statistics", "Browse cards"):
            assert wanted in titles
        assert "Import a deck" in titles and "Light/dark theme" in titles


async def test_theme_toggles(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.current_theme.dark
        await pilot.press("ctrl+t")
        assert not app.current_theme.dark


async def test_palette_runs_a_command(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"statistics")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, StatsScreen)


async def test_review_help_explains_the_digit_keys(app: QuizApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = app.screen.query_one("Markdown").source  # type: ignore[attr-defined]
        assert "digits choose" in text and "digits grade" in text
        assert "Undo" in text and "Suspend" in text


async def test_home_lists_leeches_and_opens_their_deck_file(
    app: QuizApp, service: StudyService, deck_path: Path
) -> None:
    from sqlalchemy import update

    from quizdl.store.models import CardStateRow

    pk = service.find_card("backprop").pk
    service.answer(pk, 4)
    with service.db.session() as session:  # as eight lapses would leave it
        session.execute(update(CardStateRow).where(CardStateRow.card_pk == pk).values(leech=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert "1 leech — l lists them" in static_text(app, "#today")
        await pilot.press("l")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, BrowseScreen)
        assert screen.query_one("#search", Input).value == "tag:leech"
        assert result_ids(screen) == ["backprop"]
        # From the list to the card, and from the card to its line in the deck
        # file, to rewrite it (no $EDITOR here: the notice says where).
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CardDetailScreen)
        await pilot.press("e")
        await pilot.pause()
        where = f"{deck_path}:{card_line_of(deck_path, 'backprop')}"
        assert card_line_of(deck_path, "backprop") > 1
        assert any(n.message == where for n in app._notifications)


async def test_home_shows_the_interview_plan(app: QuizApp, service: StudyService) -> None:
    from datetime import timedelta

    from .support import NOW

    service.set_plan(NOW.date() + timedelta(days=9))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert "Interview in 9 days — 0/4 ready" in static_text(app, "#today")


async def test_deck_file_of_an_anki_package_is_not_given_to_the_editor(
    tmp_path: Path, service: StudyService, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "e" handed the card's source to $EDITOR whatever it was: an Anki package
    # is a zip, which a text editor shows as noise and can break on save.
    import genanki

    from quizdl.importers import ImportOptions, read_source

    monkeypatch.setenv("EDITOR", "true")
    package = tmp_path / "anki.apkg"
    deck = genanki.Deck(2_059_400_110, "From Anki")
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["What is a tensor?", "An array"]))
    genanki.Package(deck).write_to_file(str(package))
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "What is an epoch of training?,One pass over the data\n"
        "What does a learning rate set?,The step size\n",
        encoding="utf-8",
    )
    for path in (package, sheet):
        source = read_source(path, ImportOptions())
        service.import_deck(source.deck, source_path=str(path))
    app = make_app(service)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for question, expected in (
            ("What is a tensor?", f"{package} is an Anki package, not a text file."),
            # A CSV card has no written id: the line holding its question.
            ("What does a learning rate set?", f"{sheet}:2"),
        ):
            pk = next(row.pk for row in service.browse(question))
            await app.push_screen(CardDetailScreen(pk))
            await settle(pilot)
            app.clear_notifications()
            await pilot.press("e")
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any(m.startswith(expected) for m in messages), messages
            await pilot.press("escape")
            await settle(pilot)


async def test_import_screen_updates_the_deck_a_file_made_under_another_id(
    app: QuizApp, service: StudyService, tmp_path: Path
) -> None:
    # The screen has no --deck: a list first imported with --deck mine was
    # previewed (and imported) as a new deck named after its title.
    from quizdl.importers import ImportOptions, read_source

    path = tmp_path / "questions.md"
    path.write_text("**What is a tensor?**\n\nAn array of numbers.\n", encoding="utf-8")
    source = read_source(path, ImportOptions(deck_id="mine"))
    service.import_deck(source.deck, source_path=str(path.resolve()), traits=source.traits)
    async with app.run_test(size=(100, 30)) as pilot:
        report = await preview_import(pilot, app, path)
        assert "Update deck" in report and "(mine)" in report, report
        assert "1 unchanged" in report


async def test_decks_with_one_title_are_told_apart(service: StudyService) -> None:
    # Two question banks both called "Questions" were two identical rows on home,
    # in the stats and in the plan dialog's list of decks to tick.
    from textual.widgets import SelectionList

    for deck_id in ("bank-a", "bank-b"):
        card = QACard(type="qa", id=f"{deck_id}-1", question="Why?", answer="Because.")
        service.import_deck(Deck(id=deck_id, title="Questions", cards=(card,)))
    app = make_app(service)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        home = app.screen.query_one("#decks", DataTable)
        titles = [str(home.get_row_at(row)[0]) for row in range(home.row_count)]
        assert {"bank-a · Questions", "bank-b · Questions", "Test deck"} <= set(titles)
        await pilot.press("p")
        await settle(pilot)
        ticks = app.screen.query_one(SelectionList)
        options = [str(ticks.get_option_at_index(i).prompt) for i in range(ticks.option_count)]
        assert "bank-a · Questions" in options and "bank-b · Questions" in options
        assert "Test deck" in options  # a title of its own stays as it is
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        stats = app.screen.query_one("#retention", DataTable)
        rows = [str(stats.get_row_at(row)[0]) for row in range(stats.row_count)]
        assert "bank-a · Questions" in rows and "bank-b · Questions" in rows
