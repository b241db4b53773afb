"""Delimited text: dialects, headers, Anki's text export, column flags, skips, stable ids."""

from __future__ import annotations

from pathlib import Path

import pytest
from importers.conftest import Run

from quizdl.decks.errors import DeckError
from quizdl.decks.model import QACard
from quizdl.importers import ImportOptions, read_source
from quizdl.importers.ids import content_id


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _qa(path: Path, **options: str | bool) -> list[QACard]:
    cards = read_source(path, ImportOptions(**options)).deck.cards  # type: ignore[arg-type]
    assert all(isinstance(card, QACard) for card in cards)
    return [card for card in cards if isinstance(card, QACard)]


def test_comma_with_header_quotes_and_multiline_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "cards.csv",
        'question,answer,tags\n"What is Adam, briefly?","Momentum +\nRMS scaling",opt adam\n'
        "What is SGD?,Plain gradient steps,opt\n",
    )
    cards = _qa(path)
    assert [(c.question, c.answer, c.tags) for c in cards] == [
        ("What is Adam, briefly?", "Momentum +\nRMS scaling", ("opt", "adam")),
        ("What is SGD?", "Plain gradient steps", ("opt",)),
    ]
    assert cards[0].id == content_id("What is Adam, briefly?")


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("t.tsv", "What is ReLU?\tmax(0, x)\nWhat is GELU?\tx·Φ(x)\n"),
        ("s.txt", "What is ReLU?;max(0, x)\nWhat is GELU?;x·Φ(x)\n"),
        ("p.txt", "What is ReLU?|max(0, x)\nWhat is GELU?|x·Φ(x)\n"),
    ],
    ids=["tab", "semicolon", "pipe"],
)
def test_dialects_without_header_are_sniffed(tmp_path: Path, name: str, text: str) -> None:
    cards = _qa(_write(tmp_path, name, text))
    assert [(c.question, c.answer) for c in cards] == [
        ("What is ReLU?", "max(0, x)"),
        ("What is GELU?", "x·Φ(x)"),
    ]


def test_anki_text_export_headers(tmp_path: Path) -> None:
    text = (
        "#separator:tab\n#html:true\n#guid column:1\n#tags column:4\n"
        "a1b2\tWhat is <b>dropout</b>?\tRandom zeroing<br>of units\treg dl\n"
        "c:3d\tWhat is L2?\tWeight&nbsp;decay\treg\n"
    )
    cards = _qa(_write(tmp_path, "export.txt", text))
    assert [(c.id, c.question, c.answer, c.tags) for c in cards] == [
        (
            "anki-" + b"a1b2".hex(),
            "What is **dropout**?",
            "Random zeroing\nof units",
            ("reg", "dl"),
        ),
        ("anki-" + b"c:3d".hex(), "What is L2?", "Weight decay", ("reg",)),
    ]


def test_ambiguous_columns_are_reported_and_chosen_by_flags(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "three.csv", "dl,What is a tensor?,An n-d array\ndl,What is a CNN?,Conv net\n"
    )
    source = read_source(path, ImportOptions())
    assert any("only the first two were read" in skip.reason for skip in source.skipped)
    chosen = _qa(path, front_column="2", back_column="3", tags_column="1")
    assert [(c.question, c.answer, c.tags) for c in chosen] == [
        ("What is a tensor?", "An n-d array", ("dl",)),
        ("What is a CNN?", "Conv net", ("dl",)),
    ]
    named = _write(tmp_path, "named.csv", "topic,prompt text,reply\ndl,Q?,A\n")
    assert [
        (c.question, c.answer) for c in _qa(named, front_column="prompt text", back_column="reply")
    ] == [("Q?", "A")]
    with pytest.raises(DeckError, match="no such column"):
        read_source(named, ImportOptions(front_column="nope"))


def test_lines_that_are_not_cards_are_skipped_with_their_line(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "mixed.csv",
        "front,back\nGood?,Yes\njust a note\n,orphan answer\nTODO?,TODO\n\nGood?,Again\n",
    )
    source = read_source(path, ImportOptions())
    assert len(source.deck.cards) == 1
    reasons = {skip.where: skip.reason for skip in source.skipped}
    assert "expected a front and a back" in reasons["line 3"]
    assert reasons["line 4"] == "empty question"
    assert "placeholder" in reasons["line 5"]
    assert "same question as line 2" in reasons["line 7"]
    kept = read_source(path, ImportOptions(keep_unanswered=True)).deck.cards
    assert [c.answer for c in kept if isinstance(c, QACard)] == ["Yes", ""]


def test_content_ids_are_stable_and_nfkc_normalised(tmp_path: Path, run: Run) -> None:
    first = _write(tmp_path, "deck.csv", "front,back\nWhat is ﬁne-tuning?,Training further\n")
    assert "1 new" in run("import", str(first)).stdout
    edited = _write(
        tmp_path,
        "deck.csv",
        "front,back\nWhat  is fine-tuning?,Training a pretrained model further\n",
    )
    result = run("import", str(edited))
    assert "0 new, 1 updated, 0 retired" in result.stdout
    (card,) = _qa(edited)
    assert card.question == "What  is fine-tuning?"  # display keeps the author's text


def test_progress_bar_for_large_files(tmp_path: Path, run: Run) -> None:
    rows = "".join(f"Question {i}?,Answer {i}\n" for i in range(400))
    result = run("import", str(_write(tmp_path, "big.csv", "front,back\n" + rows)))
    assert result.exit_code == 0 and "400 new" in result.stdout
    assert "Reading big.csv" in result.stderr
    small = run("import", str(_write(tmp_path, "small.csv", "front,back\nQ?,A\n")))
    assert "Reading" not in small.stderr


def test_a_field_beyond_the_csv_limit_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "huge.csv", "front,back\nQ?," + '"' + "x" * (17 * 1024 * 1024) + '"\n')
    with pytest.raises(DeckError, match="not readable as CSV"):
        read_source(path, ImportOptions())


def test_math_with_angle_brackets_is_not_html_and_keeps_its_lines(tmp_path: Path) -> None:
    path = tmp_path / "math.csv"
    path.write_text('front,back\n"When is \\(M<p\\)?","line one\nline two"\n', encoding="utf-8")
    (card,) = read_source(path, ImportOptions()).deck.cards
    assert card.question == "When is \\(M<p\\)?"  # type: ignore[union-attr]
    assert card.answer == "line one\nline two"  # type: ignore[union-attr]


def test_a_semicolon_file_with_one_heading_line_is_csv(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text(
        "### Chapter 3\nWhat is ReLU?; max(0, x)\nWhat is a epoch?; one pass\n"
        "What is SGD?; stochastic gradient descent\nWhat is Adam?; an optimizer\n",
        encoding="utf-8",
    )
    source = read_source(path, ImportOptions())
    assert source.format == "csv"
    assert [c.question for c in source.deck.cards][-1] == "What is Adam?"  # type: ignore[union-attr]
    assert len(source.deck.cards) == 4


def test_html_looking_text_is_html_unless_the_file_says_otherwise(tmp_path: Path) -> None:
    row = "What does <i>x</i> do?,a &amp; b\n"
    # A spreadsheet of Anki fields: HTML, found by looking.
    assert [(c.question, c.answer) for c in _qa(_write(tmp_path, "a.csv", row))] == [
        ("What does *x* do?", "a & b")
    ]
    # "#html:false", and quizdl's own export (Markdown, where "<b>" is text): as written.
    plain = _write(tmp_path, "b.csv", "#html:false\n" + row)
    own = _write(tmp_path, "c.csv", "id,type,front,back,tags,deck\nq1,qa," + row.strip() + ",,d\n")
    for path in (plain, own):
        assert [(c.question, c.answer) for c in _qa(path)] == [
            ("What does <i>x</i> do?", "a &amp; b")
        ]
