"""Every card type as a front and a back, for formats that only know two sides (CSV, Anki)."""

from __future__ import annotations

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
