"""Properties of the answer checker, explored with Hypothesis.

- Every accepted answer of every bundled blank stays right however it is
  cased, spaced around punctuation or minus-signed, checked through
  ``check_cloze`` on its own card (the review's code path).
- Hostile typed text and hostile card text never raise.
- A key point typed as written, among other words, is mentioned: whatever it
  is made of (a key point of symbols alone was never mentioned).
- Checking time stays bounded for long and pathological input (no
  catastrophic backtracking, no deep recursion).
"""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizdl.decks.loader import load_deck
from quizdl.decks.model import ClozeCard
from quizdl.study.answer_check import (
    Verdict,
    blank_matches,
    check_blank,
    check_cloze,
    key_point_hits,
)
from quizdl.study.answers.text import fold

DECKS = Path(__file__).resolve().parents[2] / "decks"
BLANKS = [
    (card, index, answer)
    for path in sorted(DECKS.glob("*.yaml"))
    for card in load_deck(path).cards
    if isinstance(card, ClozeCard)
    for index, answers in enumerate(card.blank_answers)
    for answer in answers
]
CLOZES = sorted({id(card): card for card, _, _ in BLANKS}.values(), key=lambda card: card.id)
MINUS_SIGNS = ["-", "\u2212", "\u2013", "\ufe63"]


@st.composite
def respelled(draw: st.DrawFn, answer: str) -> str:
    """``answer`` with random ASCII case, extra spaces next to punctuation and
    around the whole, and any minus sign or dash for "-"."""
    out: list[str] = [" " * draw(st.integers(0, 2))]
    for position, ch in enumerate(answer):
        if ch == "-":
            ch = draw(st.sampled_from(MINUS_SIGNS))
        elif ch.isascii() and ch.isalpha() and draw(st.booleans()):
            ch = ch.swapcase()
        out.append(ch)
        following = answer[position + 1 : position + 2]
        next_to_punctuation = not ch.isalnum() or (following and not following.isalnum())
        if ch != "_" and following != "_" and next_to_punctuation and draw(st.booleans()):
            out.append(" " * draw(st.integers(1, 3)))
    out.append(" " * draw(st.integers(0, 2)))
    return "".join(out)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(BLANKS).flatmap(lambda b: st.tuples(st.just(b), respelled(b[2]))))
def test_every_accepted_answer_survives_respelling(
    case: tuple[tuple[ClozeCard, int, str], str],
) -> None:
    (card, index, _), typed = case
    answers = list(card.blanks)
    answers[index] = typed
    assert check_cloze(card, answers).results[index].verdict is Verdict.RIGHT, typed


HOSTILE = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.sampled_from(
        [
            "",
            "[",
            "]",
            "[/]",
            "[@click=app.quit]",
            "[b]bold[/b]",
            "\x1b[31mred\x1b[0m",
            "\x00\x01\x02\x7f",
            "\u202e\u2066evil\u2069",  # RTL override and isolates
            "مرحبا",
            "🤖" * 50,
            "a" * 10_000,
            "(" * 10_000,
            "(" * 5_000 + ")" * 5_000,
            "1," * 5_000,
            " " * 10_000 + "-",
            "-" * 10_000,
            "log " * 2_500,
            "\\|" * 1_000,
            "{{" * 1_000,
        ]
    ),
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CLOZES), HOSTILE)
def test_hostile_typed_text_never_raises(card: ClozeCard, typed: str) -> None:
    result = check_cloze(card, [typed] * len(card.blanks))
    assert len(result.results) == len(card.blanks)
    key_point_hits(typed, ["backward pass", ["chain rule", "chain"]])


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE, HOSTILE)
def test_hostile_card_text_never_raises(expected: str, typed: str) -> None:
    check_blank(typed, (expected or "x",))
    blank_matches(typed, expected or "x")
    key_point_hits(typed, [expected or "x"])


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(HOSTILE, HOSTILE, HOSTILE)
def test_an_answer_that_states_a_key_point_mentions_it(point: str, before: str, after: str) -> None:
    # Whatever a deck's key point is (words, numbers, symbols only, markup), typing it
    # as written, between other words, mentions it.
    if not "".join(fold(point).split()):
        return  # nothing visible to type
    (hit,) = key_point_hits(f"{before} {point} {after}", [point])
    assert hit.mentioned


PATHOLOGICAL = [
    "a" * 10_000,
    "(" * 10_000,
    "[" * 5_000 + "]" * 5_000,
    "1," * 5_000,
    "1" * 10_000,
    " " * 10_000 + "x",
    " -" * 5_000,
    "-" * 10_000,
    "log " * 2_500,
    "\u2212" * 10_000,
    "8,256" * 2_000,
    "=" * 10_000,
    "ᅟ" * 10_000,
    "a" * 110 + "b" * 10,  # within the typo distance's length limit
    # Just under the length the checker refuses outright: the full work is done.
    "(" * 3_900,
    " - " * 1_300,
    "a," * 1_950,
    "log(" * 975,
]


def test_checking_time_stays_bounded() -> None:
    cards = CLOZES[:40]
    for typed in PATHOLOGICAL:
        started = time.perf_counter()
        for card in cards:
            check_cloze(card, [typed] * len(card.blanks))
        key_point_hits(typed, ["backward pass", "local gradients"])
        per_card = (time.perf_counter() - started) / len(cards)
        # Measured well under 1 ms a card; 20 ms leaves room for a busy machine.
        assert per_card < 0.02, (typed[:20], per_card)
