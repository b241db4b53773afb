"""Two files that share a deck id: the second must not quietly replace the first.

A deck's id comes from its source's name, so an Anki package and a Markdown
list of the same chapter (``04_mnist_basics.apkg`` / ``04_mnist_basics.md``)
land on one id. Importing the second used to retire every card of the first
(a note said so after the fact); now the command line refuses it unless told
``--replace``, while a new version of the same file, or the same file moved
with a few cards changed, still updates the deck.
"""

from __future__ import annotations

import json
from pathlib import Path

from importers.conftest import Run

from quizdl.study.service import StudyService


def _csv(directory: Path, rows: list[tuple[str, str]], name: str = "chapter.csv") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    lines = "".join(f'"{front}","{back}"\n' for front, back in rows)
    path.write_text("front,back\n" + lines, encoding="utf-8")
    return path


ANKI_VERSION = [(f"What does layer {i} compute?", f"Answer {i}") for i in range(4)]
MARKDOWN_VERSION = [(f"Explain idea {i}.", f"Because {i}") for i in range(4)]


def _active_questions(study: StudyService, deck_id: str = "chapter") -> list[str]:
    deck, _ = study.export_deck(deck_id)
    return sorted(getattr(card, "question", "") for card in deck.cards)


def test_another_file_with_the_same_deck_id_is_refused_and_nothing_changes(
    tmp_path: Path, run: Run, study: StudyService
) -> None:
    first = _csv(tmp_path / "anki", ANKI_VERSION)
    other = _csv(tmp_path / "markdown", MARKDOWN_VERSION)
    assert run("import", str(first)).exit_code == 0
    study.answer(study.find_card(study.export_deck("chapter")[0].cards[0].id, "chapter").pk, 4)

    refused = run("import", str(other))
    assert refused.exit_code != 0
    message = refused.stderr
    assert f"was imported from {first.resolve()}" in message
    assert "would retire 4 of its 4 cards" in message
    assert "--replace" in message and "--deck ID" in message
    assert "Traceback" not in message
    # Nothing was written: the first file's cards are all still studied.
    assert _active_questions(study) == sorted(q for q, _ in ANKI_VERSION)

    dry = run("import", str(other), "--dry-run", "--json")
    assert dry.exit_code == 0
    assert json.loads(dry.stdout)["other_source"] == str(first.resolve())
    assert "needs --replace" in run("import", str(other), "--dry-run").stdout


def test_replace_lets_the_other_file_take_the_deck_and_keeps_the_old_history(
    tmp_path: Path, run: Run, study: StudyService
) -> None:
    first = _csv(tmp_path / "anki", ANKI_VERSION)
    other = _csv(tmp_path / "markdown", MARKDOWN_VERSION)
    run("import", str(first))
    old_card = study.export_deck("chapter")[0].cards[0].id
    study.answer(study.find_card(old_card, "chapter").pk, 4)

    replaced = run("import", str(other), "--replace")
    assert replaced.exit_code == 0
    assert "4 new, 0 updated, 4 retired" in replaced.stdout
    assert _active_questions(study) == sorted(q for q, _ in MARKDOWN_VERSION)
    # The first file brings its cards back, with the answer given before.
    back = run("import", str(first), "--replace")
    assert "4 restored" in back.stdout
    assert len(study.card_detail(study.find_card(old_card, "chapter").pk).history) == 1


def test_a_new_version_or_a_moved_file_still_updates_the_deck(
    tmp_path: Path, run: Run, study: StudyService
) -> None:
    first = _csv(tmp_path / "v1", ANKI_VERSION)
    assert run("import", str(first)).exit_code == 0
    # The same file, edited in place: one card dropped, one added.
    _csv(tmp_path / "v1", [*ANKI_VERSION[1:], ("A new question?", "Yes")])
    again = run("import", str(first))
    assert again.exit_code == 0 and "1 new, 0 updated, 1 retired" in again.stdout
    # The file moved to another folder and lost one more card: a new version, not
    # another deck (one of four retired), so no --replace is needed.
    moved = _csv(tmp_path / "moved", [*ANKI_VERSION[2:], ("A new question?", "Yes")])
    result = run("import", str(moved))
    assert result.exit_code == 0 and "0 new, 0 updated, 1 retired" in result.stdout


def _imported_decks(study: StudyService) -> list[str]:
    return sorted(deck.id for deck in study.deck_summaries() if deck.origin == "imported")


def test_a_file_that_does_not_name_its_deck_goes_back_into_the_deck_it_made(
    tmp_path: Path, run: Run, study: StudyService
) -> None:
    # Imported with --deck and then again without it (as the import screen does,
    # having no --deck), a Markdown list or CSV file made a second deck of the
    # same cards under the id made from its title.
    path = _csv(tmp_path, ANKI_VERSION)
    assert run("import", str(path), "--deck", "mine").exit_code == 0
    study.answer(study.find_card(study.export_deck("mine")[0].cards[0].id, "mine").pk, 4)
    again = run("import", str(path))
    assert again.exit_code == 0
    assert "Imported 'mine': 0 new, 0 updated, 0 retired, 0 restored, 4 unchanged." in again.stdout
    assert "for deck 'mine'" in again.stdout
    assert _imported_decks(study) == ["mine"]
    # Made into a second deck on purpose, the file goes back into the last one.
    assert run("import", str(path), "--deck", "copy").exit_code == 0
    assert "Imported 'copy'" in run("import", str(path)).stdout
    # Another file with the same title is not the same file: its own deck.
    moved = _csv(tmp_path / "elsewhere", ANKI_VERSION)
    assert "Imported 'chapter': 4 new" in run("import", str(moved)).stdout
    assert _imported_decks(study) == ["chapter", "copy", "mine"]
