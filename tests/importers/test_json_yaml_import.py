"""JSON records and quizdl's own JSON/YAML, including refusals that name the record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from importers.conftest import Run

from quizdl.decks.errors import DeckError
from quizdl.decks.model import QACard
from quizdl.importers import ImportOptions, read_source


def _write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_json_records(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "cards.json",
        [
            {"front": "What is a ViT?", "back": "A transformer on patches", "tags": ["cv"]},
            {"front": "What is CLIP?", "back": "Contrastive image-text", "id": "clip 1"},
            {"front": "Unanswered?", "back": ""},
        ],
    )
    source = read_source(path, ImportOptions())
    cards = [c for c in source.deck.cards if isinstance(c, QACard)]
    assert [(c.question, c.tags) for c in cards] == [
        ("What is a ViT?", ("cv",)),
        ("What is CLIP?", ()),
    ]
    assert cards[1].id == "x-" + b"clip 1".hex()
    assert source.skipped[0].where == "record 3"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([{"front": "Q", "back": {"x": 1}}], "'back' must be text, got an object"),
        (["nope"], "expected an object with a question and answer, got a string"),
        ([{"back": "A"}], "no question field (front, question, q or term)"),
        ('[{"front": "Q",', "invalid JSON"),
        ({"something": "else"}, "expected a list of question/answer records"),
    ],
    ids=["wrong-type", "not-object", "missing-front", "syntax", "wrong-shape"],
)
def test_bad_json_is_refused_naming_the_record(tmp_path: Path, data: object, message: str) -> None:
    path = _write(tmp_path, "bad.json", data)
    with pytest.raises(DeckError) as caught:
        read_source(path, ImportOptions())
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_yaml_deck_reads_like_the_loader_and_deck_override(tmp_path: Path, run: Run) -> None:
    path = _write(
        tmp_path,
        "mine.yaml",
        "id: mine\ntitle: Mine\ncards:\n  - id: a\n    type: qa\n    question: Q?\n    answer: A\n",
    )
    assert read_source(path, ImportOptions()).deck.id == "mine"
    result = run("import", str(path), "--deck", "other")
    assert result.exit_code == 0 and "Imported 'other': 1 new" in result.stdout
    assert run("import", str(path), "--deck", "has space").exit_code == 2


def test_bundled_deck_id_is_refused_by_the_service(tmp_path: Path, run: Run) -> None:
    path = _write(tmp_path, "c.csv", "front,back\nQ?,A\n")
    result = run("import", str(path), "--deck", "deep-learning-guide")
    assert result.exit_code == 2
    assert "belongs to a bundled deck" in result.stderr


def test_unknown_format_and_empty_files(tmp_path: Path, run: Run) -> None:
    prose = _write(tmp_path, "notes", "Just some prose without any structure at all.\n")
    result = run("import", str(prose))
    assert result.exit_code == 2 and "could not tell the format" in result.stderr
    empty = _write(tmp_path, "empty.md", "")
    assert "empty" in run("import", str(empty)).stderr


def test_huge_files_are_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("quizdl.importers.MAX_SOURCE_BYTES", 1000)
    path = _write(tmp_path, "big.csv", "front,back\n" + "Q?,A\n" * 1000)
    with pytest.raises(DeckError, match="the limit is"):
        read_source(path, ImportOptions())


def test_json_shapes_that_question_banks_publish(tmp_path: Path) -> None:
    titled = {
        "title": "Deep learning",
        "cards": [
            {"uid": "u1", "front": "What is <b>ReLU</b>?", "back": "max(0,&nbsp;x)"},
            {"uid": "u2", "front": "Epoch?", "back": "One pass over the data"},
        ],
    }
    source = read_source(_write(tmp_path, "titled.json", titled), ImportOptions())
    assert source.deck.title == "Deep learning"
    cards = {card.id: card for card in source.deck.cards}
    assert cards["u1"].question == "What is **ReLU**?"  # type: ignore[union-attr]
    assert cards["u1"].answer == "max(0, x)"  # type: ignore[union-attr]
    single = {"question": "<p>Why <i>batch norm</i>?</p>", "answer": "<div>Stable</div>"}
    one = read_source(_write(tmp_path, "one.json", single), ImportOptions()).deck.cards
    assert [(c.question, c.answer) for c in one] == [("Why *batch norm*?", "Stable")]  # type: ignore[union-attr]
    for shape in (
        [{"q": "Q1?", "a": "A1", "guid": "g1"}],
        [{"term": "Q1?", "definition": "A1", "id": "g1"}],
        {"questions": [{"Question": "Q1?", "Answer": "A1", "ID": "g1"}]},
    ):
        cards_read = read_source(_write(tmp_path, "s.json", shape), ImportOptions()).deck.cards
        assert [(c.id, c.question, c.answer) for c in cards_read] == [("g1", "Q1?", "A1")]  # type: ignore[union-attr]


def test_a_broken_quizdl_export_is_refused_in_plain_words(tmp_path: Path) -> None:
    data = {"format": "quizdl", "deck": {"id": "d", "title": "D", "cards": [{"id": "x"}]}}
    with pytest.raises(DeckError) as caught:
        read_source(_write(tmp_path, "bad.json", data), ImportOptions())
    message = str(caught.value)
    assert "deck.cards.0.type: expected one of challenge, cloze, concept, mcq, qa" in message
    assert "discriminator" not in message and "Unable to extract" not in message


def test_yaml_decks_written_for_anki_yaml_tools(tmp_path: Path) -> None:
    path = tmp_path / "tool.yaml"
    path.write_text(
        "deck: Activations\n"
        "notes:\n"
        "  - guid: 'a#1'\n"
        "    front: ReLU\n"
        "    back: max(0, x)\n"
        "    include_reverse: true\n"
        "  - front: Sigmoid?\n"
        "    back: 1 / (1 + e^-x)\n"
        "  - front: Empty?\n",
        encoding="utf-8",
    )
    source = read_source(path, ImportOptions())
    assert source.deck.title == "Activations" and source.format == "yaml"
    pairs = [(c.id, c.question, c.answer) for c in source.deck.cards]  # type: ignore[union-attr]
    assert pairs[:2] == [
        ("x-" + b"a#1".hex(), "ReLU", "max(0, x)"),
        ("x-" + b"a#1".hex() + "-r", "max(0, x)", "ReLU"),
    ]
    assert pairs[2][1:] == ("Sigmoid?", "1 / (1 + e^-x)")
    assert [skip.where for skip in source.skipped] == ["note 3"]


def test_bad_progress_entries_are_refused_in_plain_words(tmp_path: Path) -> None:
    deck = {
        "id": "d",
        "title": "D",
        "cards": [{"id": "a", "type": "qa", "question": "Q?", "answer": "A"}],
    }
    for entry, expected in (
        ({"easiness": 2.5, "repetitions": 0}, "interval: required field is missing"),
        ({"easiness": 0.5, "repetitions": 0, "interval": 0}, "easiness: expected greater than"),
        ({"easiness": 2.5, "repetitions": 0, "interval": 0, "x": 1}, "x: unknown field"),
        ("soon", "expected a mapping of easiness"),
    ):
        data = {"format": "quizdl", "deck": deck, "progress": {"a": entry}}
        with pytest.raises(DeckError) as caught:
            read_source(_write(tmp_path, "p.json", data), ImportOptions(with_progress=True))
        assert expected in str(caught.value)
        assert "Input should" not in str(caught.value)
