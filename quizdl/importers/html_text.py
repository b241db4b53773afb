"""Anki field HTML to readable Markdown (standard library html.parser only).

Fields hold whatever a browser editor produced: ``<div>`` per line, ``<br>``,
inline styles, lists, highlighted code. The learner reads cards in a terminal,
so structure is kept (paragraphs, lists, code blocks, bold) and presentation
is dropped. MathJax ``\\( \\)`` / ``\\[ \\]`` and Anki's LaTeX tags ``[$]…[/$]``
become ``$…$`` / ``$$…$$``, which the review screen shows as written.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable

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
# HTML's whitespace: what it collapses to one space.
_SPACE_CHARS = " \t\r\n\f"
_WHITESPACE = re.compile(f"[{_SPACE_CHARS}]+")
_SPACES = frozenset(_SPACE_CHARS)
_ATTRIBUTE = re.compile(r"([A-Za-z_:][-\w:.]*)\s*(?:=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_NEEDS_ATTRIBUTES = {"img", "a", "code", "ol"}
# An <ol start="..."> Markdown can number (CommonMark allows up to nine digits).
_LIST_START = re.compile(r"\s*([1-9][0-9]{0,8})\s*")
# A line break inside a table cell: a Markdown table row is one line.
_CELL_BREAK = re.compile(r"[ \t]*\n+[ \t]*")


def _attributes(text: str) -> dict[str, str]:
    """A tag's attributes, lower-case names, values unescaped ("" when absent); the first
    of a repeated name is overwritten by the last, as before."""
    found: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        value = match.group(2)
        if value is None:
            found[match.group(1).lower()] = ""
            continue
        if value[:1] in "\"'":
            value = value[1:-1]
        found[match.group(1).lower()] = html.unescape(value) if "&" in value else value
    return found


_NO_ATTRIBUTES: dict[str, str] = {}
_LANGUAGE = re.compile(r"(?:lang|language)-([\w+-]+)")
_SIMPLE_SCRIPT = re.compile(r"[-+]?\w+")
_BLANK_RUNS = re.compile(r"\n{3,}")


class _Renderer:
    # A plain class with slots: one is made per field, tens of thousands per import.
    # Tags go to small functions through _OPEN/_CLOSE (one dict look-up, not a chain
    # of comparisons); text is handled inline in feed.
    __slots__ = (
        "cells",
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
        self.lists: list[list[int]] = []  # [counter] per open list; -1 = bullets
        self.link_href: str | None = None
        self.link_start = 0
        self.marks: list[tuple[str, int]] = []  # open emphasis: (marker, index)
        self.has_text = False
        # Just wrote "- ": a <div> inside the <li> must not break the line.
        self.item_start = False
        self.table_rows: list[int] = []  # rows written, per open table
        self.row_cells = 0
        self.cells: list[int] = []  # where each open table cell's text starts
        self.script_start = -1  # where the open <sup>/<sub> text starts

    def feed(self, source: str) -> None:
        # split() hands over text and tags in one C call: [text, closing, tag, attributes,
        # text, ...]; comments and doctypes come as (None, None, None).
        tokens = iter(_TOKEN.split(source))
        out = self.out
        opens, closes, needs = _OPEN, _CLOSE, _NEEDS_ATTRIBUTES
        drop = 0  # open <script>, <style>... whose content is not text
        data = next(tokens)
        if data:
            self._data(html.unescape(data) if "&" in data else data, out)
        for closing, tag, rest, data in zip(tokens, tokens, tokens, tokens, strict=True):
            if tag is not None:
                tag = tag.lower()
                if closing:
                    if drop:
                        if tag in _DROP_CONTENT:
                            drop -= 1
                    else:
                        close = closes.get(tag)
                        if close is not None:
                            close(self)
                elif drop:
                    if tag in _DROP_CONTENT and not rest.endswith("/"):
                        drop += 1
                else:
                    opener = opens.get(tag)
                    if opener is not None:
                        opener(self, _attributes(rest) if tag in needs else _NO_ATTRIBUTES)
                        if rest.endswith("/") and tag not in _VOID:
                            close = closes.get(tag)
                            if close is not None:
                                close(self)
                    elif tag in _DROP_CONTENT and not rest.endswith("/"):
                        drop = 1  # <script/> opens and closes at once
            if data and not drop:
                if "&" in data:
                    data = html.unescape(data)
                if (
                    data.isprintable()
                    and "  " not in data
                    and data[0] != " "
                    and not self.pre_depth
                ):
                    # Plain words outside <pre>: what _data does with them, without a call.
                    self.has_text = True
                    self.item_start = False
                    out.append(data)
                else:
                    self._data(data, out)

    def _data(self, data: str, out: list[str]) -> None:
        if (
            not self.pre_depth
            and data[:1] in _SPACES
            and (self.item_start or self._after_space(len(out)))
        ):
            # HTML shows one space where text and tags leave several ("a <span> b"),
            # none where a line begins ("<br> - x" shows "- x"), and "<li> x" has the
            # marker's space only. Kept, they would read as Markdown (an indented line,
            # four spaces a code block) and double on a round trip.
            data = data.lstrip(_SPACE_CHARS)
        blank = data.isspace() or not data
        if not blank:
            self.has_text = True
            self.item_start = False
        if self.pre_depth:
            out.append(data)
            return
        # Outside <pre>, HTML collapses whitespace; a source newline is a space. Layout
        # whitespace between tags at a line start would become a blank line (and split
        # a nested list), so it is dropped there, and so it is right after a list
        # marker ("-  x") and between table cells ("|  x"), where it only doubles a
        # space: a card exported and imported again must read back the same.
        if blank and (
            not out
            or out[-1].endswith("\n")
            or self.item_start
            or (self.table_rows and not self.cells)
        ):
            return
        # isprintable() is False for \t \r \n \f: then (and for double spaces) collapse.
        out.append(data if data.isprintable() and "  " not in data else _WHITESPACE.sub(" ", data))

    # -- helpers ----------------------------------------------------------

    def _newlines(self, count: int) -> None:
        if not self.has_text or self.item_start:
            return
        out = self.out
        if out and out[-1][-1:] not in ("\n", ""):  # the usual case: text ends the output
            out.append("\n" * count)
            return
        trailing = 0
        for piece in reversed(self.out):
            stripped = piece.rstrip("\n")
            trailing += len(piece) - len(stripped)
            if stripped:
                break
        if trailing < count:
            self.out.append("\n" * (count - trailing))

    # -- opening tags -------------------------------------------------------

    def _open_br(self, attributes: dict[str, str]) -> None:
        self.out.append("\n")

    def _open_hr(self, attributes: dict[str, str]) -> None:
        self._newlines(2)
        self.out.append("---")
        self._newlines(2)

    def _open_pre(self, attributes: dict[str, str]) -> None:
        self._newlines(2)
        self.out.append("```\n")
        self.pre_depth += 1

    def _open_code(self, attributes: dict[str, str]) -> None:
        if self.pre_depth:
            if self.out[-1:] == ["```\n"]:
                language = _LANGUAGE.match(attributes.get("class", ""))
                if language:
                    self.out[-1] = f"```{language.group(1)}\n"
            return
        self._open_mark("`")

    def _open_mark(self, marker: str) -> None:
        out = self.out
        # "<i>a</i><i>b</i>" is one run: reopen the one just closed instead of writing
        # "*a**b*", which Markdown reads as bold.
        if len(out) >= 4 and out[-1] == "" and out[-2] == marker:
            del out[-2:]
            self.marks.append((marker, len(out) - 2))
        else:
            self.marks.append((marker, len(out)))
            out.append(marker)

    def _open_bold(self, attributes: dict[str, str]) -> None:
        if not self.pre_depth:
            self._open_mark("**")

    def _open_italic(self, attributes: dict[str, str]) -> None:
        if not self.pre_depth:
            self._open_mark("*")

    def _open_sup(self, attributes: dict[str, str]) -> None:
        if not self.pre_depth:
            self.out.append("^")
            self.script_start = len(self.out)

    def _open_sub(self, attributes: dict[str, str]) -> None:
        if not self.pre_depth:
            self.out.append("_")
            self.script_start = len(self.out)

    def _open_list(self, counter: int) -> None:
        self.item_start = False
        self._newlines(1)
        self.lists.append([counter])

    def _open_ul(self, attributes: dict[str, str]) -> None:
        self._open_list(-1)

    def _open_ol(self, attributes: dict[str, str]) -> None:
        # <ol start="2"> (a list continued after a paragraph) keeps its numbers.
        start = _LIST_START.fullmatch(attributes.get("start", ""))
        self._open_list(int(start.group(1)) - 1 if start else 0)

    def _open_li(self, attributes: dict[str, str]) -> None:
        self.item_start = False
        self._newlines(1)
        indent = "  " * max(0, len(self.lists) - 1)
        if self.lists and self.lists[-1][0] >= 0:
            self.lists[-1][0] += 1
            self.out.append(f"{indent}{self.lists[-1][0]}. ")
        else:
            self.out.append(f"{indent}- ")
        self.item_start = True

    def _open_table(self, attributes: dict[str, str]) -> None:
        self._newlines(2)
        self.table_rows.append(0)

    def _open_tr(self, attributes: dict[str, str]) -> None:
        if self.table_rows:
            self._newlines(1)
            self.out.append("|")
            self.row_cells = 0
        else:
            self._newlines(1)

    def _open_cell(self, attributes: dict[str, str]) -> None:
        self.out.append(" ")
        self.row_cells += 1
        self.cells.append(len(self.out))

    def _open_img(self, attributes: dict[str, str]) -> None:
        self._image(attributes)

    def _open_a(self, attributes: dict[str, str]) -> None:
        self.link_href = attributes.get("href", "")
        self.link_start = len(self.out)

    def _line(self, attributes: dict[str, str]) -> None:
        self._newlines(1)

    def _paragraph(self, attributes: dict[str, str]) -> None:
        self._newlines(2)

    # -- closing tags -------------------------------------------------------

    def _close_pre(self) -> None:
        if self.pre_depth:
            self.pre_depth -= 1
            if "".join(self.out[-1:]).endswith("\n") is False:
                self.out.append("\n")
            self.out.append("```")
            self._newlines(2)

    def _close_bold(self) -> None:
        if not self.pre_depth:
            self._close_mark("**")

    def _close_italic(self) -> None:
        if not self.pre_depth:
            self._close_mark("*")

    def _close_code(self) -> None:
        if not self.pre_depth:
            self._close_mark("`")

    def _close_script(self) -> None:
        if not self.pre_depth and self.script_start >= 0:
            # x<sup>2</sup> -> x^2, x<sub>t-1</sub> -> x_(t-1): readable, never "x2".
            inner = "".join(self.out[self.script_start :])
            body = inner.strip()
            trail = inner[len(inner.rstrip()) :]
            simple = _SIMPLE_SCRIPT.fullmatch(body) is not None
            self.out[self.script_start :] = [body if simple else f"({body})", trail]
            self.script_start = -1

    def _close_cell(self) -> None:
        if self.cells:
            # A Markdown row is one line with "|" between cells: a <br> or <div> in the
            # cell becomes a space and a "|" in its text is escaped, or the table falls
            # apart. Piece by piece, so open marks keep their places in out.
            out = self.out
            for index in range(self.cells.pop(), len(out)):
                piece = out[index]
                if "\n" in piece or "|" in piece:
                    out[index] = _CELL_BREAK.sub(" ", piece).replace("|", "\\|")
        if self.table_rows:
            self.out.append(" |")

    def _close_tr(self) -> None:
        # A cell left open (sloppy HTML) must not reach into the next row.
        self.cells.clear()
        if self.table_rows:
            self.table_rows[-1] += 1
            if self.table_rows[-1] == 1 and self.row_cells:
                # Markdown tables need a header row: the first row is it.
                self.out.append("\n|" + " --- |" * self.row_cells)
        self._newlines(1)

    def _close_table(self) -> None:
        if self.table_rows:
            self.table_rows.pop()
        self._newlines(2)

    def _close_list(self) -> None:
        if self.lists:
            self.lists.pop()
        self._newlines(2 if not self.lists else 1)

    def _end_line(self) -> None:
        self._newlines(1)

    def _end_paragraph(self) -> None:
        self._newlines(2)

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
        """Emphasis still open at the field's end runs to it, as HTML shows it ("a <b>b"
        is "a **b**", not a stray "**"); Markdown cannot carry it across a blank
        line, so there it is dropped."""
        while self.marks:
            marker, index = self.marks[-1]
            if "\n\n" in "".join(self.out[index + 1 :]):
                self.marks.pop()
                self.out[index] = ""
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
            # Empty emphasis vanishes; its spaces stay unless a space is there already.
            spaces = not inner.strip(" ")
            self.out[index:] = [] if spaces and self._after_space(index) else [inner]
            return
        lead = inner[: len(inner) - len(inner.lstrip())]
        trail = inner[len(inner.rstrip()) :]
        if lead and not lead.strip(" ") and self._after_space(index):
            lead = ""  # "a <b> x</b>": one space, not two
        self.out[index:] = [lead, marker, body, marker, trail]

    def _after_space(self, index: int) -> bool:
        """Whether what is written before ``out[index]`` ends a word: a space, a line's
        end, or nothing yet."""
        out = self.out
        # A mark's index may lie past the end once a sub- or superscript around it
        # was folded into fewer pieces: everything written is before it then.
        for position in range(min(index, len(out)) - 1, -1, -1):
            piece = out[position]
            if piece:
                return piece[-1] in " \n"
        return True

    def _close_link(self) -> None:
        href = self.link_href
        self.link_href = None
        if not href or not _REMOTE.match(href):
            return
        text = "".join(self.out[self.link_start :]).strip()
        # An empty link is a heading's anchor icon: nothing to read.
        if text and text != href:
            self.out[self.link_start :] = [f"[{text}]({href})"]


_Open = Callable[[_Renderer, dict[str, str]], None]
_OPEN: dict[str, _Open] = {
    "br": _Renderer._open_br,
    "hr": _Renderer._open_hr,
    "pre": _Renderer._open_pre,
    "code": _Renderer._open_code,
    "b": _Renderer._open_bold,
    "strong": _Renderer._open_bold,
    "i": _Renderer._open_italic,
    "em": _Renderer._open_italic,
    "sup": _Renderer._open_sup,
    "sub": _Renderer._open_sub,
    "ul": _Renderer._open_ul,
    "ol": _Renderer._open_ol,
    "li": _Renderer._open_li,
    "table": _Renderer._open_table,
    "tr": _Renderer._open_tr,
    "td": _Renderer._open_cell,
    "th": _Renderer._open_cell,
    "img": _Renderer._open_img,
    "a": _Renderer._open_a,
}
_CLOSE: dict[str, Callable[[_Renderer], None]] = {
    "pre": _Renderer._close_pre,
    "b": _Renderer._close_bold,
    "strong": _Renderer._close_bold,
    "i": _Renderer._close_italic,
    "em": _Renderer._close_italic,
    "code": _Renderer._close_code,
    "sup": _Renderer._close_script,
    "sub": _Renderer._close_script,
    "td": _Renderer._close_cell,
    "th": _Renderer._close_cell,
    "tr": _Renderer._close_tr,
    "table": _Renderer._close_table,
    "ul": _Renderer._close_list,
    "ol": _Renderer._close_list,
    "a": _Renderer._close_link,
}
for _tag in _BLOCK - _OPEN.keys():
    # A block element breaks the line; div/dd/dt by one newline, the others by a blank line.
    _line = _tag in ("div", "dd", "dt")
    _OPEN[_tag] = _Renderer._line if _line else _Renderer._paragraph
    _CLOSE[_tag] = _Renderer._end_line if _line else _Renderer._end_paragraph
_VOID = frozenset({"br", "hr", "img"})  # a self-closing <br/> has nothing to close


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
            # An indented list item stays a list item. One space cannot nest it under
            # another item, so it is only the space Anki showed: it goes, and the item
            # reads back the same after a round trip.
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
    if "```" not in text:  # no code block: every line is trimmed, in one pass
        result = "\n".join(
            [
                line.rstrip(" \t")
                if line[:1] == " " and _NESTED_ITEM.match(line)
                else line.strip(" \t")
                for line in text.split("\n")
            ]
        )
        if "\n\n\n" in result:
            result = _BLANK_RUNS.sub("\n\n", result)
        return result.strip()
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
    result = _BLANK_RUNS.sub("\n\n", result)
    return result.strip()


# A tag name followed by what may follow one in HTML: "\(M<p\)" is math, not a paragraph.
_HTML_HINT = re.compile(
    r"</?(br|div|p|b|i|u|ul|ol|li|span|strong|em|code|pre|img|a|font)(?=[\s/>])",
    re.I,
)


def looks_like_html(text: str) -> bool:
    if "<" not in text:  # every tag the hint knows starts with one
        return "&nbsp;" in text
    return bool(_HTML_HINT.search(text)) or "&nbsp;" in text
