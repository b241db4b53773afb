"""Stored card content: the one-call serialisation of a deck equals serialising each card."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quizdl.decks.content import (
    card_to_content,
    cards_to_content,
    normalise,
    prompt_of,
    search_text_of,
)
from quizdl.decks.loader import load_deck
from quizdl.decks.model import CLOZE_BLANK

BUNDLED = sorted((Path(__file__).parents[2] / "decks").glob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.stem)
def test_a_deck_serialised_at_once_is_stored_as_card_by_card(path: Path) -> None:
    # Every card type (challenge specs, synonym key points, MCQ answer lists) is in the
    # bundled decks; the stored JSON text must not change, key order included.
    cards = load_deck(path).cards
    assert {card.type for card in cards} <= {"concept", "qa", "mcq", "cloze", "challenge"}
    at_once = cards_to_content(cards)
    one_by_one = [card_to_content(card) for card in cards]
    assert [json.dumps(content) for content in at_once] == [
        json.dumps(content) for content in one_by_one
    ]


def _search_text_reference(content: dict[str, Any]) -> str:
    # search_text_of before it looked fields up by key set (#13): every name, in order.
    parts: list[str] = [str(content.get("id", ""))]
    for name in ("term", "explanation", "formula", "question", "answer", "text", "hint",
                 "title", "prompt"):  # fmt: skip
        value = content.get(name)
        if isinstance(value, str):
            parts.append(value)
    for name in ("choices", "key_points", "tags"):
        value = content.get(name)
        if isinstance(value, list):
            for item in value:
                parts.extend(str(x) for x in (item if isinstance(item, list) else [item]))
    return normalise(" ".join(parts))


HAND_MADE: list[dict[str, Any]] = [
    {"id": "a", "type": "qa", "question": "Ünïcode ＦＵＬＬ width?", "answer": "ß", "tags": ["T"]},
    {"type": "mcq", "question": "Q", "choices": ["A", "B"], "answer": 1, "explanation": "E"},
    {"id": "k", "key_points": [["syn one", "Syn Two"], "plain", 3], "hint": None, "text": 5},
    {"title": "T", "prompt": "P", "tags": "not a list", "formula": "x²", "term": "τ"},
    {},
]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.stem)
def test_search_text_is_what_it_was_for_every_bundled_card(path: Path) -> None:
    contents = [*cards_to_content(load_deck(path).cards), *HAND_MADE]
    assert [search_text_of(content) for content in contents] == [
        _search_text_reference(content) for content in contents
    ]


@pytest.mark.parametrize("path", BUNDLED, ids=lambda path: path.stem)
def test_prompts_in_lists_show_a_cards_words_not_its_code_fences(path: Path) -> None:
    # Browse and the import preview list each card by this one line; a cloze that
    # opens with a code block showed "```python" first.
    contents = cards_to_content(load_deck(path).cards)
    for content in contents:
        prompt = prompt_of(content)
        assert prompt and "```" not in prompt and "~~~" not in prompt, content["id"]
    code_first = [c for c in contents if str(c.get("text", "")).startswith("```")]
    for content in code_first:
        first_code_line = CLOZE_BLANK.sub("[…]", content["text"].split("\n")[1])
        assert prompt_of(content).startswith(" ".join(first_code_line.split()))
