"""Checking what a learner typed against a card, and the grade it suggests.

Pure functions over strings, so the TUI, the CLI and the tests share one
definition of "close enough". Matching is deliberately forgiving about form
(case, punctuation, simple plurals, quotes) and strict about content: the
learner still grades themselves, these only suggest.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from quizdl.scheduling.sm2 import Quality

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)
_QUOTES = "\"'`‘’“”«»"
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


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def forms(word: str) -> frozenset[str]:
    """The word and its possible singulars ("biases" -> biases, biase, bias).

    Matching compares these sets rather than one stem: no single rule turns
    both "biases" into "bias" and "cases" into "case", but either form meets.
    """
    found = {word}
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        found.add(word[:-1])
        if word.endswith("es"):
            found.add(word[:-2])
        if word.endswith("ies"):
            found.add(word[:-3] + "y")
    return frozenset(found)


def words(text: str) -> list[str]:
    """The words of ``text``, case-folded, punctuation dropped."""
    return [match.replace("’", "'") for match in _WORD.findall(_fold(text))]


def same_word(a: str, b: str) -> bool:
    """Equal up to case and a simple plural ("Gradients" and "gradient")."""
    return bool(forms(_fold(a)) & forms(_fold(b)))


@dataclass(frozen=True)
class KeyPointHit:
    key_point: str
    mentioned: bool


def key_point_hits(answer: str, key_points: Sequence[str | Sequence[str]]) -> list[KeyPointHit]:
    """Which key points the typed answer mentions.

    A key point is mentioned when every meaningful word of one of its
    phrasings appears in the answer (in any order), ignoring case, punctuation
    and simple plurals. A point given as a list of synonyms is reported by its
    first phrasing.
    """
    said: set[str] = set()
    for word in words(answer):
        said |= forms(word)
    hits = []
    for point in key_points:
        synonyms = [point] if isinstance(point, str) else list(point)
        mentioned = False
        for phrasing in synonyms:
            needed = [w for w in words(phrasing) if w not in _STOP_WORDS] or words(phrasing)
            if needed and all(forms(w) & said for w in needed):
                mentioned = True
                break
        hits.append(KeyPointHit(synonyms[0], mentioned))
    return hits


def normalise_blank(text: str) -> str:
    """A cloze answer as compared: trimmed, unquoted, case-folded, spaces collapsed."""
    value = _fold(text).strip()
    while len(value) >= 2 and value[0] in _QUOTES and value[-1] in _QUOTES:
        value = value[1:-1].strip()
    return " ".join(value.split())


def blank_matches(typed: str, expected: str) -> bool:
    return normalise_blank(typed) == normalise_blank(expected)


def cloze_results(typed: Sequence[str], blanks: Sequence[str]) -> list[bool]:
    """One result per blank; a missing answer is wrong."""
    return [
        index < len(typed) and blank_matches(typed[index], expected)
        for index, expected in enumerate(blanks)
    ]


# -- suggested grades --------------------------------------------------------


def suggest_from_share(right: int, total: int) -> Quality:
    """All right -> good; at least half -> wrong but familiar; less -> wrong."""
    if total == 0:
        return Quality.GOOD
    if right == total:
        return Quality.GOOD
    if right * 2 >= total:
        return Quality.WRONG_FAMILIAR
    return Quality.WRONG


def suggest_mcq_grade(chosen: Sequence[int], correct: Sequence[int]) -> Quality:
    """Exactly the right choices -> good; otherwise wrong (familiar if some were right)."""
    picked, right = set(chosen), set(correct)
    if picked == right:
        return Quality.GOOD
    if picked & right:
        return Quality.WRONG_FAMILIAR
    return Quality.WRONG


def suggest_cloze_grade(results: Sequence[bool]) -> Quality:
    return suggest_from_share(sum(results), len(results))


def suggest_qa_grade(answer: str, hits: Sequence[KeyPointHit]) -> Quality | None:
    """Nothing typed or no key points -> no suggestion: the learner judges alone."""
    if not answer.strip() or not hits:
        return None
    mentioned = sum(hit.mentioned for hit in hits)
    if mentioned == len(hits):
        return Quality.GOOD
    if mentioned * 2 >= len(hits):
        return Quality.HARD
    return Quality.WRONG_FAMILIAR if mentioned else Quality.WRONG
