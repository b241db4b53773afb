"""Character-level normalisation: what counts as the same text.

A learner types what their keyboard has: ASCII minus for the card's U+2212,
``8,256`` for ``8256``, ``255.0`` for ``255``. Both sides of a comparison go
through the same functions, so the card's own spelling never matters either.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from fractions import Fraction

# Minus sign, hyphens and dashes of every width read as "-" in an answer.
_DASHES = "\u2212\u2010\u2011\u2012\u2013\u2014\u2015\u2e3a\u2e3b\ufe58\ufe63\uff0d"
# Curly quotes (what a phone or a word processor types) read as straight ones,
# so loss=“mse” is still code.
_TRANSLATE = str.maketrans(
    {**dict.fromkeys(_DASHES, "-"), **dict.fromkeys("‘’‚", "'"), **dict.fromkeys("“”„", '"')}
)
_SUPERSCRIPTS = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
_SUPERSCRIPT_RUN = re.compile("[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_TRANSPOSE = re.compile(r"(?:ᵀ|\^[Tt])(?![\w(])")
_QUOTES = "\"'`‘’“”«»"
# Invisible characters (bidi overrides, zero-width spaces, other control
# codes) change nothing a reader sees, so they change nothing compared.
_INVISIBLE = frozenset({"Cc", "Cf"})
# After whitespace is collapsed to single spaces, a space next to punctuation
# carries no meaning: "1 / (1 - p)" is "1/(1-p)", "axis = -1" is "axis=-1".
# Spaces between two words ("learning rate") stay.
# (An empty replacement: a template such as r"\1" costs a call per match.)
_SPACE_AT_PUNCTUATION = re.compile(r" (?=[^\w ])|(?<=[^\w ]) ")
_GROUPED_NUMBER = re.compile(r"[-+]?\d{1,3}(?:([,_ ])\d{3})(?:\1\d{3})*(?:\.\d+)?")
# Exponents of at most three digits: an exact value of 1e999999999 would
# take the machine's memory.
_PLAIN_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d{1,3})?")
_FRACTION = re.compile(r"([-+]?\d{1,9})/(\d{1,9})")
# "4x" and "4×" fewer bytes are the number 4; "15 percent" is 15%.
_TIMES = ("x", "×")
# Longer "numbers" are not answers anyone types; Decimal need not see them.
_MAX_NUMBER_CHARS = 40


def fold(text: str) -> str:
    """NFKC, case-folded, dashes as "-", curly quotes straight, invisibles dropped.

    Superscripts become powers first (``T²`` -> ``t^2``; NFKC alone would
    make it the name "T2"), and a transpose is one spelling (``Wᵀ``, ``W^T``
    and ``w^t`` -> ``w.t``: in deep-learning formulas ^T is a transpose far
    more often than a power t, and case must not change an answer).
    """
    if "^" in text or not text.isascii():
        text = _TRANSPOSE.sub(".T", text)
    if not text.isascii():
        text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group().translate(_SUPERSCRIPTS), text)
        text = unicodedata.normalize("NFKC", text)
    if not text.isprintable():
        text = "".join(
            ch for ch in text if ch.isspace() or unicodedata.category(ch) not in _INVISIBLE
        )
    return text.casefold().translate(_TRANSLATE)


def strip_quotes(value: str) -> str:
    """``"relu"`` -> ``relu``: a quoted answer is the answer."""
    while len(value) >= 2 and value[0] in _QUOTES and value[-1] in _QUOTES:
        value = value[1:-1].strip()
    return value


def compact(text: str) -> str:
    """The form typed answers are compared in: folded, unquoted, spaces only between words.

    A trailing full stop or semicolon is dropped too ("normal." is "normal").
    """
    value = strip_quotes(fold(text).strip())
    value = _SPACE_AT_PUNCTUATION.sub("", " ".join(value.split()))
    if len(value) > 1 and value[-1] in ".;" and not value[-2].isdigit():
        value = value[:-1]
    return value


# A count written as a word is the count ("four" times the parameters).
_NUMBER_WORDS = {
    word: Fraction(value)
    for value, word in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
        ]
    )
}


def number_value(compacted: str) -> Fraction | None:
    """The exact number a compacted answer writes, or None.

    Accepts thousands separators (``8,256``, ``8_256``, ``8 256``), a trailing
    ``%`` (or " percent", which the caller reads as hundredths), a trailing
    "x" of a multiple (``4x``), any decimal or exponent spelling (``255.0``,
    ``1e-3``), a fraction of integers (``3/4``) and the number words zero to
    twelve. Exact, so 3/4 is 0.75 but 1/3 is not 0.333.
    """
    if compacted in _NUMBER_WORDS:
        return _NUMBER_WORDS[compacted]
    value = compacted.removesuffix("%").removesuffix(" percent")
    if value.endswith(_TIMES) and value[:-1][-1:].isdigit():
        value = value[:-1]
    if not value or len(value) > _MAX_NUMBER_CHARS:
        return None
    if fraction := _FRACTION.fullmatch(value):
        numerator, denominator = int(fraction[1]), int(fraction[2])
        return Fraction(numerator, denominator) if denominator else None
    if _GROUPED_NUMBER.fullmatch(value):
        value = re.sub(r"[,_ ]", "", value)
    if not _PLAIN_NUMBER.fullmatch(value):
        return None
    try:
        return Fraction(Decimal(value))
    except (InvalidOperation, ValueError, OverflowError):
        return None


def digits_of(text: str) -> str:
    """The digits in order: a typo may not change them (Conv1D is not Conv2D)."""
    return "".join(ch for ch in text if ch.isdigit())
