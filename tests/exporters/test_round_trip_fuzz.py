"""Generated decks sent through CSV and Anki packages come back unchanged.

A learner exports a deck to edit it in a spreadsheet or study it in Anki and
imports the copy back: whatever its cards hold (markup, HTML-looking text,
lists, hostile strings), the import must find nothing changed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from quizdl.decks.loader import load_deck
from quizdl.decks.model import ChallengeCard, Deck
from quizdl.exporters.apkg import export_apkg
from quizdl.exporters.csv_export import export_csv
from quizdl.importers import ImportOptions, read_source
from quizdl.study.factory import open_study

HOSTILE = [
    "[", "]", "[/]", "[@click=app.quit]x", "<b>bold</b>", "a &amp; b", "x < y > z", "a&nbsp;b",
    "**bold** and _it_", "`code`", "- item\n- item", "1. one\n2. two", "a) x", "line\nbreak",
    "tab\there", "  leading", "trailing  ", "$x^2$", "\\(x\\)", "{{not a blank}}", "|a|b|",
    "'quoted'", '"double"', "emoji 🧠", "עברית", "\u00a0nbsp", "#deck:x", "C:\\",
]  # fmt: skip
# Text a card shows: generated text has a letter or digit (a side of spaces and
# invisible characters is blank, which an import refuses as unanswered).
TEXT = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30).filter(
        lambda text: any(ch.isalnum() for ch in text)
    ),
)


_TAG = st.from_regex(r"[a-z][a-z0-9 _-]{0,12}", fullmatch=True)
_CHALLENGES = [
    card
    for card in load_deck(Path(__file__).parents[2] / "decks" / "keras-challenges.yaml").cards
    if isinstance(card, ChallengeCard)
]


@st.composite
def decks(draw: st.DrawFn) -> Deck:
    cards: list[dict[str, object]] = []
    for number in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["concept", "qa", "mcq", "cloze", "challenge"]))
        card: dict[str, object] = {"id": f"c{number}", "type": kind}
        if kind == "concept":
            card |= {"term": draw(TEXT), "explanation": draw(TEXT)}
            card["formula"] = draw(st.none() | TEXT)
        elif kind == "qa":
            card |= {"question": draw(TEXT), "answer": draw(TEXT)}
            card["key_points"] = draw(st.lists(TEXT, max_size=2))
        elif kind == "mcq":
            choices = draw(st.lists(TEXT, min_size=2, max_size=3))
            card |= {"question": draw(TEXT), "choices": choices}
            card["answer"] = draw(
                st.integers(0, len(choices) - 1)
                | st.lists(st.integers(0, len(choices) - 1), min_size=1, unique=True)
            )
            card["explanation"] = draw(st.just("") | TEXT)
        elif kind == "cloze":
            # An answer holds no braces or pipes of its own: they are the blank's markup.
            alternatives = draw(st.lists(TEXT, min_size=1, max_size=2))
            answers = "|".join(re.sub(r"[{}|]", "", text) for text in alternatives)
            card["text"] = draw(TEXT) + " {{" + answers + "}}"
            card["hint"] = draw(st.none() | TEXT)
        else:
            challenge = draw(st.sampled_from(_CHALLENGES)).model_dump()
            card |= {key: value for key, value in challenge.items() if key not in ("id", "tags")}
            card["prompt"] = draw(TEXT)
        card["tags"] = draw(st.lists(_TAG, max_size=2, unique=True))
        card["source"] = draw(st.none() | TEXT)
        cards.append(card)
    try:
        return Deck.model_validate({"id": "trip", "title": draw(TEXT), "cards": cards})
    except ValidationError:
        assume(False)
        raise


def _round_trip(tmp_path: Path, deck: Deck, suffix: str, export: Callable[[Deck], bytes]) -> None:
    service = open_study(database_url=f"sqlite:///{tmp_path / 'q.sqlite3'}", bundled=[])
    try:
        service.import_deck(deck, source_path=str(tmp_path / "trip.yaml"))
        copy = tmp_path / f"copy{suffix}"
        copy.write_bytes(export(deck))
        source = read_source(copy, ImportOptions())
        plan = service.plan_import(source.deck, source_path=str(copy), traits=source.traits)
    finally:
        service.db.close()
    assert (plan.deck_id, plan.new, plan.updated, plan.retired) == ("trip", [], [], []), deck


EXAMPLES = int(os.environ.get("QUIZDL_FUZZ_EXAMPLES", "40"))
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize(
    ("suffix", "export"), [(".csv", export_csv), (".apkg", export_apkg)], ids=["csv", "apkg"]
)
@SETTINGS
@given(deck=decks())
def test_a_generated_deck_comes_back_unchanged(
    tmp_path_factory: pytest.TempPathFactory,
    suffix: str,
    export: Callable[[Deck], bytes],
    deck: Deck,
) -> None:
    _round_trip(tmp_path_factory.mktemp("trip"), deck, suffix, export)
