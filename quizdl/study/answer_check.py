"""Checking what a learner typed against a card, and the grade it suggests.

Pure functions over strings, so the TUI, the CLI, the deck linter and the
tests share one definition of "close enough". Matching is deliberately
forgiving about form (case, punctuation, simple plurals, quotes, dashes,
number formatting, code spacing and Keras aliases; see
``quizdl.study.answers``) and strict about content: the learner still grades
themselves, these only suggest.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from quizdl.decks.model import CLOZE_BLANK, ClozeCard, blank_alternatives
from quizdl.scheduling.sm2 import Quality
from quizdl.study.answers.blanks import (
    BlankResult,
    Verdict,
    blank_contexts,
    check_blank,
    is_opposite,
)
from quizdl.study.answers.distance import edit_distance
from quizdl.study.answers.text import fold

__all__ = [
    "BlankResult",
    "ClozeCheck",
    "KeyPointHit",
    "Verdict",
    "blank_matches",
    "check_blank",
    "check_cloze",
    "key_point_hits",
    "suggest_mcq_grade",
    "suggest_qa_grade",
]

# A word, or a number with its sign and decimals ("-1", "0.25"): "-1 to 1"
# then needs both ends of the range, not just some "1" somewhere.
_WORD = re.compile(r"(?:(?<![\w.])-(?=\d))?[^\W_]+(?:(?:'|(?<=\d)\.(?=\d))[^\W_]+)*")
# Words that carry no meaning on their own; a key point such as "the chain
# rule" is mentioned by an answer saying "chain rules".
_STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "to",
        "in",
        "on",
        "for",
        "and",
        "or",
        "is",
        "are",
        "be",
        "by",
        "with",
        "as",
        "at",
        "it",
        "its",
        "from",
        "into",
    ]
)


# British spellings as American ones, so "normalisation" meets
# "normalization" and "zero-centred" meets "zero-centered".
_BRITISH_ENDINGS = (
    ("isation", "ization"),
    ("isations", "izations"),
    ("ise", "ize"),
    ("ised", "ized"),
    ("ises", "izes"),
    ("ising", "izing"),
    ("tre", "ter"),
    ("tred", "tered"),
    ("tres", "ters"),
)


def _american(word: str) -> str:
    if len(word) > 5:
        for british, american in _BRITISH_ENDINGS:
            if word.endswith(british):
                return word[: -len(british)] + american
    return word


def forms(word: str) -> frozenset[str]:
    """The word, its possible singulars ("biases" -> biases, biase, bias), its
    adjective for an adverb ("additively" -> additive) and its American spelling.

    Matching compares these sets rather than one stem: no single rule turns
    both "biases" into "bias" and "cases" into "case", but either form meets.
    """
    word = _american(word)
    found = {word}
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        found.add(word[:-1])
        if word.endswith("es"):
            found.add(word[:-2])
        if word.endswith("ies"):
            found.add(word[:-3] + "y")
    if len(word) > 6 and word.endswith("ly"):
        found.add(word[:-2])
    return frozenset(found)


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded, punctuation dropped."""
    return _WORD.findall(fold(text))


def same_word(a: str, b: str) -> bool:
    """Equal up to case and a simple plural ("Gradients" and "gradient")."""
    return bool(forms(fold(a)) & forms(fold(b)))


@dataclass(frozen=True)
class KeyPointHit:
    key_point: str
    mentioned: bool
    # Not mentioned as written, but with a slip in a long word ("gradeint").
    almost: bool = False


# A word this long may carry one slip and still be the word; shorter words
# are too close to other words ("relu"/"selu").
_TYPO_MIN_LETTERS = 6
# Beyond this an answer is not typed by hand: compare it exactly only.
_TYPO_MAX_ANSWER_CHARS = 5_000


def _slip_of(word: str, said: frozenset[str]) -> bool:
    """Whether the answer has ``word`` with one slip: same first letter, same digits
    (none), not its opposite."""
    if len(word) < _TYPO_MIN_LETTERS or any(ch.isdigit() for ch in word):
        return False
    return any(
        edit_distance(other, word, 1) is not None and not is_opposite(other, word)
        for other in said
        if abs(len(other) - len(word)) <= 1 and other[:1] == word[:1]
    )


def key_point_hits(answer: str, key_points: Sequence[str | Sequence[str]]) -> list[KeyPointHit]:
    """Which key points the typed answer mentions.

    A key point is mentioned when every meaningful word of one of its
    phrasings appears in the answer (in any order), ignoring case, punctuation,
    simple plurals, -ly adverbs and British spellings. It is "almost" when the
    missing words are there with one slip each (see ``_slip_of``). A point
    given as a list of synonyms is reported by its first phrasing.
    """
    said: set[str] = set()
    for word in words(answer):
        said |= forms(word)
    typed_by_hand = frozenset(said) if len(answer) <= _TYPO_MAX_ANSWER_CHARS else frozenset()
    squeezed_answer: str | None = None
    hits = []
    for point in key_points:
        synonyms = [point] if isinstance(point, str) else list(point)
        mentioned = almost = False
        for phrasing in synonyms:
            needed = [w for w in words(phrasing) if w not in _STOP_WORDS] or words(phrasing)
            if not needed:
                # Only symbols ("->", "[/]"): there are no words to look for, so the
                # symbols must be there as written (spacing aside).
                if squeezed_answer is None:
                    squeezed_answer = _squeezed(answer)
                literal = _squeezed(phrasing)
                if literal and literal in squeezed_answer:
                    mentioned = True
                    break
                continue
            missing = [w for w in needed if not forms(w) & said]
            if needed and not missing:
                mentioned = True
                break
            if needed and all(
                any(_slip_of(form, typed_by_hand) for form in forms(w)) for w in missing
            ):
                almost = True
        hits.append(KeyPointHit(synonyms[0], mentioned, almost and not mentioned))
    return hits


def _squeezed(text: str) -> str:
    return "".join(fold(text).split())


@dataclass(frozen=True)
class ClozeCheck:
    """Every blank's verdict and the grade they suggest together."""

    results: tuple[BlankResult, ...]
    suggested: Quality


def check_cloze(card: ClozeCard, typed: Sequence[str]) -> ClozeCheck:
    """Check each typed blank against the card's accepted answers; a missing one is wrong.

    This is what the review screen calls: alternatives, number formats, code
    compared as code (in its line of the card's code) and typos all apply.
    """
    results = tuple(
        check_blank(
            typed[index] if index < len(typed) else "",
            answers,
            context,
            percent_after=percent_after,
        )
        for index, (answers, context, percent_after) in enumerate(
            zip(card.blank_answers, blank_contexts(card), _percent_after(card), strict=True)
        )
    )
    return ClozeCheck(results, suggest_cloze_grade(results))


def _percent_after(card: ClozeCard) -> list[bool]:
    """For each blank, whether the card prints "%" right after it ("{{98}}% accuracy")."""
    return [
        card.text[match.end() :].lstrip(" ").startswith("%")
        for match in CLOZE_BLANK.finditer(card.text)
    ]


def blank_matches(typed: str, expected: str) -> bool:
    """Whether ``typed`` is right for a blank written ``{{expected}}`` (alternatives included)."""
    return check_blank(typed, blank_alternatives(expected)).right


# -- suggested grades --------------------------------------------------------


def suggest_mcq_grade(chosen: Sequence[int], correct: Sequence[int]) -> Quality:
    """Exactly the right choices -> good; otherwise wrong (familiar if some were right)."""
    picked, right = set(chosen), set(correct)
    if picked == right:
        return Quality.GOOD
    if picked & right:
        return Quality.WRONG_FAMILIAR
    return Quality.WRONG


def suggest_cloze_grade(results: Sequence[BlankResult]) -> Quality:
    """All right -> good; nothing wrong but a typo -> hard; otherwise by share.

    A typo is recalled but not cleanly, the same as a hesitant answer; for
    the share a typo counts as half right.
    """
    if not results:
        return Quality.GOOD
    if all(result.verdict is Verdict.RIGHT for result in results):
        return Quality.GOOD
    if all(result.verdict is not Verdict.WRONG for result in results):
        return Quality.HARD
    score = sum(
        2 if r.verdict is Verdict.RIGHT else 1 if r.verdict is Verdict.ALMOST else 0
        for r in results
    )
    if score >= len(results):  # at least half right
        return Quality.WRONG_FAMILIAR
    return Quality.WRONG


def suggest_qa_grade(answer: str, hits: Sequence[KeyPointHit]) -> Quality | None:
    """Nothing typed or no key points -> no suggestion: the learner judges alone."""
    if not answer.strip() or not hits:
        return None
    exact = sum(hit.mentioned for hit in hits)
    # A point written with a slip counts as mentioned, but not as a clean answer.
    mentioned = exact + sum(hit.almost for hit in hits)
    if exact == len(hits):
        return Quality.GOOD
    if mentioned * 2 >= len(hits):
        return Quality.HARD
    return Quality.WRONG_FAMILIAR if mentioned else Quality.WRONG
