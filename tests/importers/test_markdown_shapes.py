"""Markdown question banks in the shapes interview-prep repositories publish (our own fixtures)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from importers.conftest import Run

from quizdl.decks.errors import DeckError
from quizdl.decks.model import QACard
from quizdl.importers import ImportOptions, ImportSource, read_source


def _read(tmp_path: Path, text: str, name: str = "bank.md", **options: bool) -> ImportSource:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return read_source(path, ImportOptions(**options))  # type: ignore[arg-type]


def _pairs(source: ImportSource) -> list[tuple[str, str]]:
    return [(c.question, c.answer) for c in source.deck.cards if isinstance(c, QACard)]


def test_closed_numbered_headings_ending_in_a_full_stop(tmp_path: Path) -> None:
    source = _read(
        tmp_path,
        """\
        # Kernel methods

        ### Q1: Explain the kernel trick. ###

        Inner products in a feature space without computing it.

        ### Q2: What is an RBF kernel? ###

        exp(-gamma * ||x - y||^2)

        ### Q3: Describe the hinge loss. ###

        max(0, 1 - y f(x))
        """,
    )
    assert _pairs(source) == [
        ("Explain the kernel trick.", "Inner products in a feature space without computing it."),
        ("What is an RBF kernel?", "exp(-gamma * ||x - y||^2)"),
        ("Describe the hinge loss.", "max(0, 1 - y f(x))"),
    ]


def test_headings_with_a_trailing_source_link_and_numbering(tmp_path: Path) -> None:
    source = _read(
        tmp_path,
        """\
        # Activations

        #### 7) Why is ReLU preferred over sigmoid? [[src](https://example.org/relu)]

        It does not saturate for positive inputs.

        ## 8. What is a leaky ReLU? [[src]](https://example.org/leaky)

        A small slope for negative inputs.
        """,
    )
    assert _pairs(source) == [
        (
            "Why is ReLU preferred over sigmoid?",
            "It does not saturate for positive inputs.\n\nSource: [src](https://example.org/relu)",
        ),
        (
            "What is a leaky ReLU?",
            "A small slope for negative inputs.\n\nSource: [src](https://example.org/leaky)",
        ),
    ]


def test_a_table_of_contents_and_pointer_answers_are_not_cards(tmp_path: Path) -> None:
    text = """\
        # Questions

        - [What is dropout?](#what-is-dropout)
        - [What is batch norm?](#what-is-batch-norm)

        ## What is dropout?

        Randomly zeroing activations while training.

        ## What is batch norm?

        The rest of the answer is [here](https://example.org/bn).
        """
    source = _read(tmp_path, text)
    assert _pairs(source) == [("What is dropout?", "Randomly zeroing activations while training.")]
    assert "placeholder answer" in source.skipped[0].reason
    kept = _read(tmp_path, text, keep_unanswered=True)
    assert _pairs(kept)[1] == (
        "What is batch norm?",
        "The rest of the answer is [here](https://example.org/bn).",
    )


def test_a_question_heading_without_a_question_mark_is_not_a_tag(tmp_path: Path) -> None:
    source = _read(
        tmp_path,
        """\
        ## What is a CNN?

        A network of convolutions.

        ## Pooling in CNNs

        Downsampling feature maps.

        ## Why use padding?

        To keep the spatial size.

        ## References

        - A paper, 2015.
        """,
    )
    cards = [c for c in source.deck.cards if isinstance(c, QACard)]
    assert [c.question for c in cards] == ["What is a CNN?", "Pooling in CNNs", "Why use padding?"]
    assert all(not c.tags for c in cards)
    assert not cards[-1].answer.endswith("2015.")  # a References section is not a card


def test_one_bold_line_in_an_answer_keeps_heading_questions(tmp_path: Path) -> None:
    body = "\n".join(
        f"## {n}) What is concept {n}?\n\nAnswer {n}.\n\n**Important:** remember {n}.\n"
        if n == 3
        else f"## {n}) What is concept {n}?\n\nAnswer {n}.\n"
        for n in range(1, 7)
    )
    source = _read(tmp_path, "# Bank\n\n" + body)
    assert [q for q, _ in _pairs(source)] == [f"What is concept {n}?" for n in range(1, 7)]
    assert _pairs(source)[2][1] == "Answer 3.\n\n**Important:** remember 3."


def test_q_items_with_unlabelled_answers_and_bold_questions_after_a_paragraph(
    tmp_path: Path,
) -> None:
    source = _read(
        tmp_path,
        """\
        **Q:** What is weight decay?

        An L2 penalty on the weights.

        <br/>

        Some introduction to the next part, as a paragraph.
        **What is momentum?**

        Answer: A running average of gradients.
        """,
    )
    assert _pairs(source) == [
        ("What is weight decay?", "An L2 penalty on the weights."),
        ("What is momentum?", "A running average of gradients."),
    ]


def test_exercises_without_answers_come_in_with_keep_unanswered(tmp_path: Path) -> None:
    text = """\
        # Chapter 4

        ## Exercises

        1. Why does gradient descent need a learning rate?
        2. What happens when the learning rate is too large?
        """
    with pytest.raises(DeckError, match="--keep-unanswered"):
        _read(tmp_path, text)
    kept = _read(tmp_path, text, keep_unanswered=True)
    assert _pairs(kept) == [
        ("Why does gradient descent need a learning rate?", ""),
        ("What happens when the learning rate is too large?", ""),
    ]


def test_a_folder_of_one_card_files_is_one_deck(tmp_path: Path, run: Run) -> None:
    folder = tmp_path / "ml-notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "backprop.md").write_text("# Backpropagation\n\nThe chain rule, layer by layer.\n")
    (folder / "sub" / "dropout.md").write_text("## What is dropout?\n\nZeroing units.\n")
    (folder / "README.md").write_text("# Notes\n\n## Hello\n\nContributions welcome.\n")
    (folder / "image.png").write_bytes(b"\x89PNG")
    source = read_source(folder, ImportOptions())
    assert source.deck.title == "ml-notes"
    assert _pairs(source) == [
        ("Backpropagation", "The chain rule, layer by layer."),
        ("What is dropout?", "Zeroing units."),
    ]
    assert [skip.where for skip in source.skipped] == ["README.md"]
    result = run("import", str(folder))
    assert result.exit_code == 0, result.output
    assert "2 new" in result.stdout
    again = run("import", str(folder))
    assert "0 new, 0 updated, 0 retired, 0 restored, 2 unchanged" in again.stdout


def test_an_empty_folder_is_refused_in_one_line(tmp_path: Path, run: Run) -> None:
    (tmp_path / "empty").mkdir()
    result = run("import", str(tmp_path / "empty"))
    assert result.exit_code == 2
    assert "holds no Markdown (.md) files" in result.stderr and "Traceback" not in result.output


def test_one_card_limit_for_every_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("quizdl.importers.assemble.MAX_CARDS", 3)
    path = tmp_path / "big.csv"
    path.write_text("front,back\n" + "".join(f"Q{n}?,A{n}\n" for n in range(5)), encoding="utf-8")
    with pytest.raises(DeckError, match=r"more than 3 cards .* the limit is the same for every"):
        read_source(path, ImportOptions())


def test_numbered_question_lines_with_source_links_and_answers(tmp_path: Path) -> None:
    source = _read(
        tmp_path,
        """\
        # Deep learning questions

        1. [What is a neuron?](#neuron)
        2. [What is ReLU?](#relu)

        ## Basics

        1. What is a neuron? [[src]](https://example.org/n)

        A weighted sum followed by a non-linearity.

        2. What is ReLU? [[src]](https://example.org/r)

        max(0, x), applied element-wise:
        - cheap
        - does not saturate for x > 0
        """,
    )
    assert _pairs(source) == [
        (
            "What is a neuron?",
            "A weighted sum followed by a non-linearity.\n\nSource: [src](https://example.org/n)",
        ),
        (
            "What is ReLU?",
            "max(0, x), applied element-wise:\n- cheap\n- does not saturate for x > 0"
            "\n\nSource: [src](https://example.org/r)",
        ),
    ]
    assert all(c.tags == ("Basics",) for c in source.deck.cards)
