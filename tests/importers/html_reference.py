"""The field HTML converter as it was before the dispatch-table renderer (#13), kept only
so tests/importers/test_html_equivalence.py can check the new one gives the same Markdown.
Rules changed since are made here too, in this file's own way: ``<ol start>`` keeps
its numbers, and a table cell's line breaks and pipes cannot break its row.

Anki field HTML to readable Markdown.

Fields hold whatever a browser editor produced: ``<div>`` per line, ``<br>``,
inline styles, lists, highlighted code. The learner reads cards in a terminal,
so structure is kept (paragraphs, lists, code blocks, bold) and presentation
is dropped. MathJax ``\\( \\)`` / ``\\[ \\]`` and Anki's LaTeX tags ``[$]…[/$]``
become ``$…$`` / ``$$…$$``, which the review screen shows as written.
"""

from __future__ import annotations

import html
import re

from quizdl.importers.source import MediaNotes

_BLOCK = {
    "p",
    "div",
    "section",
    "article",
    "blockquote",
    "table",
    "tr",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "dl",
    "dt",
    "dd",
    "figure",
    "center",
}
_DROP_CONTENT = {"style", "script", "head", "title", "template", "noscript", "object", "svg"}
# quizdl's own .apkg export puts the sound's label in a comment just before the tag.
_SOUND = re.compile(r"(?:<!--sound:([^<>]{0,200}?)-->)?\[sound:([^\]]*)\]")
# Anki's LaTeX tags and MathJax delimiters become the $…$ / $$…$$ that quizdl's
# Markdown keeps as they are (a Markdown reader takes "\[" for an escaped "[").
# [latex] bodies often carry their own $ signs already.
_ANKI_LATEX = (
    (re.compile(r"\[\$\$\](.*?)\[/\$\$\]", re.DOTALL), r"$$\1$$"),
    (re.compile(r"\[\$\](.*?)\[/\$\]", re.DOTALL), r"$\1$"),
    (re.compile(r"\[latex\]\s*\$\$(.*?)\$\$\s*\[/latex\]", re.DOTALL), r"$$\1$$"),
    (re.compile(r"\[latex\]\s*\$(.*?)\$\s*\[/latex\]", re.DOTALL), r"$\1$"),
    (re.compile(r"\[latex\](.*?)\[/latex\]", re.DOTALL), r"$$\1$$"),
)
_MATHJAX = (
    (re.compile(r"\\\[(.+?)\\\]", re.DOTALL), r"$$\1$$"),
    (re.compile(r"\\\((.+?)\\\)", re.DOTALL), r"$\1$"),
)
_MARKERS = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
_NESTED_ITEM = re.compile(r"^ +(- |\d+\. )")
_REMOTE = re.compile(r"^(https?:)?//", re.IGNORECASE)


# Tags, comments and doctype found by one regex scan: html.parser's char-by-char state
# machine cost ~0.2 ms per field, most of an Anki import. Text between tags is
# unescaped with html.unescape; nothing in the field is ever executed. A tag may not
# contain "<", so a field full of unclosed "<a" costs linear time, not quadratic.
_TOKEN = re.compile(
    r"<(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s/>])([^<>\"']*(?:(?:\"[^\"]*\"|'[^']*')[^<>\"']*)*)>"
    r"|<!--.*?(?:-->|$)|<![^>]*>|<\?[^>]*>",
    re.DOTALL,
)
_WHITESPACE = re.compile(r"[ \t\r\n\f]+")
_ATTRIBUTE = re.compile(r"([A-Za-z_:][-\w:.]*)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_NEEDS_ATTRIBUTES = {"img", "a", "code", "ol"}


def _attributes(text: str) -> list[tuple[str, str | None]]:
    found: list[tuple[str, str | None]] = []
    for match in _ATTRIBUTE.finditer(text):
        value = match.group(2)
        if value is not None and value[:1] in "\"'":
            value = value[1:-1]
        found.append((match.group(1).lower(), None if value is None else html.unescape(value)))
    return found


class _Renderer:
    # A plain class with slots: one is made per field, tens of thousands per import.
    __slots__ = (
        "cells",
        "drop_depth",
        "has_text",
        "item_start",
        "link_href",
        "link_start",
        "lists",
        "marks",
        "media",
        "out",
        "pre_depth",
        "row_cells",
        "script_start",
        "table_rows",
    )  # fmt: skip

    def __init__(self, media: MediaNotes) -> None:
        self.media = media
        self.out: list[str] = []
        self.pre_depth = 0
        self.drop_depth = 0
        self.lists: list[list[int]] = []  # [counter] per open list; -1 = bullets
        self.link_href: str | None = None
        self.link_start = 0
        self.marks: list[tuple[str, int]] = []  # open emphasis: (marker, index)
        self.has_text = False
        # Just wrote "- ": a <div> inside the <li> must not break the line.
        self.item_start = False
        self.table_rows: list[int] = []  # rows written, per open table
        self.row_cells = 0
        self.cells: list[int] = []
        self.script_start = -1  # where the open <sup>/<sub> text starts

    def feed(self, source: str) -> None:
        position = 0
        for match in _TOKEN.finditer(source):
            start, end = match.span()
            if start > position:
                data = source[position:start]
                self.handle_data(html.unescape(data) if "&" in data else data)
            position = end
            closing, tag, rest = match.groups()
            if tag is None:
                continue  # a comment, doctype or processing instruction
            tag = tag.lower()
            if closing:
                self.handle_endtag(tag)
                continue
            attrs = _attributes(rest) if tag in _NEEDS_ATTRIBUTES else []
            if rest.endswith("/"):
                self.handle_startendtag(tag, attrs)
            else:
                self.handle_starttag(tag, attrs)
        if position < len(source):
            self.handle_data(html.unescape(source[position:]))

    # -- helpers ----------------------------------------------------------

    def _newlines(self, count: int) -> None:
        if not self.has_text or self.item_start:
            return
        trailing = 0
        for piece in reversed(self.out):
            stripped = piece.rstrip("\n")
            trailing += len(piece) - len(stripped)
            if stripped:
                break
        if trailing < count:
            self.out.append("\n" * (count - trailing))

    # -- parser callbacks ---------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self.drop_depth += 1
            return
        if self.drop_depth:
            return
        attributes = {name: value or "" for name, value in attrs}
        if tag == "br":
            self.out.append("\n")
        elif tag == "hr":
            self._newlines(2)
            self.out.append("---")
            self._newlines(2)
        elif tag == "pre":
            self._newlines(2)
            self.out.append("```\n")
            self.pre_depth += 1
        elif tag == "code" and self.pre_depth and self.out[-1:] == ["```\n"]:
            language = re.match(r"(?:lang|language)-([\w+-]+)", attributes.get("class", ""))
            if language:
                self.out[-1] = f"```{language.group(1)}\n"
        elif tag in _MARKERS and not self.pre_depth:
            marker = _MARKERS[tag]
            # "<i>a</i><i>b</i>" is one run: reopen the one just closed instead of writing
            # "*a**b*", which Markdown reads as bold.
            if len(self.out) >= 4 and self.out[-1] == "" and self.out[-2] == marker:
                del self.out[-2:]
                self.marks.append((marker, len(self.out) - 2))
            else:
                self.marks.append((marker, len(self.out)))
                self.out.append(marker)
        elif tag in ("sup", "sub") and not self.pre_depth:
            self.out.append("^" if tag == "sup" else "_")
            self.script_start = len(self.out)
        elif tag in ("ul", "ol"):
            self.item_start = False
            self._newlines(1)
            start = re.fullmatch(r"\s*([1-9][0-9]{0,8})\s*", attributes.get("start", ""))
            first = int(start.group(1)) - 1 if start else 0
            self.lists.append([first if tag == "ol" else -1])
        elif tag == "li":
            self.item_start = False
            self._newlines(1)
            indent = "  " * max(0, len(self.lists) - 1)
            if self.lists and self.lists[-1][0] >= 0:
                self.lists[-1][0] += 1
                self.out.append(f"{indent}{self.lists[-1][0]}. ")
            else:
                self.out.append(f"{indent}- ")
            self.item_start = True
        elif tag == "table":
            self._newlines(2)
            self.table_rows.append(0)
        elif tag == "tr" and self.table_rows:
            self._newlines(1)
            self.out.append("|")
            self.row_cells = 0
        elif tag in ("td", "th"):
            self.out.append(" ")
            self.row_cells += 1
            self.cells.append(len(self.out))
        elif tag == "img":
            self._image(attributes)
        elif tag == "a":
            self.link_href = attributes.get("href", "")
            self.link_start = len(self.out)
        elif tag in _BLOCK:
            self._newlines(1 if tag in ("div", "tr", "dd", "dt") else 2)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr", "img"):
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self.drop_depth = max(0, self.drop_depth - 1)
            return
        if self.drop_depth:
            return
        if tag == "tr":
            self.cells.clear()  # an open cell ends with its row
        if tag == "pre" and self.pre_depth:
            self.pre_depth -= 1
            if "".join(self.out[-1:]).endswith("\n") is False:
                self.out.append("\n")
            self.out.append("```")
            self._newlines(2)
        elif tag in _MARKERS and not self.pre_depth:
            self._close_mark(_MARKERS[tag])
        elif tag in ("sup", "sub") and not self.pre_depth and self.script_start >= 0:
            # x<sup>2</sup> -> x^2, x<sub>t-1</sub> -> x_(t-1): readable, never "x2".
            inner = "".join(self.out[self.script_start :])
            body = inner.strip()
            trail = inner[len(inner.rstrip()) :]
            simple = re.fullmatch(r"[-+]?\w+", body) is not None
            self.out[self.script_start :] = [body if simple else f"({body})", trail]
            self.script_start = -1
        elif tag in ("td", "th") and (self.cells or self.table_rows):
            if self.cells:
                start = self.cells.pop()
                self.out[start:] = [
                    re.sub(r"[ \t]*\n+[ \t]*", " ", piece).replace("|", "\\|")
                    for piece in self.out[start:]
                ]
            if self.table_rows:
                self.out.append(" |")
        elif tag == "tr" and self.table_rows:
            self.table_rows[-1] += 1
            if self.table_rows[-1] == 1 and self.row_cells:
                # Markdown tables need a header row: the first row is it.
                self.out.append("\n|" + " --- |" * self.row_cells)
            self._newlines(1)
        elif tag == "table" and self.table_rows:
            self.table_rows.pop()
            self._newlines(2)
        elif tag in ("ul", "ol"):
            if self.lists:
                self.lists.pop()
            self._newlines(2 if not self.lists else 1)
        elif tag == "a":
            self._close_link()
        elif tag in _BLOCK:
            self._newlines(1 if tag in ("div", "tr", "dd", "dt") else 2)

    def handle_data(self, data: str) -> None:
        if self.drop_depth:
            return
        if (
            not self.pre_depth
            and data
            and data[0] in " \t\r\n\f"
            and (self.item_start or self._ends_word(len(self.out)))
        ):
            # One space where text and tags leave several; none where a line begins.
            data = data.lstrip(" \t\r\n\f")
        if data.strip():
            self.has_text = True
            self.item_start = False
        if self.pre_depth:
            self.out.append(data)
            return
        # Outside <pre>, HTML collapses whitespace; a source newline is a space. Layout
        # whitespace between tags at a line start would become a blank line (and split
        # a nested list), so it is dropped there.
        if not data.strip() and (
            not self.out
            or self.out[-1].endswith("\n")
            or self.item_start
            or (self.table_rows and not self.cells)
        ):
            return
        self.out.append(_WHITESPACE.sub(" ", data))

    def _ends_word(self, index: int) -> bool:
        text = "".join(self.out[:index])
        return not text or text[-1] in " \n"

    def _image(self, attributes: dict[str, str]) -> None:
        src = attributes.get("src", "").strip()
        alt = attributes.get("alt", "")
        if _REMOTE.match(src):
            self.media.remote_links += 1
            self.out.append(f"![{alt}]({src})")
        elif src.lower().startswith("data:"):
            self.media.images += 1
            self.out.append("[image: embedded in the field, not imported]")
        elif src:
            self.has_text = True
            self.out.append(self.media.image(src, alt))

    def finish(self) -> None:
        """Open emphasis, innermost first: closed over the rest of the field, or its
        marker deleted when a blank line lies in that rest."""
        for marker, index in reversed(list(self.marks)):
            if "\n\n" in "".join(self.out[index + 1 :]):
                del self.out[index]
                self.marks.remove((marker, index))
            else:
                self._close_mark(marker)

    def _close_mark(self, marker: str) -> None:
        """Close emphasis; whitespace moves outside the markers, empty emphasis vanishes
        (``the<b> term</b>`` must not become ``the** term**``, which is not bold)."""
        for position in range(len(self.marks) - 1, -1, -1):
            if self.marks[position][0] == marker:
                index = self.marks[position][1]
                del self.marks[position:]
                break
        else:
            return
        inner = "".join(self.out[index + 1 :])
        body = inner.strip()
        if not body:
            self.out[index:] = [] if self._ends_word(index) and not inner.strip(" ") else [inner]
            return
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        if lead and not lead.strip(" ") and self._ends_word(index):
            lead = ""
        self.out[index:] = [lead, marker, body, marker, trail]

    def _close_link(self) -> None:
        href = self.link_href
        self.link_href = None
        if not href or not _REMOTE.match(href):
            return
        text = "".join(self.out[self.link_start :]).strip()
        # An empty link is a heading's anchor icon: nothing to read.
        if text and text != href:
            self.out[self.link_start :] = [f"[{text}]({href})"]


def html_to_markdown(source: str, media: MediaNotes | None = None) -> str:
    """Render one field's HTML as Markdown; images and sounds go through ``media`` (kept
    when it can fetch them, else marked as ``[image: NAME]``)."""
    notes = media if media is not None else MediaNotes()
    if "[" in source:
        # The reference is HTML text, so it is escaped back: the renderer unescapes it once.
        source = _SOUND.sub(
            lambda match: html.escape(
                notes.sound(html.unescape(match.group(2)).strip(), match.group(1) or "")
            ),
            source,
        )
        for pattern, replacement in _ANKI_LATEX:
            source = pattern.sub(replacement, source)
    if "\\" in source:
        for pattern, replacement in _MATHJAX:
            source = pattern.sub(replacement, source)
    renderer = _Renderer(notes)
    renderer.feed(source)
    renderer.finish()
    return _protect_angles(_nbsp(tidy("".join(renderer.out))))


_LEADING_NBSP = re.compile(r"^[\xa0 ]*\xa0[\xa0 ]*")
_LIST_ITEM = re.compile(r"^([-*+]|\d+[.)])\s")


def _nbsp(text: str) -> str:
    """Non-breaking spaces read as spaces, except where they indent a line: code typed
    in Anki's editor keeps its indentation only through them (and a Markdown reader
    strips ordinary leading spaces)."""
    if "\xa0" not in text:
        if " \n" not in text and not text.endswith(" "):
            return text  # the common case: nothing to change
        return "\n".join(line.rstrip(" ") for line in text.split("\n"))
    lines = []
    for raw in text.split("\n"):
        line = raw.rstrip(" \xa0")
        lead = _LEADING_NBSP.match(line)
        indent = lead.group(0).replace(" ", "\xa0") if lead else ""
        text = line[len(indent) :]
        if indent and _LIST_ITEM.match(text):
            indent = "" if len(indent) == 1 else indent.replace("\xa0", " ")
        lines.append(indent + text.replace("\xa0", " "))
    return "\n".join(lines)


# "<" that starts what CommonMark reads as an HTML tag would be hidden by the review
# screen ("&lt;Yesterday&gt;" must not vanish). Outside code and math it is escaped;
# inside math a space keeps the formula the same.
_TAG_LIKE = re.compile(r"<(?=[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|/[A-Za-z]|[!?])")
_CODE_OR_MATH = re.compile(r"```.*?(?:```|$)|`[^`\n]*`|\$\$.*?\$\$|\$[^$\n]+\$", re.DOTALL)


def _protect_angles(text: str) -> str:
    if "<" not in text:
        return text
    out: list[str] = []
    position = 0
    for match in _CODE_OR_MATH.finditer(text):
        out.append(_TAG_LIKE.sub(r"\\<", text[position : match.start()]))
        chunk = match.group(0)
        out.append(_TAG_LIKE.sub("< ", chunk) if chunk.startswith("$") else chunk)
        position = match.end()
    out.append(_TAG_LIKE.sub(r"\\<", text[position:]))
    return "".join(out)


def tidy(text: str) -> str:
    """Trim line ends and collapse runs of blank lines, leaving code blocks as they are."""
    if "\n" not in text:
        return text.strip()  # what the loop below makes of a single line
    lines: list[str] = []
    in_code = False
    for line in text.split("\n"):
        if line.strip().startswith("```"):
            in_code = not in_code
            lines.append(line.strip())
            continue
        if in_code:
            lines.append(line)
        elif _NESTED_ITEM.match(line):
            lines.append(line.rstrip(" \t"))
        else:
            lines.append(line.strip(" \t"))
    result = "\n".join(lines)
    result = re.sub(r"\n{3,}", "\n\n", result)
    return result.strip()


# A tag name followed by what may follow one in HTML: "\(M<p\)" is math, not a paragraph.
_HTML_HINT = re.compile(
    r"</?(br|div|p|b|i|u|ul|ol|li|span|strong|em|code|pre|img|a|font)(?=[\s/>])",
    re.I,
)


def looks_like_html(text: str) -> bool:
    return bool(_HTML_HINT.search(text)) or "&nbsp;" in text
