"""The fast parse (yaml-rs, no locations) gives the same deck as the located one.

parse_deck tries yaml-rs first and only parses into located nodes when the deck
fails validation or holds something the fast parser must not decide; a deck
that came out different from the two paths would be a silent data change.
"""

from __future__ import annotations

import re
import textwrap

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from quizdl.decks import loader
from quizdl.decks.errors import DeckError
from quizdl.decks.loader import parse_deck

HOSTILE = [
    "[", "]", "[/]", "[@click=app.quit]", "\x1b[31mred\x1b[0m", "yes", "no", "on", "off",
    "null", "~", "1_000", "0b101", "+0x1F", "2024-01-01", "1e3", ".inf", "010", "!tag",
    "<<", "&anchor", "*alias", "# not a comment", "key: value", "- item", "emoji 🧠",
    "עברית", "a\tb", "trailing  ", "  leading", "line\nbreak", "\u202eRTL override", "'", '"',
    "x" * 10_000,
]  # fmt: skip

_TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=1, max_size=40))
_CARD_ID = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:@+-]{0,20}", fullmatch=True)


@st.composite
def decks(draw: st.DrawFn) -> dict[str, object]:
    ids = draw(st.lists(_CARD_ID, min_size=1, max_size=6, unique=True))
    cards: list[dict[str, object]] = []
    for card_id in ids:
        kind = draw(st.sampled_from(["concept", "qa", "mcq", "cloze"]))
        card: dict[str, object] = {"id": card_id, "type": kind}
        if kind == "concept":
            card |= {"term": draw(_TEXT), "explanation": draw(_TEXT)}
        elif kind == "qa":
            card |= {
                "question": draw(_TEXT),
                "answer": draw(_TEXT),
                "key_points": draw(st.lists(_TEXT, max_size=3)),
            }
        elif kind == "mcq":
            choices = draw(st.lists(_TEXT, min_size=2, max_size=4))
            card |= {
                "question": draw(_TEXT),
                "choices": choices,
                "answer": draw(st.integers(0, len(choices) - 1)),
            }
        else:
            card |= {"text": draw(_TEXT) + " {{" + draw(_TEXT) + "}}"}
        if draw(st.booleans()):
            card["tags"] = draw(st.lists(_TEXT, max_size=3))
        cards.append(card)
    return {
        "id": "deck",
        "title": draw(_TEXT),
        "version": draw(st.one_of(st.integers(0, 10**6), _TEXT)),
        "cards": cards,
    }


@settings(max_examples=150, deadline=None)
@given(data=decks(), flow=st.booleans())
def test_fast_and_located_paths_agree_on_generated_decks(
    data: dict[str, object], flow: bool
) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=flow, sort_keys=False)
    try:
        located = loader._parse_located(text, "deck.yaml")
    except DeckError as located_error:
        with pytest.raises(DeckError) as fast_error:
            parse_deck(text, "deck.yaml")
        assert str(fast_error.value) == str(located_error)
        return
    assert parse_deck(text, "deck.yaml") == located


_BASE = textwrap.dedent(
    """\
    id: d
    title: T
    cards:
      - id: c
        type: mcq
        question: Q
        choices: [a, b]
    """
)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("    answer: 0b1\n", "expected a choice index"),  # 1.2 core: "0b1" is a string
        ("    answer: +0x1\n", "expected a choice index"),
        ("    answer: 1_0\n", "index 10 is out of range"),  # the string, read by pydantic
        ("    answer: !!python/object:os.system 1\n", "not allowed"),
        ("    answer: !custom 1\n", "not allowed"),
        ("    answer: 1\n    answer: 0\n", "appears twice"),
        ("    answer: 1\n    <<: {explanation: x}\n", "merge keys"),
    ],
)
def test_what_only_the_located_path_may_decide_is_still_refused(extra: str, expected: str) -> None:
    with pytest.raises(DeckError) as error:
        parse_deck(_BASE + extra, "deck.yaml")
    assert expected in str(error.value)
    assert "deck.yaml:" in str(error.value)


def test_version_spelled_with_underscores_stays_as_written() -> None:
    deck = parse_deck(
        _BASE.replace("title: T", "title: T\nversion: 1_000") + "    answer: 1\n", "d"
    )
    assert deck.version == "1_000"
    assert deck.cards[0].correct_indices == (1,)  # type: ignore[union-attr]


# The single pattern the fast-path check used to be: every position tried with
# lookbehinds, 85 ms over a 10,000-card file. The gated checks must decide the
# same for any text, or a file would silently take the other path.
_ONE_PATTERN = (
    r"(?:^|(?<=[\s\[{,]))(?:![!<\w\s]|!$|[-+]?0[bB]|[-+]0[xXoO])"
    r"|(?<![\w.])[-+]?\d[\d_]*_|<<\s*:|[\x85\u2028\u2029]"
)


@settings(max_examples=2000)
@given(st.text(alphabet="ab_1209٣ .-+!<:\n\t[{,xXbBoO\x85\u2028é", max_size=24))
def test_gated_unsafe_checks_decide_as_the_single_pattern(text: str) -> None:
    expected = re.search(_ONE_PATTERN, text, re.MULTILINE) is not None
    assert loader._fast_path_unsafe(text) == expected
