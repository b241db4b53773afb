"""Reading deck cards back from their stored JSON form, and their searchable text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter

from quizdl.decks.model import CLOZE_BLANK, Card


@lru_cache(maxsize=1)
def _card_adapter() -> TypeAdapter[Card]:
    return TypeAdapter(Card)


def card_from_content(content: dict[str, Any]) -> Card:
    return _card_adapter().validate_python(content)


def card_to_content(card: Card) -> dict[str, Any]:
    return card.model_dump(mode="json", exclude_none=True)


@lru_cache(maxsize=1)
def _cards_adapter() -> TypeAdapter[list[Card]]:
    return TypeAdapter(list[Card])


def cards_to_content(cards: Sequence[Card]) -> list[dict[str, Any]]:
    """``card_to_content`` of each card, serialised in one pydantic call (a deck's worth
    of per-card calls cost a third more)."""
    contents: list[dict[str, Any]] = _cards_adapter().dump_python(
        list(cards), mode="json", exclude_none=True
    )
    return contents


def prompt_of(content: dict[str, Any]) -> str:
    """The first line a learner sees, straight from stored content (no validation)."""
    kind = content.get("type")
    if kind == "concept":
        text = str(content.get("term", ""))
    elif kind == "cloze":
        text = CLOZE_BLANK.sub("[…]", str(content.get("text", "")))
    elif kind == "challenge":
        text = str(content.get("title", ""))
    else:
        text = str(content.get("question", ""))
    if "```" in text or "~~~" in text:
        text = _FENCE.sub(" ", text)  # a card that opens with code shows its code
    return " ".join(text.split())


# A code fence's own line ("```python"): markup, not a word of the prompt.
_FENCE = re.compile(r"^[ \t]*(?:```|~~~)[^\n]*$", re.MULTILINE)


def normalise(text: str) -> str:
    """NFKC + casefold: what search and ids compare, never what is displayed."""
    if text.isascii():  # both are the identity / lower() on ASCII, and much cheaper
        return text.lower()
    return unicodedata.normalize("NFKC", text).casefold()


_TEXT_FIELDS = ("term", "explanation", "formula", "question", "answer", "text", "hint",
                "title", "prompt")  # fmt: skip


_LIST_FIELDS = ("choices", "key_points", "tags")


@lru_cache(maxsize=256)
def _searched(keys: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Which text and list fields a content with these keys has, in search order (a
    deck's cards share a few key sets, so each card does not try every name)."""
    present = set(keys)
    return (
        tuple(name for name in _TEXT_FIELDS if name in present),
        tuple(name for name in _LIST_FIELDS if name in present),
    )


def search_text_of(content: dict[str, Any]) -> str:
    parts: list[str] = [str(content.get("id", ""))]
    texts, lists = _searched(tuple(content))
    for name in texts:
        value = content[name]
        if isinstance(value, str):
            parts.append(value)
    for name in lists:
        value = content[name]
        if isinstance(value, list):
            # A key point may be a list of synonyms: each is searchable text.
            for item in value:
                if isinstance(item, list):
                    parts.extend(str(x) for x in item)
                else:
                    parts.append(str(item))
    return normalise(" ".join(parts))
