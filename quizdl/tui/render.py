"""Cards as Markdown: the question side and the answer side of each card type.

Plain functions of the card values, so the review, browse and detail screens
show a card the same way and tests can assert on text.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import ParamSpec

from quizdl.decks.model import (
    CLOZE_BLANK,
    Card,
    ChallengeCard,
    ClozeCard,
    ConceptCard,
    MCQCard,
    QACard,
    canonical_blank,
)
from quizdl.tui.text import printable

P = ParamSpec("P")


def _printable(render: Callable[P, str]) -> Callable[P, str]:
    """Card text reaches the screen without control characters: an ANSI escape
    or a bidi override from an imported field is shown, not obeyed."""

    @functools.wraps(render)
    def shown(*args: P.args, **kwargs: P.kwargs) -> str:
        return printable(render(*args, **kwargs))

    return shown


TYPE_NAMES = {
    "concept": "Concept",
    "qa": "Interview question",
    "mcq": "Multiple choice",
    "cloze": "Fill in the blanks",
    "challenge": "Challenge",
}


def _in_code(text: str, position: int) -> bool:
    """Whether ``position`` is inside a fenced code block or inline code."""
    before = text[:position]
    return before.count("```") % 2 == 1 or before.split("\n")[-1].count("`") % 2 == 1


def cloze_question(card: ClozeCard) -> str:
    """The text with each blank shown as a numbered gap."""
    number = 0

    def gap(match: object) -> str:
        nonlocal number
        number += 1
        return f"⟦{number}⟧"

    return CLOZE_BLANK.sub(gap, card.text)


def cloze_answer(card: ClozeCard) -> str:
    """The text with its blanks filled in (bold, except inside code)."""
    pieces: list[str] = []
    last = 0
    for match in CLOZE_BLANK.finditer(card.text):
        pieces.append(card.text[last : match.start()])
        word = canonical_blank(match.group(1))
        pieces.append(word if _in_code(card.text, match.start()) else f"**{word}**")
        last = match.end()
    pieces.append(card.text[last:])
    return "".join(pieces)


@_printable
def choice_lines(card: MCQCard, chosen: Sequence[int] = (), revealed: bool = False) -> str:
    """The numbered choices; after the reveal, each marked right or wrong."""
    lines = []
    right = set(card.correct_indices)
    for index, choice in enumerate(card.choices):
        if revealed:
            mark = "✓" if index in right else ("✗" if index in chosen else " ")
            picked = " ← your choice" if index in chosen else ""
        else:
            mark = "●" if index in chosen else "○"
            picked = ""
        lines.append(f"- **{index + 1}** {mark} {choice}{picked}")
    return "\n".join(lines)


@_printable
def question_markdown(card: Card) -> str:
    if isinstance(card, ConceptCard):
        return f"## {card.term}\n\nWhat is it? Explain it in your own words."
    if isinstance(card, QACard | MCQCard):
        return card.question
    if isinstance(card, ClozeCard):
        hint = f"\n\n*Hint: {card.hint}*" if card.hint else ""
        return cloze_question(card) + hint
    return f"## {card.title}\n\n{card.prompt}"


@_printable
def answer_markdown(card: Card) -> str:
    if isinstance(card, ConceptCard):
        formula = f"\n\n```text\n{card.formula}\n```" if card.formula else ""
        return card.explanation + formula
    if isinstance(card, QACard):
        return card.answer or "*This question has no model answer yet.*"
    if isinstance(card, MCQCard):
        return card.explanation
    if isinstance(card, ClozeCard):
        return cloze_answer(card)
    assert isinstance(card, ChallengeCard)
    return f"Reference solution:\n\n```python\n{card.solution.rstrip()}\n```"


@_printable
def full_markdown(card: Card) -> str:
    """Both sides at once, for browsing."""
    parts = [question_markdown(card)]
    if isinstance(card, MCQCard):
        parts.append(choice_lines(card, revealed=True))
    parts.append("---")
    parts.append(answer_markdown(card))
    if isinstance(card, QACard) and card.key_points:
        parts.append("Key points: " + ", ".join(card.key_point_names))
    return "\n\n".join(part for part in parts if part)


def format_interval(days: int) -> str:
    """Anki-style short intervals: 1d, 17d, 3mo, 1.2y."""
    if days < 31:
        return f"{days}d"
    if days < 365:
        return f"{days / 30:.0f}mo" if days >= 45 else f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"


def format_seconds(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    if minutes:
        return f"{minutes}m {secs:02d}s"
    return f"{secs}s"
