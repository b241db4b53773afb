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
from quizdl.importers.source import ImportOptions, ImportSource, MediaNotes, title_fields

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
# "[[src](https://…)]" or "[[src]](https://…)" after a question: where it came from.
_SOURCE_LINK = re.compile(r"\s*\[\[([^\[\]]*)\](?:\((\S+?)\)\]|\]\((\S+?)\))\s*$")
# Numbering a source gave its questions: "Q12:", "Question 3.", "36)", "7.".
_Q_NUMBER = re.compile(r"^(?:Q(?:uestion)?\s*\d*\s*[:.)]|\d{1,4}\s*[.)])\s+", re.IGNORECASE)
_LABELLED_Q = re.compile(r"^Q(?:uestion)?\s*\d*\s*[:.)]\s+", re.IGNORECASE)
# Headings that ask without a question mark ("Explain the kernel trick.").
_IMPERATIVE = re.compile(
    r"^(explain|describe|define|compare|contrast|derive|discuss|distinguish|differentiate"
    r"|implement|prove|calculate|compute|outline|summari[sz]e|list|name|give|state|show"
    r"|write|illustrate|justify|sketch)\b",
    re.IGNORECASE,
)
_ANSWER_LABEL = re.compile(
    r"^\s*(?:\*\*|__)?(?:A|Answer)\s*(?:[:：]\s*(?:\*\*|__)?|(?:\*\*|__)\s*[:：])\s*", re.IGNORECASE
)
# A table of contents: a list item that is only a link to a place in the file.
_TOC_LINE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]]+\]\(#[^)]*\)\s*$")
# Headings that name a part of a page, never a question, wherever they sit.
_SECTION_NAME = re.compile(
    r"^(summary|conclusions?|references|resources|sources|links|further reading|see also"
    r"|introduction|overview|contents|table of contents|toc|contributing|contributors|license"
    r"|acknowledge?ments|credits|notes|appendix|faq|about|changelog|todo)\W*$",
    re.IGNORECASE,
)
_LIST_QUESTION = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(.+\?)\s*$")
# "12. What is X? [[src]](https://…)" at the left margin, its answer in the lines below.
_NUMBERED_QUESTION = re.compile(r"^\d{1,4}[.)]\s+(?!\[)(.+?\?)\s*(\[\[[^\[\]]*\].*)?$")


@dataclass(frozen=True)
class _HeadingQuestion:
    text: str  # the question without numbering or source link
    source: str  # "[src](url)" or ""
    asks: bool  # reads as a question on its own


def _heading_question(heading: str) -> _HeadingQuestion:
    source = ""
    text = heading.strip()
    link = _SOURCE_LINK.search(text)
    if link:
        url = link.group(2) or link.group(3)
        source = f"[{link.group(1).strip() or 'source'}]({url})"
        text = text[: link.start()].rstrip()
    labelled = _LABELLED_Q.match(text) is not None
    numbered = _Q_NUMBER.match(text)
    if numbered:
        text = text[numbered.end() :].strip()
    asks = text.endswith("?") or labelled or bool(_IMPERATIVE.match(text) and len(text) > 12)
    return _HeadingQuestion(text, source, asks)


def _clean_answer(text: str) -> str:
    """Without a leading "Answer:" label, which only repeats what the card says."""
    return _ANSWER_LABEL.sub("", text, count=1) if _ANSWER_LABEL.match(text) else text


@dataclass
class _Item:
    line: int
    question: list[str]
    answer: list[str] = field(default_factory=list)
    in_answer: bool = False
    tags: list[str] = field(default_factory=list)
    source: str = ""  # "[src](url)" given after the question


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


def _spaces(text: str) -> str:
    """Non-breaking spaces within a line as spaces, as an Anki field's read
    (``html_text``): pasted from a web page, they are not meant, and a card sent
    through an export would come back with plain ones. Those that indent a line stay."""
    if "\xa0" not in text:
        return text
    lines = []
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" \xa0"))
        lines.append(line[:indent] + line[indent:].replace("\xa0", " "))
    return "\n".join(lines)


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
        question = _spaces(_heading_question(question).text or question)
        answer = _spaces("\n".join(item.answer))
        if looks_like_html(answer) and "```" not in answer:
            answer = html_to_markdown(answer, self.media)
        answer = _clean_answer(tidy(answer))
        if item.source:
            answer = f"{answer}\n\nSource: {item.source}".strip()
        self.builder.add_qa(
            content_id(question),
            question,
            answer,
            [*item.tags, *difficulty],
            f"line {item.line}",
            dedupe_question=True,
        )

    # -- heading style --------------------------------------------------

    def headings(self) -> list[tuple[int, int, str]]:
        """(line index, level, text) of every heading outside code blocks."""
        found: list[tuple[int, int, str]] = []
        in_fence = False
        for index, line in enumerate(self.lines):
            if _FENCE.match(line):
                in_fence = not in_fence
            elif not in_fence and (match := _HEADING.match(line)):
                found.append((index, len(match.group(1)), match.group(2)))
        return found

    def read_headings(self) -> None:
        headings = self.headings()
        candidates = [h for h in headings if h[1] >= 2 or h is not headings[0]]
        parsed = {h[0]: _heading_question(h[2]) for h in headings}
        asking = [h for h in candidates if parsed[h[0]].asks]
        lenient = len(asking) * 2 >= len(candidates) and asking
        question_level = max((h[1] for h in asking), default=0)
        # One heading and text under it (a term or a question per file, as in folders of
        # notes): the heading is the front whatever it says.
        single = len(headings) == 1 and self._has_text(headings[0][0] + 1, len(self.lines))
        for position, (index, level, text) in enumerate(headings):
            end = headings[position + 1][0] if position + 1 < len(headings) else len(self.lines)
            heading = parsed[index]
            # A sibling of the question headings with an answer under it is a question
            # too, even without "?": dropping it would make it the next card's tag.
            sibling = (
                level == question_level
                and self._has_text(index + 1, end)
                and not _SECTION_NAME.match(heading.text)
            )
            is_question = heading.asks or single
            if lenient and level == question_level and not _SECTION_NAME.match(heading.text):
                is_question = True
            is_question = is_question or sibling
            if not is_question or (level == 1 and self.title is None and not single):
                self._heading(level, text)
                continue
            body = [line for line in self.lines[index + 1 : end] if not _SEPARATOR.match(line)]
            if heading.source:
                body += ["", f"Source: {heading.source}"]
            question = heading.text if heading.asks or heading.text else text
            self.current = _Item(index + 1, [question], body, True, self._section_tags())
            self._flush()
        if not self.builder.cards:
            self._list_questions()
        if headings and not self.builder.cards and not self.builder.skipped:
            shown = ", ".join(repr(h[2]) for h in headings[:3])
            refuse(self.path, f"no questions found: no heading reads as a question ({shown})")

    def _has_text(self, start: int, end: int) -> bool:
        return any(
            line.strip() and not _SEPARATOR.match(line) and not _HEADING.match(line)
            for line in self.lines[start:end]
        )

    def _list_questions(self) -> None:
        """Exercises: questions as list items, with no answers. They come in as questions
        with --keep-unanswered, and are listed as skipped otherwise."""
        for number, line in enumerate(self.lines, start=1):
            if _TOC_LINE.match(line):
                continue
            if match := _LIST_QUESTION.match(line):
                self.current = _Item(number, [match.group(1)], [], True, self._section_tags())
                self._flush()

    # -- the other styles -----------------------------------------------

    def read_blocks(self, numbered: bool = False) -> None:
        """``numbered``: lines like "12. What is X?" start questions too."""
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
            if numbered and (match := _NUMBERED_QUESTION.match(line)):
                self._flush()
                heading = _heading_question(line)
                self.current = _Item(number, [heading.text], [], True, self._section_tags())
                self.current.source = heading.source
            elif match := _Q_LINE.match(line):
                self._flush()
                self.current = _Item(
                    number, [_strip_outer_bold(match.group(1))], tags=self._section_tags()
                )
            elif (match := _A_LINE.match(line)) and self.current and not self.current.in_answer:
                self.current.in_answer = True
                self.current.answer.append(_strip_outer_bold(match.group(1)))
            elif (match := _BOLD_LINE.match(line)) and (
                block_start or not has_separators or _asks(match.group(2))
            ):
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
        elif not line.strip() and any(part.strip() for part in self.current.question):
            # "**Q:** …?" then a blank line: what follows is the answer even unlabelled.
            self.current.in_answer = True
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


def _numbered_questions_with_answers(lines: list[str]) -> int:
    """How many "12. What is X?" lines have an answer paragraph under them (a list of
    questions alone is a set of exercises, read elsewhere)."""
    count = 0
    for index, line in enumerate(lines):
        if not _NUMBERED_QUESTION.match(line):
            continue
        for following in lines[index + 1 : index + 40]:
            if not following.strip():
                continue
            if _NUMBERED_QUESTION.match(following) or _HEADING.match(following):
                break
            count += 1
            break
    return count


def _asks(text: str) -> bool:
    question, _ = _clean_question(text)
    return question.rstrip("*_ ").endswith("?")


def read_markdown(path: Path, text: str, digest: str, options: ImportOptions) -> ImportSource:
    reader = _Reader(path, text, options)
    # The style with more questions wins: one whole-bold line inside an answer must not
    # turn a file of 36 heading questions into a file of bold questions.
    block_questions = sum(
        1
        for line in reader.lines
        if _Q_LINE.match(line)
        or "<details" in line.lower()
        or ((bold := _BOLD_LINE.match(line)) and _asks(bold.group(2)))
    )
    bold_lines = sum(1 for line in reader.lines if _BOLD_LINE.match(line))
    heading_questions = sum(1 for h in reader.headings() if _heading_question(h[2]).asks)
    numbered = _numbered_questions_with_answers(reader.lines)
    other_styles = block_questions or bold_lines or numbered
    if (
        other_styles
        and heading_questions > max(block_questions + numbered, 0)
        and (heading_questions > 1)
    ):
        other_styles = 0
    if other_styles:
        reader.read_blocks(numbered=numbered >= 2)
    else:
        reader.read_headings()
    title = reader.title or path.stem
    deck = reader.builder.build(title, path.stem if reader.title is None else title)
    source = ImportSource(
        deck,
        "markdown",
        path,
        digest,
        reader.builder.skipped,
        reader.media,
        deck_fields=title_fields(reader.title is not None),
        deck_id_given=reader.builder.deck_id_given,
    )
    if reader.builder.unanswered_skipped:
        source.notes.append(
            f"{reader.builder.unanswered_skipped} question(s) without a real answer skipped "
            "(--keep-unanswered imports them)"
        )
    return source
