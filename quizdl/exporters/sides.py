"""Every card type as a front and a back, for formats that only know two sides (CSV, Anki),
and how to tell such a copy of a card when it comes back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from quizdl.decks.model import (
    CLOZE_BLANK,
    Card,
    ChallengeCard,
    ClozeCard,
    ConceptCard,
    MCQCard,
    QACard,
)


def front_and_back(card: Card) -> tuple[str, str]:
    if isinstance(card, QACard):
        return card.question, card.answer
    if isinstance(card, ConceptCard):
        back = card.explanation + (f"\n\n{card.formula}" if card.formula else "")
        return card.term, back
    if isinstance(card, MCQCard):
        letters = "abcdefghijklmnopqrstuvwxyz"
        choices = "\n".join(f"{letters[i % 26]}) {choice}" for i, choice in enumerate(card.choices))
        right = ", ".join(f"{letters[i % 26]}) {card.choices[i]}" for i in card.correct_indices)
        back = right + (f"\n\n{card.explanation}" if card.explanation else "")
        return f"{card.question}\n\n{choices}", back
    if isinstance(card, ClozeCard):
        return CLOZE_BLANK.sub("[…]", card.text), ", ".join(card.blanks)
    assert isinstance(card, ChallengeCard)
    return f"{card.title}\n\n{card.prompt}", f"```python\n{card.solution}\n```"


def is_two_sided_copy(card: Card, content: Mapping[str, Any]) -> bool:
    """Whether ``content``, a card read from a CSV file or an Anki package, is ``card``
    sent there unedited: its front and back as CSV reads them (as they are) or as an
    Anki package does (through HTML and back), or its cloze as Anki's, trailing space
    aside.

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
        return html_to_markdown(markdown_to_html(text)).rstrip()

    if content.get("type") == "qa":
        front, back = front_and_back(card)
        sides = (str(content.get("question", "")).rstrip(), str(content.get("answer", "")).rstrip())
        return sides in ((front.rstrip(), back.rstrip()), (through_anki(front), through_anki(back)))
    if content.get("type") == "cloze" and isinstance(card, ClozeCard):
        text = to_blanks(html_to_markdown(cloze_html(card)), 1).text
        hint = through_anki(card.hint) if card.hint else ""
        return (str(content.get("text", "")).rstrip(), content.get("hint") or "") == (
            text.rstrip(),
            hint,
        )
    return False
