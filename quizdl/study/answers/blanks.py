"""One verdict per cloze blank: right, almost (a typo) or wrong.

A typed answer is right when it equals one of the blank's accepted answers
after ``text.compact`` (case, quotes, dashes, spacing), as a number
(``8,256`` = ``8256``, ``255.0`` = ``255``; ``50%`` = ``0.5``, and ``98%``
= ``98`` where the card prints the % sign), or as code (``code.code_key``).
A blank inside code is also compared in its line of code, so ``3`` fills
``Conv2D(32, {{(3,3)}})`` the way Keras reads it, and a learner who retypes
the text around the blank (``axis=-1`` for ``axis={{-1}}``) is not punished
for it.

An answer that is none of these but within a few typing slips of an accepted
answer is "almost": see ``typo_allowance`` for how many. A changed digit or
a swapped opposite (increases/decreases) is never a slip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from quizdl.decks.model import CLOZE_BLANK, ClozeCard
from quizdl.study.answers.code import MAX_CODE_CHARS, code_key
from quizdl.study.answers.distance import edit_distance
from quizdl.study.answers.text import compact, digits_of, number_value

_WORD_CHAR = re.compile(r"\w")
# Retyping more context than this is not a slip worth looking for.
_MAX_CONTEXT_CHARS = 200


class Verdict(Enum):
    RIGHT = "right"
    ALMOST = "almost"
    WRONG = "wrong"


@dataclass(frozen=True)
class BlankResult:
    """What one typed blank earned. ``canonical`` is the answer the card shows."""

    verdict: Verdict
    typed: str
    canonical: str

    @property
    def right(self) -> bool:
        return self.verdict is Verdict.RIGHT


@dataclass(frozen=True)
class CodeContext:
    """The code around a blank on its line, other blanks filled with their answers."""

    before: str
    after: str


def typo_allowance(answer: str) -> int:
    """How many edits still count as a typo of ``answer`` (compacted).

    Up to 4 characters none: "relu"/"selu", "tanh"/"tan" are different
    answers. 5 to 8 characters one edit ("sigmod"), longer ones two
    ("return_sequence=true"). Numbers never: 8265 is not a typo of 8256, it
    is another number.
    """
    if number_value(answer) is not None:
        return 0
    if len(answer) <= 4:
        return 0
    return 1 if len(answer) <= 8 else 2


def _retyped_context_removed(typed: str, context: CodeContext) -> str | None:
    """``axis=-1`` typed for the blank in ``axis={{...}}`` -> ``-1``; None if nothing to remove."""
    before, after = compact(context.before), compact(context.after)
    value = typed
    for k in range(min(len(value), len(before), _MAX_CONTEXT_CHARS), 1, -1):
        tail = before[-k:]
        starts_word = _WORD_CHAR.match(tail[0]) is not None
        at_boundary = k == len(before) or not (starts_word and _WORD_CHAR.match(before[-k - 1]))
        if value.startswith(tail) and at_boundary:
            value = value[k:]
            break
    for k in range(min(len(value), len(after), _MAX_CONTEXT_CHARS), 1, -1):
        head = after[:k]
        ends_word = _WORD_CHAR.match(head[-1]) is not None
        at_boundary = k == len(after) or not (ends_word and _WORD_CHAR.match(after[k]))
        if value.endswith(head) and at_boundary:
            value = value[:-k]
            break
    return value if value and value != typed else None


def _same_number(typed: str, expected: str, percent_after: bool) -> bool | None:
    """Whether two compacted answers are the same number; None if either is not one.

    A percent sign means hundredths ("98%" is 0.98) unless the card prints
    "%" right after the blank, where "98%" is the learner retyping it.
    """
    expected_number = number_value(expected)
    typed_number = number_value(typed) if expected_number is not None else None
    if expected_number is None or typed_number is None:
        return None
    typed_percent = typed.endswith(("%", " percent"))
    expected_percent = expected.endswith(("%", " percent"))
    if typed_percent == expected_percent or (typed_percent and percent_after):
        return typed_number == expected_number
    if typed_percent:
        return typed_number / 100 == expected_number
    # "98%" expected: the bare 98 the card prints, or 0.98.
    return typed_number in (expected_number, expected_number / 100)


# A hyphen or space inside a compound is spelling, not content:
# "element-wise", "elementwise" and "element wise" are one word. Only
# between runs of two or more letters, so "p-y" stays a difference.
_COMPOUND_JOIN = re.compile(r"(?<=[^\W\d_]{2})[- ](?=[^\W\d_]{2})")
_SINGLE_WORD = re.compile(r"[^\W\d_][\w]*")


def _same_words(typed: str, expected: str) -> bool:
    """Equal up to compound spelling, or one word being the other's plural."""
    if _COMPOUND_JOIN.sub("", typed) == _COMPOUND_JOIN.sub("", expected):
        return True
    if not (_SINGLE_WORD.fullmatch(typed) and _SINGLE_WORD.fullmatch(expected)):
        return False
    shorter, longer = sorted((typed, expected), key=len)
    # "LSTMs" for LSTM, "biases" for bias; not "bia" for bias.
    return len(shorter) >= 4 and longer in (shorter + "s", shorter + "es")


def _same(typed: str, answer: str, context: CodeContext | None, percent_after: bool) -> bool:
    """Whether compacted ``typed`` is ``answer`` written another way."""
    expected = compact(answer)
    if typed == expected or _same_words(typed, expected):
        return True
    same_number = _same_number(typed, expected, percent_after)
    if same_number is not None:
        return same_number
    expected_code = code_key(answer)
    if expected_code is not None and code_key(typed) == expected_code:
        return True
    if context is not None:
        in_line = code_key(context.before + answer + context.after)
        if in_line is not None and code_key(context.before + typed + context.after) == in_line:
            return True
    return False


# Word parts whose swap is the opposite answer, not a typo, however few
# letters it takes ("increases"/"decreases", "maximization"/"minimization").
_OPPOSITES = (
    ("in", "de"),
    ("en", "de"),
    ("max", "min"),
    ("over", "under"),
    ("up", "down"),
    ("pre", "post"),
    ("inter", "intra"),
    ("micro", "macro"),
    ("in", "out"),
    ("", "un"),
    ("", "non"),
)


def is_opposite(typed: str, expected: str) -> bool:
    """Whether ``typed`` is ``expected`` with one word part swapped for its opposite."""
    for first, second in _OPPOSITES:
        for a, b in ((first, second), (second, first)):
            start = typed.find(a) if a else 0
            while start != -1:
                if typed[:start] + b + typed[start + len(a) :] == expected:
                    return True
                if not a:
                    break
                start = typed.find(a, start + 1)
    return False


def check_blank(
    typed: str,
    answers: tuple[str, ...],
    context: CodeContext | None = None,
    *,
    percent_after: bool = False,
) -> BlankResult:
    """The verdict for one blank; ``answers`` are its accepted answers, canonical first.

    ``percent_after`` says the card prints "%" right after the blank.
    """
    canonical = answers[0] if answers else ""
    # No accepted answer is this long even with generous spacing: skip the work.
    if len(typed) > 10 * MAX_CODE_CHARS:
        return BlankResult(Verdict.WRONG, typed, canonical)
    value = compact(typed)
    if not value or len(value) > MAX_CODE_CHARS:
        return BlankResult(Verdict.WRONG, typed, canonical)
    candidates = [value]
    if context is not None:
        shorter = _retyped_context_removed(value, context)
        if shorter is not None:
            candidates.append(shorter)
    for candidate in candidates:
        if any(_same(candidate, answer, context, percent_after) for answer in answers):
            return BlankResult(Verdict.RIGHT, typed, canonical)
    for answer in answers:
        expected = compact(answer)
        allowance = typo_allowance(expected)
        if not allowance:
            continue
        for candidate in candidates:
            if digits_of(candidate) != digits_of(expected) or is_opposite(candidate, expected):
                continue
            if edit_distance(candidate, expected, allowance) is not None:
                return BlankResult(Verdict.ALMOST, typed, canonical)
    return BlankResult(Verdict.WRONG, typed, canonical)


def _in_code(text: str, start: int) -> tuple[int, int] | None:
    """The span of code holding position ``start``: its fenced line or inline code, else None."""
    before = text[:start]
    line_start = before.rfind("\n") + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end == -1 else line_end
    if before.count("```") % 2 == 1:
        return line_start, line_end
    line_before = text[line_start:start]
    if line_before.count("`") % 2 == 1:
        opening = line_start + line_before.rfind("`") + 1
        closing = text.find("`", start, line_end)
        return (opening, closing) if closing != -1 else None
    return None


def _balanced(before: str, after: str) -> tuple[str, str]:
    """Close what the line leaves open and drop a trailing comma, so the line parses."""
    before = before.lstrip()
    after = after.rstrip().removesuffix(",").rstrip()
    closers = {"(": ")", "[": "]", "{": "}"}
    stack: list[str] = []
    for ch in before + after:
        if ch in closers:
            stack.append(closers[ch])
        elif ch in ")]}" and stack and stack[-1] == ch:
            stack.pop()
    return before, after + "".join(reversed(stack))


def _filled(text: str, blanks: list[tuple[int, int, str]], lo: int, hi: int) -> str:
    """``text[lo:hi]`` with every blank inside it replaced by its canonical answer."""
    pieces: list[str] = []
    position = lo
    for start, end, answer in blanks:
        if start >= lo and end <= hi:
            pieces.append(text[position:start])
            pieces.append(answer)
            position = end
    pieces.append(text[position:hi])
    return "".join(pieces)


def blank_contexts(card: ClozeCard) -> list[CodeContext | None]:
    """For each blank, its line of code (other blanks filled in), or None outside code."""
    text = card.text
    blanks = [
        (match.start(), match.end(), answer)
        for match, answer in zip(CLOZE_BLANK.finditer(text), card.blanks, strict=True)
    ]
    contexts: list[CodeContext | None] = []
    for start, end, _ in blanks:
        span = _in_code(text, start)
        if span is None:
            contexts.append(None)
            continue
        before = _filled(text, blanks, span[0], start)
        after = _filled(text, blanks, end, span[1])
        contexts.append(CodeContext(*_balanced(before, after)))
    return contexts
