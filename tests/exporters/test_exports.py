"""Exports: lossless YAML/JSON round trips (with progress), CSV, and .apkg files Anki reads."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from exporters.copies import copy_of, run, stored_deck
from helpers import FixedClock, write_deck

from quizdl.decks.loader import load_deck, parse_deck
from quizdl.exporters import export_deck
from quizdl.importers import ImportOptions, read_source
from quizdl.study.factory import open_study


@pytest.fixture
def imported(home: Path, tmp_path: Path) -> Path:
    """The small test deck imported, with one card reviewed and one suspended."""
    deck = write_deck(tmp_path)
    service = open_study(bundled=[], clock=FixedClock())
    service.import_file(deck)
    pks = service.card_pks(["dropout", "pool"])
    service.answer(pks["dropout"], 5)
    service.set_suspended(pks["pool"], True)
    service.db.close()
    return deck


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_export_then_import_changes_nothing(imported: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"small.{fmt}"
    result = run("export", "small", "-o", str(out))
    assert result.exit_code == 0 and f"as {fmt}" in result.stderr
    again = run("import", str(out), "--dry-run")
    assert "0 new, 0 updated, 0 retired, 0 restored, 4 unchanged" in again.stdout


@pytest.mark.parametrize("fmt", ["yaml", "json"])
def test_progress_backup_restores_the_schedule(imported: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"backup.{fmt}"
    assert run("export", "small", "--format", fmt, "--with-progress", "-o", str(out)).exit_code == 0
    source = read_source(out, ImportOptions(with_progress=True))
    assert source.progress is not None
    dropout = source.progress["dropout"]
    assert (dropout.state.repetitions, dropout.state.interval) == (1, 1)
    assert dropout.state.due == date(2026, 11, 28) and dropout.state.easiness == 2.6
    assert source.progress["pool"].suspended
    result = run("import", str(out), "--deck", "restored", "--with-progress")
    assert "carried over for 4 new card(s)" in result.stdout
    service = open_study(bundled=[])
    _, progress = service.export_deck("restored")
    service.db.close()
    assert progress == source.progress


def test_yaml_export_is_the_deck_format(imported: Path) -> None:
    text = run("export", "small").stdout
    assert parse_deck(text, "export") == load_deck(imported)
    assert "progress" not in yaml.safe_load(text)
    assert "text: keras.layers.MaxPooling2D({{2,2}})" in text


def test_bundled_decks_round_trip_losslessly(tmp_path: Path) -> None:
    for path in sorted(Path("decks").glob("*.yaml")):
        deck = load_deck(path)
        for fmt in ("yaml", "json"):
            out = tmp_path / f"{deck.id}.{fmt}"
            out.write_bytes(export_deck(deck, fmt))  # type: ignore[arg-type]
            assert read_source(out, ImportOptions()).deck == deck


def test_csv_export_reads_back_with_the_same_ids(imported: Path, tmp_path: Path) -> None:
    out = tmp_path / "my copy.csv"
    run("export", "small", "--format", "csv", "-o", str(out))
    rows = out.read_text(encoding="utf-8").splitlines()
    assert rows[0] == "id,type,front,back,tags,deck"
    source = read_source(out, ImportOptions())
    assert source.deck.id == "small"  # from its deck column, not the file's name
    assert [card.id for card in source.deck.cards] == ["relu", "dropout", "softmax-output", "pool"]
    assert "keras.layers.MaxPooling2D([…])" in out.read_text(encoding="utf-8")


def _guids(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    try:
        db.deserialize(data)
        return {
            flds.split("\x1f")[-1]: guid
            for guid, flds in db.execute("SELECT guid, flds FROM notes")
        }
    finally:
        db.close()


def test_apkg_has_stable_guids_and_reads_back(imported: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.apkg", tmp_path / "b.apkg"
    assert run("export", "small", "--format", "apkg", "-o", str(first)).exit_code == 0
    run("export", "small", "-o", str(second))
    assert _guids(first) == _guids(second)
    assert set(_guids(first)) == {"relu", "dropout", "softmax-output", "pool"}
    source = read_source(first, ImportOptions())
    cards = {card.id: card for card in source.deck.cards}
    assert set(cards) == {"relu", "dropout", "softmax-output", "pool"}
    assert cards["pool"].type == "cloze" and cards["dropout"].type == "qa"
    assert cards["dropout"].answer == "Randomly zeroing activations during training."  # type: ignore[union-attr]
    assert source.deck.title == "Small deck"


def test_apkg_opens_in_anki(imported: Path, tmp_path: Path) -> None:
    """Anki's own library (a dev dependency, so CI runs this too) imports it."""
    from anki import collection

    out = tmp_path / "small.apkg"
    run("export", "small", "-o", str(out))
    (tmp_path / "anki").mkdir()
    col = collection.Collection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        options = collection.ImportAnkiPackageOptions(update_notes=1)
        for _ in range(2):  # a re-import updates, never duplicates
            request = collection.ImportAnkiPackageRequest(package_path=str(out), options=options)
            col.import_anki_package(request)
        assert col.note_count() == 4
        assert col.card_count() == 4
    finally:
        col.close()


def test_export_errors_exit_2(imported: Path, tmp_path: Path) -> None:
    missing = run("export", "nope")
    assert missing.exit_code == 2 and "no deck with id 'nope'" in missing.stderr
    csv_progress = run("export", "small", "--format", "csv", "--with-progress")
    assert csv_progress.exit_code == 2 and "--with-progress" in csv_progress.stderr
    unwritable = run("export", "small", "-o", str(tmp_path / "no" / "dir" / "x.yaml"))
    assert unwritable.exit_code == 2 and "cannot write" in unwritable.stderr
    assert not list((tmp_path).glob(".x.yaml*"))


def test_json_export_shape(imported: Path) -> None:
    data = json.loads(run("export", "small", "--format", "json", "--with-progress").stdout)
    assert data["format"] == "quizdl" and data["format_version"] == 1
    assert data["deck"]["id"] == "small" and len(data["deck"]["cards"]) == 4
    assert data["progress"]["relu"] == {
        "easiness": 2.5,
        "repetitions": 0,
        "interval": 0,
        "due": None,
        "lapses": 0,
        "suspended": False,
    }


def test_csv_tags_with_spaces_survive_a_round_trip(home: Path, tmp_path: Path) -> None:
    deck = tmp_path / "tagged.yaml"
    deck.write_text(
        "id: tagged\ntitle: T\ncards:\n  - id: a\n    type: qa\n    question: Q?\n"
        "    answer: A\n    tags: [deep learning, cnn]\n",
        encoding="utf-8",
    )
    out = copy_of(deck, "tagged", tmp_path / "tagged.csv")
    (card,) = read_source(out, ImportOptions()).deck.cards
    assert card.tags == ("deep_learning", "cnn")
    # Imported back over the deck, the tag keeps its spelling: nothing changed.
    again = run("import", str(out), "--deck", "tagged")
    assert "0 updated" in again.stdout and "1 unchanged" in again.stdout
    (stored,) = stored_deck("tagged").cards
    assert stored.tags == ("deep learning", "cnn")
