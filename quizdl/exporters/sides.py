"""Every card type as a front and a back, for formats that only know two sides (CSV, Anki),
and how to tell such a copy of a card when it comes back."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

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

_LETTERS = "abcdefghijklmnopqrstuvwxyz"  # multiple-choice options: a) b) c)


def front_and_back(card: Card) -> tuple[str, str]:
    if isinstance(card, QACard):
        return card.question, card.answer
    if isinstance(card, ConceptCard):
        back = card.explanation + (f"\n\n{card.formula}" if card.formula else "")
        return card.term, back
    if isinstance(card, MCQCard):
        lines = (f"{_LETTERS[i % 26]}) {choice}" for i, choice in enumerate(card.choices))
        choices = "\n".join(lines)
        right = ", ".join(f"{_LETTERS[i % 26]}) {card.choices[i]}" for i in card.correct_indices)
        back = right + (f"\n\n{card.explanation}" if card.explanation else "")
        return f"{card.question}\n\n{choices}", back
    if isinstance(card, ClozeCard):
        return CLOZE_BLANK.sub("[…]", card.text), ", ".join(card.blanks)
    assert isinstance(card, ChallengeCard)
    return f"{card.title}\n\n{card.prompt}", f"```python\n{card.solution}\n```"


def is_two_sided_copy(card: Card, content: Mapping[str, Any]) -> bool:
    """Whether ``content``, a card read from a CSV file or an Anki package, is ``card``
    sent there unedited: its front and back as CSV reads them (as they are) or as an
    Anki package does (through HTML and back), or its cloze as Anki's, the spaces
    around them aside.

    Those formats cannot hold what else the card has (a concept's type, a question's
    key points, the choices of a multiple-choice card as choices, a blank's other
    accepted answers, a source): a deck exported and imported again must keep it,
    not turn into plain question cards.
    """
    # Imported here: only a card that changed its form on the way comes this far.
    from quizdl.exporters.apkg import cloze_html, markdown_to_html
    from quizdl.importers.cloze import to_blanks
    from quizdl.importers.html_text import html_to_markdown

    def through_anki(text: str) -> str:
        return html_to_markdown(markdown_to_html(text)).strip()

    def same_side(read: object, side: str) -> bool:
        # Spaces around a side are not kept (the importers strip them). As written
        # first: rendering Markdown costs ~0.15 ms a side, which a re-import of a
        # large deck would pay on every card.
        read = str(read).strip()
        return read == side.strip() or read == through_anki(side)

    if content.get("type") == "qa":
        front, back = front_and_back(card)
        return same_side(content.get("question", ""), front) and same_side(
            content.get("answer", ""), back
        )
    if content.get("type") == "cloze" and isinstance(card, ClozeCard):
        text = to_blanks(html_to_markdown(cloze_html(card)), 1).text
        hint = through_anki(card.hint) if card.hint else ""
        return (str(content.get("text", "")).strip(), content.get("hint") or "") == (
            text.strip(),
            hint,
        )
    return False


_CHOICE = re.compile(r"([a-z])\) (.+)")
_RIGHT_CHOICE = re.compile(r"(?:^|, )([a-z])\) ")
_SOLUTION = re.compile(r"```python\n(.*)\n```", re.DOTALL)


def edited_from_sides(card: Card, content: Mapping[str, Any]) -> Card | None:
    """``card`` with an edit made to its copy in a CSV file or an Anki package put back
    into its own fields (``front_and_back`` in reverse), keeping what the copy could
    not carry; None when the copy no longer reads as that kind of card."""
    front = str(content.get("question", "")).strip()
    back = str(content.get("answer", "")).strip()
    changes: dict[str, Any] | None
    if content.get("type") == "cloze":
        changes = _anki_cloze_changes(card, content) if isinstance(card, ClozeCard) else None
    elif content.get("type") != "qa":
        changes = None
    elif isinstance(card, QACard):
        changes = {"question": front, "answer": back}
    elif isinstance(card, ConceptCard):
        changes = _concept_changes(card, front, back)
    elif isinstance(card, MCQCard):
        changes = _mcq_changes(card, front, back)
    elif isinstance(card, ClozeCard):
        changes = _cloze_changes(card, front, back)
    else:
        changes = _challenge_changes(card, front, back)
    if changes is None:
        return None
    fields = card.model_dump()
    for name, value in list(changes.items()):
        # A side loses the spaces around it on the way (a YAML "|" block's newline).
        stored = fields[name]
        if isinstance(value, str) and isinstance(stored, str) and value.strip() == stored.strip():
            del changes[name]
    try:
        return type(card).model_validate({**fields, **changes})
    except ValidationError:
        return None


def _concept_changes(card: ConceptCard, front: str, back: str) -> dict[str, Any]:
    formula = (card.formula or "").strip()
    if formula and back.endswith(formula):
        explanation = back[: -len(formula)].rstrip()
        if explanation:
            return {"term": front, "explanation": explanation}
    return {"term": front, "explanation": back, "formula": None}


def _mcq_changes(card: MCQCard, front: str, back: str) -> dict[str, Any] | None:
    lines = front.split("\n")
    choices: list[str] = []
    while lines and (match := _CHOICE.fullmatch(lines[-1].strip())) is not None:
        choices.insert(0, match.group(2))
        lines.pop()
    question = "\n".join(lines).strip()
    right, _, explanation = back.partition("\n\n")
    letters = _RIGHT_CHOICE.findall(right)
    indices = [_LETTERS.find(letter) for letter in letters]
    if len(choices) < 2 or not indices or any(not 0 <= i < len(choices) for i in indices):
        return None
    written = ", ".join(f"{_LETTERS[i]}) {choices[i]}" for i in indices)
    if written != right.strip():
        return None  # the right-answer line no longer names the choices
    answer: int | tuple[int, ...] = indices[0] if isinstance(card.answer, int) else tuple(indices)
    return {
        "question": question,
        "choices": tuple(choices),
        "answer": answer,
        "explanation": explanation.strip(),
    }


def _cloze_changes(card: ClozeCard, front: str, back: str) -> dict[str, Any] | None:
    # In CSV a cloze is its text with "[…]" and its answers after: the text may be
    # edited around the blanks; the blanks themselves keep their accepted answers.
    blanks = [match.group(0) for match in CLOZE_BLANK.finditer(card.text)]
    pieces = front.split("[…]")
    if back != ", ".join(card.blanks) or len(pieces) != len(blanks) + 1:
        return None
    text = pieces[0] + "".join(
        blank + piece for blank, piece in zip(blanks, pieces[1:], strict=True)
    )
    return {"text": text}


def _anki_cloze_changes(card: ClozeCard, content: Mapping[str, Any]) -> dict[str, Any]:
    # An Anki cloze keeps one answer per blank: a blank still giving the card's
    # canonical answer gets its other accepted answers back.
    accepted = {
        canonical_blank(match.group(1)): match.group(0) for match in CLOZE_BLANK.finditer(card.text)
    }
    text = CLOZE_BLANK.sub(
        lambda match: accepted.get(match.group(1), match.group(0)), str(content.get("text", ""))
    )
    return {"text": text, "hint": content.get("hint") or None}


def _challenge_changes(card: ChallengeCard, front: str, back: str) -> dict[str, Any] | None:
    title, _, prompt = front.partition("\n\n")
    solution = _SOLUTION.fullmatch(back)
    if not title.strip() or not prompt.strip() or solution is None:
        return None
    return {"title": title.strip(), "prompt": prompt.strip(), "solution": solution.group(1)}
