"""Anki cloze markup to quizdl blanks.

Anki makes one card per cloze number; the card for number N hides every
``{{cN::answer::hint}}`` and shows the other numbers' answers as plain text.
quizdl's cloze card marks its blanks ``{{answer}}``. Deletions may nest
(``{{c1::a {{c2::b}} c}}``), so braces are matched by depth, not by regex.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_OPEN = re.compile(r"\{\{c(\d+)::")


@dataclass
class _Deletion:
    number: int
    start: int  # index of "{{"
    end: int  # index after the closing "}}"
    body_start: int
    body_end: int


def _find(text: str, pos: int) -> _Deletion | None:
    match = _OPEN.search(text, pos)
    if match is None:
        return None
    depth = 1
    index = match.end()
    while index < len(text) - 1:
        pair = text[index : index + 2]
        if pair == "{{":
            depth += 1
            index += 2
        elif pair == "}}":
            depth -= 1
            if depth == 0:
                return _Deletion(int(match.group(1)), match.start(), index + 2, match.end(), index)
            index += 2
        else:
            index += 1
    return None  # unclosed: Anki shows it as text, so do we


def _split_hint(body: str) -> tuple[str, str | None]:
    depth = 0
    index = 0
    while index < len(body) - 1:
        pair = body[index : index + 2]
        if pair == "{{":
            depth += 1
            index += 2
        elif pair == "}}":
            depth -= 1
            index += 2
        elif pair == "::" and depth == 0:
            return body[:index], body[index + 2 :]
        else:
            index += 1
    return body, None


@dataclass
class ClozeResult:
    text: str
    hints: list[str] = field(default_factory=list)
    blanks: int = 0


def to_blanks(text: str, number: int) -> ClozeResult:
    """The card for cloze ``number``: its deletions become ``{{answer}}``, others plain text."""
    result = ClozeResult("")
    result.text = _convert(text, number, result)
    return result


def _convert(text: str, number: int, result: ClozeResult) -> str:
    out: list[str] = []
    pos = 0
    while (deletion := _find(text, pos)) is not None:
        out.append(text[pos : deletion.start])
        answer, hint = _split_hint(text[deletion.body_start : deletion.body_end])
        inner = _convert(answer, number, result)
        if deletion.number == number:
            plain = re.sub(r"\{\{(.+?)\}\}", r"\1", inner).strip() or "…"
            # A "}}" inside the answer (LaTeX), or a brace against our own, would end the
            # blank early; a space there is dropped again when the blank is read.
            plain = plain.replace("}}", "} }").replace("{{", "{ {")
            # "|" separates accepted answers in a quizdl blank: Anki's is literal.
            plain = plain.replace("|", "\\|")
            plain = (" " if plain.startswith("{") else "") + plain
            plain += " " if plain.endswith("}") else ""
            out.append("{{" + plain + "}}")
            result.blanks += 1
            if hint and hint.strip():
                result.hints.append(hint.strip())
        else:
            out.append(inner)
        pos = deletion.end
    out.append(text[pos:])
    return "".join(out)
