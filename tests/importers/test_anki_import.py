"""Anki packages: legacy, 2.1.28+ and schema-18 collections, note types, progress, hostile files."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import date
from pathlib import Path

import genanki
import pytest
from importers.anki_builders import (
    BASIC,
    CLOZE,
    CRT,
    CUSTOM,
    REVERSED,
    TYPE_IN,
    Card,
    Note,
    Spec,
    dummy_legacy_collection,
    legacy_collection,
    legacy_package,
    modern_collection,
    modern_package,
    write_zip,
    zstd_stream,
)
from importers.conftest import Run

from quizdl.decks.errors import DeckError
from quizdl.decks.model import ClozeCard, QACard
from quizdl.importers import ImportOptions, read_source
from quizdl.media import stored_name
from quizdl.scheduling.sm2 import SM2State
from quizdl.study.service import StudyService


def _spec() -> Spec:
    return Spec(
        [BASIC, REVERSED, CLOZE, TYPE_IN, CUSTOM],
        {1: "Default", 10: "DL::CNN", 11: "DL::RNN::LSTM"},
        [
            Note(100, "g#1", 1, ["What is a <b>kernel</b>?", "A small weight matrix"]),
            Note(101, "g:2", 2, ["ReLU", "max(0,&nbsp;x)"], "activations"),
            Note(
                102,
                "g3",
                3,
                ["{{c1::Dropout}} zeroes {{c2::activations::what?}} at random", "see §7"],
            ),
            Note(103, "g4", 4, ["Optimizer with momentum and RMS scaling?", "Adam"]),
            Note(104, "g5", 5, ["Goodfellow p.12", "epoch", "one pass over the data"]),
        ],
        [
            Card(1, 100, 10),
            Card(2, 101, 11, 0, type=2, queue=2, due=30, ivl=10, factor=2300, reps=7, lapses=1),
            Card(3, 101, 11, 1),
            Card(4, 102, 10, 0),
            Card(5, 102, 10, 1, type=2, queue=-1, due=3, ivl=3, factor=2500, reps=2),
            Card(6, 103, 10),
            Card(7, 104, 11),
        ],
    )


@pytest.mark.parametrize("build", [legacy_package, modern_package], ids=["anki2", "anki21b"])
def test_note_types_become_qa_and_cloze_cards(tmp_path: Path, build: object) -> None:
    path = build(tmp_path / "dl.apkg", _spec())  # type: ignore[operator]
    source = read_source(path, ImportOptions())
    cards = {card.id: card for card in source.deck.cards}
    assert source.deck.id == "dl" and source.deck.title == "DL"
    kernel = cards["anki-" + b"g#1".hex()]
    assert isinstance(kernel, QACard)
    assert (kernel.question, kernel.answer, kernel.key_points) == (
        "What is a **kernel**?",
        "A small weight matrix",
        (),
    )
    relu = cards["anki-" + b"g:2".hex()]
    reverse = cards["anki-" + b"g:2".hex() + "-r"]
    assert isinstance(relu, QACard) and isinstance(reverse, QACard)
    assert (relu.question, relu.answer) == ("ReLU", "max(0, x)")
    assert (reverse.question, reverse.answer) == ("max(0, x)", "ReLU")
    assert relu.tags == ("activations", "RNN::LSTM")
    c1, c2 = cards["anki-" + b"g3".hex() + "-c1"], cards["anki-" + b"g3".hex() + "-c2"]
    assert isinstance(c1, ClozeCard) and isinstance(c2, ClozeCard)
    assert c1.text == "{{Dropout}} zeroes activations at random" and c1.hint is None
    assert c2.text == "Dropout zeroes {{activations}} at random" and c2.hint == "what?"
    typed = cards["anki-" + b"g4".hex()]
    assert isinstance(typed, QACard) and typed.answer == "Adam"
    custom = cards["anki-" + b"g5".hex()]
    assert isinstance(custom, QACard)
    assert (custom.question, custom.answer) == (
        "epoch",
        "one pass over the data\n\nGoodfellow p.12",
    )
    assert any("cloze note(s) have extra fields" in note for note in source.notes)
    assert source.progress is None


@pytest.mark.parametrize("name", ["m.apkg", "collection.colpkg", "no-extension"])
def test_modern_package_reads_the_anki21b_not_the_dummy(tmp_path: Path, name: str) -> None:
    source = read_source(modern_package(tmp_path / name, _spec()), ImportOptions())
    assert "collection.anki21b" in source.notes[0]
    assert not any("update" in getattr(c, "question", "").lower() for c in source.deck.cards)


def test_anki21_beside_a_dummy_anki2_is_preferred(tmp_path: Path) -> None:
    path = legacy_package(tmp_path / "p.apkg", _spec(), member="collection.anki21")
    source = read_source(path, ImportOptions())
    assert "collection.anki21 " in source.notes[0] + " "
    assert len(source.deck.cards) == 7


def test_bare_collection_files_import_too(tmp_path: Path) -> None:
    legacy = tmp_path / "collection.anki2"
    legacy.write_bytes(legacy_collection(_spec()))
    modern = tmp_path / "collection.anki21b"
    import zstandard

    modern.write_bytes(zstandard.ZstdCompressor().compress(modern_collection(_spec())))
    assert len(read_source(legacy, ImportOptions()).deck.cards) == 7
    assert len(read_source(modern, ImportOptions()).deck.cards) == 7


def test_progress_maps_anki_scheduling_to_sm2(tmp_path: Path) -> None:
    spec = _spec()
    # col.crt is 2023-11-14 (UTC): review dues count days from it, learning dues are Unix times.
    spec.notes.append(Note(105, "g6", 1, ["Learning card?", "yes"]))
    spec.cards.append(Card(8, 105, 10, 0, type=1, queue=1, due=CRT + 2 * 86_400))
    spec.notes.append(Note(106, "g7", 1, ["Relearning card?", "yes"]))
    spec.cards.append(Card(9, 106, 10, 0, type=3, queue=3, due=40, ivl=4, factor=1200, lapses=2))
    path = modern_package(tmp_path / "p.apkg", spec)
    source = read_source(path, ImportOptions(with_progress=True))
    assert source.progress is not None
    review = source.progress["anki-" + b"g:2".hex()]
    assert review.state == SM2State(2.3, 6, 10, date(2023, 12, 14))
    assert (review.lapses, review.suspended) == (1, False)
    suspended = source.progress["anki-" + b"g3".hex() + "-c2"]
    assert suspended.suspended and suspended.state == SM2State(2.5, 2, 3, date(2023, 11, 17))
    learning = source.progress["anki-" + b"g6".hex()]
    assert learning.state == SM2State(2.5, 0, 1, date(2023, 11, 16))
    relearning = source.progress["anki-" + b"g7".hex()]
    # Anki's ease can sit below SM-2's floor of 1.3: it is raised to the floor.
    assert relearning.state == SM2State(1.3, 0, 1, date(2023, 12, 24))
    assert relearning.lapses == 2
    assert "anki-" + b"g#1".hex() not in source.progress  # new cards stay new


def test_cli_with_progress_keeps_the_schedule(
    tmp_path: Path, run: Run, study: StudyService
) -> None:
    path = modern_package(tmp_path / "deck.apkg", _spec())
    result = run("import", str(path), "--with-progress")
    assert result.exit_code == 0, result.output
    assert "7 new" in result.stdout and "carried over for 2 new card(s)" in result.stdout
    _, progress = study.export_deck("dl")
    assert progress["anki-" + b"g:2".hex()].state.due == date(2023, 12, 14)
    assert progress["anki-" + b"g3".hex() + "-c2"].suspended
    assert progress["anki-" + b"g#1".hex()].state.due is None


def test_without_progress_cards_come_in_new(tmp_path: Path, run: Run, study: StudyService) -> None:
    run("import", str(modern_package(tmp_path / "deck.apkg", _spec())))
    _, progress = study.export_deck("dl")
    assert all(p.state.due is None and not p.suspended for p in progress.values())


def test_reimport_updates_by_guid_and_never_duplicates(tmp_path: Path, run: Run) -> None:
    path = legacy_package(tmp_path / "deck.apkg", _spec())
    assert "7 new" in run("import", str(path)).stdout
    again = run("import", str(path))
    assert "0 new, 0 updated, 0 retired, 0 restored, 7 unchanged" in again.stdout
    spec = _spec()
    spec.notes[0].fields[1] = "A small learned filter"
    spec.notes.pop(4)
    spec.cards.pop()
    changed = run("import", str(legacy_package(tmp_path / "deck.apkg", spec)), "--dry-run")
    assert "0 new, 1 updated, 1 retired" in changed.stdout and "dry run" in changed.stdout


def test_genanki_packages_of_every_builtin_type(tmp_path: Path) -> None:
    deck = genanki.Deck(2059400110, "Parent::Child")
    deck.add_note(genanki.Note(genanki.BASIC_MODEL, ["Q1", "A1"], guid="basic"))
    deck.add_note(genanki.Note(genanki.BASIC_AND_REVERSED_CARD_MODEL, ["Q2", "A2"], guid="rev"))
    deck.add_note(
        genanki.Note(genanki.BASIC_OPTIONAL_REVERSED_CARD_MODEL, ["Q3", "A3", "y"], guid="opt")
    )
    deck.add_note(
        genanki.Note(genanki.BASIC_OPTIONAL_REVERSED_CARD_MODEL, ["Q4", "A4", ""], guid="one")
    )
    deck.add_note(genanki.Note(genanki.BASIC_TYPE_IN_THE_ANSWER_MODEL, ["Q5", "A5"], guid="type"))
    deck.add_note(
        genanki.Note(genanki.CLOZE_MODEL, ["{{c1::a}} {{c2::b}} {{c3::c}}", ""], guid="cz")
    )
    path = tmp_path / "g.apkg"
    genanki.Package(deck).write_to_file(str(path))
    source = read_source(path, ImportOptions())
    ids = [card.id for card in source.deck.cards]
    hexed = {
        name: "anki-" + name.encode().hex() for name in ("basic", "rev", "opt", "one", "type", "cz")
    }
    assert ids == [
        hexed["basic"],
        hexed["rev"],
        hexed["rev"] + "-r",
        hexed["opt"],
        hexed["opt"] + "-r",
        hexed["one"],
        hexed["type"],
        hexed["cz"] + "-c1",
        hexed["cz"] + "-c2",
        hexed["cz"] + "-c3",
    ]
    assert source.deck.title == "Parent::Child" and source.deck.id == "parent-child"


def test_field_html_becomes_markdown(tmp_path: Path) -> None:
    html = (
        "<div>Steps:</div><ol><li>forward</li><li>backward</li></ol>"
        '<pre><code class="language-python">for x in data:\n    step(x)</code></pre>'
        "Loss \\(L = -\\log p\\) and [$]\\sigma(x)[/$] &amp; more&nbsp;here"
        '<img src="local.png"><img src="https://example.org/a.png" alt="fig">[sound:a.mp3]'
    )
    spec = Spec([BASIC], {1: "Default"}, [Note(1, "h", 1, ["Q?", html])], [Card(1, 1, 1)])
    source = read_source(
        legacy_package(tmp_path / "h.apkg", spec, {"local.png": b"png"}), ImportOptions()
    )
    card = source.deck.cards[0]
    assert isinstance(card, QACard)
    assert card.answer == (
        "Steps:\n1. forward\n2. backward\n\n"
        "```python\nfor x in data:\n    step(x)\n```\n\n"
        "Loss $L = -\\log p$ and $\\sigma(x)$ & more here"
        f"![local.png](media:{stored_name(b'png', 'local.png')})"
        "![fig](https://example.org/a.png)[sound: a.mp3 (not in the package)]"
    )
    assert (source.media.images, source.media.sounds, source.media.remote_links) == (0, 1, 1)
    assert source.media.package_files == 1
    assert source.media.files == {stored_name(b"png", "local.png"): b"png"}
    assert source.deck.id == "h"  # the file name, since the only deck is "Default"


def test_a_side_that_is_only_missing_media_is_skipped_with_a_reason(tmp_path: Path) -> None:
    spec = Spec(
        [BASIC],
        {1: "Default"},
        [
            Note(1, "a", 1, ["Q?", "fine"]),
            Note(2, "b", 1, ["Plot?", '<img src="p.png">']),
            Note(3, "c", 1, ["Kept?", '<img src="here.png">']),
        ],
        [Card(1, 1, 1), Card(2, 2, 1), Card(3, 3, 1)],
    )
    path = legacy_package(tmp_path / "m.apkg", spec, {"here.png": b"\x89PNG"})
    source = read_source(path, ImportOptions())
    assert len(source.deck.cards) == 2
    (skip,) = source.skipped
    assert "guid 'b'" in skip.where
    assert skip.reason == (
        "the answer is only media the package does not hold: [image: p.png (not in the package)]"
    )


def _refused(path: Path) -> str:
    with pytest.raises(DeckError) as caught:
        read_source(path, ImportOptions())
    message = str(caught.value)
    assert str(path) in message
    return message


def test_corrupt_and_truncated_zips_are_refused(tmp_path: Path) -> None:
    good = legacy_package(tmp_path / "good.apkg", _spec()).read_bytes()
    truncated = tmp_path / "truncated.apkg"
    truncated.write_bytes(good[: len(good) // 2])
    assert "zip" in _refused(truncated)
    corrupt = tmp_path / "corrupt.apkg"
    corrupt.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 10)
    assert "zip" in _refused(corrupt)
    flipped = bytearray(good)
    flipped[200:400] = bytes(200)
    damaged = tmp_path / "damaged.apkg"
    damaged.write_bytes(bytes(flipped))
    _refused(damaged)


def test_wrong_contents_are_refused(tmp_path: Path) -> None:
    empty_zip = write_zip(tmp_path / "nothing.apkg", {"readme.txt": b"hi"})
    assert "no Anki collection" in _refused(empty_zip)
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE songs (title text)")
    db.commit()
    image = db.serialize()
    db.close()
    assert "not an Anki collection" in _refused(
        write_zip(tmp_path / "s.apkg", {"collection.anki2": image})
    )
    bare = tmp_path / "music.db"
    bare.write_bytes(image)
    assert "not an Anki collection" in _refused(bare)
    text = write_zip(tmp_path / "t.apkg", {"collection.anki2": b"just text"})
    assert "not an SQLite database" in _refused(text)
    png = tmp_path / "picture.apkg"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert "not a zip archive" in _refused(png)
    bad_zstd = write_zip(tmp_path / "z.apkg", {"collection.anki21b": b"\x28\xb5\x2f\xfdnope"})
    assert "zstd" in _refused(bad_zstd)


def test_a_package_with_only_the_dummy_collection_is_refused(tmp_path: Path) -> None:
    path = write_zip(tmp_path / "old.apkg", {"collection.anki2": dummy_legacy_collection()})
    assert "placeholder" in _refused(path)


def test_malformed_collection_json_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE col (crt, ver, models, decks);"
        "CREATE TABLE notes (id, guid, mid, tags, flds);"
        "CREATE TABLE cards (id); INSERT INTO col VALUES (0, 11, '{not json', '{}');"
    )
    db.commit()
    image = db.serialize()
    db.close()
    assert "not valid JSON" in _refused(write_zip(tmp_path / "j.apkg", {"collection.anki2": image}))


def test_bombs_are_refused_before_they_cost_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("quizdl.importers.anki_package.MAX_COLLECTION_BYTES", 4 * 1024 * 1024)
    zstd_bomb = write_zip(
        tmp_path / "zb.apkg", {"collection.anki21b": zstd_stream(16 * 1024 * 1024)}
    )
    assert "more than" in _refused(zstd_bomb)
    zip_bomb = tmp_path / "b.apkg"
    with zipfile.ZipFile(zip_bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("collection.anki2", bytes(16 * 1024 * 1024))
    assert "refusing" in _refused(zip_bomb)


def test_cli_refuses_hostile_packages_with_one_line_and_exit_2(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "broken.apkg"
    path.write_bytes(b"PK\x03\x04garbage")
    result = run("import", str(path))
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert str(path) in result.stderr and "nothing was stored" in result.stderr


def test_the_same_notes_in_a_second_package_update_the_first_deck(
    tmp_path: Path, run: Run, study: StudyService
) -> None:
    """A whole-course deck, then one chapter of it: Anki updates the notes by GUID."""
    course = Spec(
        [BASIC],
        {10: "Course::Ch1", 11: "Course::Ch2"},
        [
            Note(1, "n1", 1, ["Q1?", "A1"]),
            Note(2, "n2", 1, ["Q2?", "A2"]),
            Note(3, "n3", 1, ["Q3?", "A3"]),
        ],
        [Card(1, 1, 10), Card(2, 2, 10), Card(3, 3, 11)],
    )
    assert "3 new" in run("import", str(legacy_package(tmp_path / "course.apkg", course))).stdout
    chapter = Spec(
        [BASIC],
        {10: "Chapter one"},
        [Note(1, "n1", 1, ["Q1?", "A1 (edited)"]), Note(2, "n2", 1, ["Q2?", "A2"])],
        [Card(1, 1, 10), Card(2, 2, 10)],
    )
    result = run("import", str(legacy_package(tmp_path / "chapter.apkg", chapter)))
    assert result.exit_code == 0, result.output
    assert "0 new" in result.stdout
    assert "2 card(s) are the same Anki notes (GUID)" in result.stdout
    assert "1 updated in 'course', 1 unchanged" in result.stdout
    assert "no deck 'chapter-one' is made" in result.stdout
    deck, _ = study.export_deck("course")
    answers = {card.id: card.answer for card in deck.cards}  # type: ignore[union-attr]
    assert answers["anki-" + b"n1".hex()] == "A1 (edited)"
    assert len(deck.cards) == 3
    assert "chapter-one" not in {d.id for d in study.deck_summaries()}  # no empty deck made
