"""Markdown question lists in every style, placeholders, sections and refusals."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from quizdl.decks.errors import DeckError
from quizdl.decks.model import QACard
from quizdl.importers import ImportOptions, ImportSource, read_source


def _read(tmp_path: Path, text: str, **options: bool) -> ImportSource:
    path = tmp_path / "questions.md"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return read_source(path, ImportOptions(**options))  # type: ignore[arg-type]


def _pairs(source: ImportSource) -> list[tuple[str, str]]:
    return [(c.question, c.answer) for c in source.deck.cards if isinstance(c, QACard)]


def test_heading_questions_with_code_blocks(tmp_path: Path) -> None:
    source = _read(
        tmp_path,
        """\
        # Convolutions

        ## What is *padding*?

        Extra **pixels** around the image.

        ## Write the kernel for a top edge detector

        ```py
        ## not a heading
        [-1, -1, -1]
        ```

        ## What is stride?

        How far the kernel moves.
        """,
    )
    assert source.deck.title == "Convolutions" and source.deck.id == "convolutions"
    assert _pairs(source) == [
        ("What is *padding*?", "Extra **pixels** around the image."),
        ("Write the kernel for a top edge detector", "```py\n## not a heading\n[-1, -1, -1]\n```"),
        ("What is stride?", "How far the kernel moves."),
    ]


def test_q_and_a_pairs(tmp_path: Path) -> None:
    source = _read(
        tmp_path,
        """\
        Q: What is overfitting?
        A: Fitting noise in the training set.
        It generalises badly.

        **Q:** What is early stopping?
        **A:** Stopping when validation loss rises.

        Question: Unanswered?
        Answer: TODO
        """,
    )
    assert _pairs(source) == [
        ("What is overfitting?", "Fitting noise in the training set.\nIt generalises badly."),
        ("What is early stopping?", "Stopping when validation loss rises."),
    ]
    assert "placeholder" in source.skipped[0].reason


def test_bold_questions_with_separators_sections_and_difficulty(tmp_path: Path) -> None:
    source = _read(
        tmp_path,
        """\
        # Theory

        ## Linear\u00a0regression

        **What is regression? 👶**

        A model of a numeric target.

        **Note:** bold inside an answer stays in the answer.

        <br/>

        **Is it hard? \u200d⭐️**

        Answer here

        <br/>

        **What is MSE? 🚀**

        Mean squared error.
        """,
    )
    cards = [c for c in source.deck.cards if isinstance(c, QACard)]
    assert [(c.question, c.tags) for c in cards] == [
        ("What is regression?", ("Linear regression", "easy")),
        ("What is MSE?", ("Linear regression", "expert")),
    ]
    assert cards[0].answer == (
        "A model of a numeric target.\n\n**Note:** bold inside an answer stays in the answer."
    )
    assert source.skipped[0].where == "line 13" and "'Answer here'" in source.skipped[0].reason
    kept = _read(tmp_path, (tmp_path / "questions.md").read_text(), keep_unanswered=True)
    assert ("Is it hard?", "") in _pairs(kept)


def test_details_answers_both_ways(tmp_path: Path) -> None:
    source = _read(
        tmp_path,
        """\
        <details><summary>What is batch norm?</summary>

        Normalising activations per mini-batch.
        </details>

        1. Why use residual connections?

        <details>
        <summary>Answer</summary>
        Gradients flow through the identity path.
        </details>
        """,
    )
    assert _pairs(source) == [
        ("What is batch norm?", "Normalising activations per mini-batch."),
        ("Why use residual connections?", "Gradients flow through the identity path."),
    ]


def test_reimport_same_markdown_is_stable(tmp_path: Path) -> None:
    text = "## What is a GAN?\n\nTwo networks in a game.\n"
    first = _read(tmp_path, text)
    second = _read(tmp_path, text.replace("Two networks", "A generator and a critic"))
    assert [c.id for c in first.deck.cards] == [c.id for c in second.deck.cards]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("# Page\n\n## Hello :)\n\nFeel free to contribute.\n", "no heading reads as a question"),
        ("**Q?**\n\nAnswer here\n", "no cards found"),
    ],
    ids=["placeholder-page", "only-placeholders"],
)
def test_files_without_cards_are_refused_with_a_reason(
    tmp_path: Path, text: str, reason: str
) -> None:
    with pytest.raises(DeckError, match=reason):
        _read(tmp_path, text)
