"""Markdown question lists in the styles people write them.

* ``## Question`` headings with the answer below (when the file has no other
  question style). A heading counts as a question when it ends with "?", or
  when most headings do (then imperative ones like "Explain ..." count too);
  other headings are sections. The first ``#`` heading is the deck title.
* ``Q:``/``A:`` pairs (also ``**Q:**``, ``Question:``/``Answer:``).
* A whole bold line as the question, the answer running to the next
  separator (``<br/>``, a rule, a heading). A bold line only starts a question
  at the start of a block, so bold lines inside answers stay answers; in a file
  without separators every whole bold line is a question.
* ``<details><summary>Question</summary>answer</details>``, or a question
  followed by ``<details><summary>Answer</summary>...``.

In the non-heading styles, headings are sections and become tags. Difficulty
emojis at the end of a question (👶 ⭐ 🚀, as in data-science-interviews)
become tags easy/medium/expert.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from quizdl.importers.assemble import DeckBuilder
from quizdl.importers.html_text import html_to_markdown, looks_like_html, tidy
from quizdl.importers.ids import content_id
from quizdl.importers.refuse import refuse
from quizdl.importers.source import ImportOptions, ImportSource, MediaNotes

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SEPARATOR = re.compile(r"^\s*(<br\s*/?>|(-\s*){3,}|(\*\s*){3,}|(_\s*){3,})\s*$", re.IGNORECASE)
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?!\s)(.{1,2000}?)(?<!\s)\1\s*$")
_MARK = r"(?:\*\*|__)?"
_Q_LINE = re.compile(
    rf"^\s*(?:[-*]\s+)?{_MARK}(?:Q|Question)\s*\d*\s*(?:[:：]\s*{_MARK}|{_MARK}\s*[:：])\s*(.*)$",
    re.IGNORECASE,
)
_A_LINE = re.compile(
    rf"^\s*(?:[-*]\s+)?{_MARK}(?:A|Answer)\s*\d*\s*(?:[:：]\s*{_MARK}|{_MARK}\s*[:：])\s*(.*)$",
    re.IGNORECASE,
)
_DETAILS = re.compile(r"<details\b[^>]*>(.*?)</details\s*>", re.IGNORECASE | re.DOTALL)
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
_GENERIC_SUMMARY = re.compile(
    r"^(show |click |see |reveal )?(the )?(answer|solution|spoiler|details|hint|expand)"
    r"( here| to (show|reveal|expand)( answer)?)?\W*$",
    re.IGNORECASE,
)
_DIFFICULTY = {"👶": "easy", "⭐": "medium", "🚀": "expert"}
_TRAILING_MARKS = re.compile(r"[\s\u200d\ufe0f]*([👶⭐🚀])[\s\u200d\ufe0f]*$")
_LIST_NUMBER = re.compile(r"^\s*(\d+[.)]|[-*+])\s+")


@dataclass
class _Item:
    line: int
    question: list[str]
    answer: list[str] = field(default_factory=list)
    in_answer: bool = False
    tags: list[str] = field(default_factory=list)


def _clean_question(text: str) -> tuple[str, list[str]]:
    tags: list[str] = []
    text = text.strip()
    match = _BOLD_LINE.match(text)
    if match:
        text = match.group(2)
    while (match := _TRAILING_MARKS.search(text)) is not None:
        tags.append(_DIFFICULTY[match.group(1)])
        text = text[: match.start()]
    return text.strip().strip("\u200d\ufe0f").strip(), tags


def _strip_outer_bold(text: str) -> str:
    text = text.strip()
    if text.endswith(("**", "__")) and text.count("**") % 2 == 1:
        text = text[:-2].rstrip()
    return text


class _Reader:
    def __init__(self, path: Path, text: str, options: ImportOptions) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.builder = DeckBuilder(path, options)
        self.media = MediaNotes()
        self.title: str | None = None
        self.sections: dict[int, str] = {}
        self.current: _Item | None = None
        self.loose: list[tuple[int, str]] = []

    # -- shared ---------------------------------------------------------

    def _section_tags(self) -> list[str]:
        return [self.sections[level] for level in sorted(self.sections)][-1:]

    def _heading(self, level: int, text: str) -> None:
        if level == 1 and self.title is None:
            self.title = text
            return
        for deeper in [key for key in self.sections if key >= level]:
            del self.sections[deeper]
        self.sections[level] = " ".join(text.split())  # also turns &nbsp; into a space

    def _flush(self) -> None:
        item, self.current = self.current, None
        self.loose = []
        if item is None:
            return
        question, difficulty = _clean_question(" ".join(part.strip() for part in item.question))
        answer = "\n".join(item.answer)
        if looks_like_html(answer) and "```" not in answer:
            answer = html_to_markdown(answer, self.media)
        answer = tidy(answer)
        self.builder.add_qa(
            content_id(question),
            question,
            answer,
            [*item.tags, *difficulty],
            f"line {item.line}",
            dedupe_question=True,
        )

    # -- heading style --------------------------------------------------

    def read_headings(self) -> None:
        headings: list[tuple[int, int, str]] = []  # (line index, level, text)
        in_fence = False
        for index, line in enumerate(self.lines):
            if _FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and (match := _HEADING.match(line)):
                headings.append((index, len(match.group(1)), match.group(2)))
        candidates = [h for h in headings if h[1] >= 2 or h is not headings[0]]
        asking = [h for h in candidates if h[2].rstrip().endswith("?")]
        lenient = len(asking) * 2 >= len(candidates) and asking
        question_level = max((h[1] for h in asking), default=0)
        for position, (index, level, text) in enumerate(headings):
            end = headings[position + 1][0] if position + 1 < len(headings) else len(self.lines)
            is_question = text.rstrip().endswith("?") or (lenient and level == question_level)
            if not is_question or (level == 1 and self.title is None):
                self._heading(level, text)
                continue
            body = [line for line in self.lines[index + 1 : end] if not _SEPARATOR.match(line)]
            self.current = _Item(index + 1, [text], body, True, self._section_tags())
            self._flush()
        if headings and not self.builder.cards and not self.builder.skipped:
            shown = ", ".join(repr(h[2]) for h in headings[:3])
            refuse(self.path, f"no questions found: no heading reads as a question ({shown})")

    # -- the other styles -----------------------------------------------

    def read_blocks(self) -> None:
        has_separators = any(_SEPARATOR.match(line) for line in self.lines)
        block_start = True
        in_fence = False
        index = 0
        while index < len(self.lines):
            line = self.lines[index]
            number = index + 1
            index += 1
            if _FENCE.match(line):
                in_fence = not in_fence
            if in_fence or _FENCE.match(line):
                self._text(number, line)
                continue
            if not line.strip():
                self._text(number, line)
                continue
            if match := _HEADING.match(line):
                self._flush()
                self._heading(len(match.group(1)), match.group(2))
                block_start = True
                continue
            if _SEPARATOR.match(line):
                self._flush()
                block_start = True
                continue
            if "<details" in line.lower():
                end = index - 1
                while end < len(self.lines) and "</details" not in self.lines[end].lower():
                    end += 1
                block = "\n".join(self.lines[index - 1 : end + 1])
                self._details(number, block)
                index = end + 1
                block_start = True
                continue
            if match := _Q_LINE.match(line):
                self._flush()
                self.current = _Item(
                    number, [_strip_outer_bold(match.group(1))], tags=self._section_tags()
                )
            elif (match := _A_LINE.match(line)) and self.current and not self.current.in_answer:
                self.current.in_answer = True
                self.current.answer.append(_strip_outer_bold(match.group(1)))
            elif (match := _BOLD_LINE.match(line)) and (block_start or not has_separators):
                self._flush()
                self.current = _Item(number, [line], in_answer=True, tags=self._section_tags())
            else:
                self._text(number, line)
            block_start = False
        self._flush()

    def _text(self, number: int, line: str) -> None:
        if self.current is None:
            self.loose.append((number, line))
        elif self.current.in_answer:
            self.current.answer.append(line)
        else:
            self.current.question.append(line)

    def _details(self, number: int, block: str) -> None:
        match = _DETAILS.search(block)
        inner = match.group(1) if match else block
        summary_match = _SUMMARY.search(inner)
        summary = html_to_markdown(summary_match.group(1)) if summary_match else ""
        body = _SUMMARY.sub("", inner, count=1).strip()
        if summary and not _GENERIC_SUMMARY.match(summary):
            self._flush()
            self.current = _Item(number, [summary], [body], True, self._section_tags())
        elif self.current is not None and not self.current.answer:
            self.current.in_answer = True
            self.current.answer.append(body)
        elif any(text.strip() for _, text in self.loose):
            first = next(n for n, text in self.loose if text.strip())
            question = " ".join(_LIST_NUMBER.sub("", t).strip() for _, t in self.loose if t.strip())
            self.current = _Item(first, [question], [body], True, self._section_tags())
        else:
            self.builder.skip(f"line {number}", "a <details> answer with no question before it")
            return
        self._flush()


def read_markdown(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
    reader = _Reader(path, text, options)
    other_styles = any(
        _Q_LINE.match(line) or _BOLD_LINE.match(line) or "<details" in line.lower()
        for line in reader.lines
    )
    if other_styles:
        reader.read_blocks()
    else:
        reader.read_headings()
    title = reader.title or path.stem
    deck = reader.builder.build(title, path.stem if reader.title is None else title)
    source = ImportSource(deck, "markdown", path, digest, reader.builder.skipped, reader.media)
    if reader.builder.unanswered_skipped:
        source.notes.append(
            f"{reader.builder.unanswered_skipped} question(s) without a real answer skipped "
            "(--keep-unanswered imports them)"
        )
    return source
