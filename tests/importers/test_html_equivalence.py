"""The faster field-HTML renderer gives exactly the Markdown (and media notes) of the one
it replaced, on Hypothesis-generated HTML: nested, unclosed, self-closing and stray
tags, attributes, entities, odd whitespace, code blocks, tables, lists, links, images,
sounds and math (#13)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from importers.html_reference import html_to_markdown as reference_markdown
from importers.html_reference import tidy as reference_tidy

from quizdl.importers.html_text import html_to_markdown, tidy
from quizdl.importers.source import MediaNotes

TAGS = [
    "b", "strong", "i", "em", "u", "code", "pre", "sup", "sub", "span", "font", "div", "p",
    "br", "hr", "ul", "ol", "li", "table", "tr", "td", "th", "a", "img", "h1", "h3",
    "blockquote", "dl", "dt", "dd", "center", "script", "style", "svg", "object", "title",
    "section", "B", "Div", "LI", "x-custom",
]  # fmt: skip
ATTRIBUTES = [
    "",
    ' class="language-python"',
    " class='lang-c++'",
    ' href="https://example.com/a?b=1&amp;c=2"',
    " href=//cdn.example.com/x",
    ' href="#anchor"',
    ' src="pic.png" alt="a &quot;plot&quot;"',
    ' src="https://example.com/p.png" alt=remote',
    ' src="data:image/png;base64,AAAA"',
    ' src=" spaced.jpg "',
    " src",
    " style=\"color: red\" data-x='1 > 0'",
    " checked",
    ' alt="x" alt="y"',
    ' HREF="HTTP://EXAMPLE.COM"',
    ' start="3"',
    " start=0",
    ' start=" 12 "',
    ' start="-2"',
]
TEXT_PIECES = st.sampled_from(
    [
        " ",
        "  ",
        "\n",
        "\t",
        "\r\n",
        "\xa0",
        "\xa0\xa0x",
        "word",
        " two words ",
        "x",
        "2",
        "t-1",
        "&nbsp;",
        "&lt;b&gt;",
        "&amp;",
        "&#x27;",
        "a < b",
        "<",
        ">",
        "- item",
        "1. one",
        "```",
        "`tick`",
        "$x$",
        "\\(x^2\\)",
        "\\[\\sum x\\]",
        "[$]a[/$]",
        "[$$]b[/$$]",
        "[latex]$c$[/latex]",
        "[sound:a.mp3]",
        "<!--sound:label-->[sound:b.ogg]",
        "<!-- note -->",
        "<!DOCTYPE html>",
        "<?xml x?>",
        "**",
        "*",
        "|",
        "\u202eRTL",
        "🧠",
        "\x00",
        "\x0b",
        "\x1b[31m",
    ]
)


@st.composite
def tags(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(TAGS))
    kind = draw(st.sampled_from(["open", "close", "self"]))
    if kind == "close":
        return f"</{name}>"
    attributes = draw(st.sampled_from(ATTRIBUTES))
    return f"<{name}{attributes}{'/' if kind == 'self' else ''}>"


@st.composite
def elements(draw: st.DrawFn, depth: int = 0) -> str:
    """A well-nested element around generated content, so deep structure occurs too."""
    name = draw(st.sampled_from(TAGS))
    attributes = draw(st.sampled_from(ATTRIBUTES))
    inner = draw(fragments(depth + 1)) if depth < 3 else draw(TEXT_PIECES)
    return f"<{name}{attributes}>{inner}</{name}>"


# Words between runs of every kind of whitespace: what collapsing must get right.
SPACED_TEXT = st.lists(
    st.sampled_from(["a", "b", "x y", " ", "  ", "   ", "\n", "\t", "\r", "\f", "\xa0", "\v"]),
    min_size=1,
    max_size=8,
).map("".join)


def fragments(depth: int = 0) -> st.SearchStrategy[str]:
    parts = [TEXT_PIECES, SPACED_TEXT, tags(), st.text(max_size=8)]
    if depth < 3:
        parts.append(elements(depth))
    return st.lists(st.one_of(*parts), max_size=10).map("".join)


SETTINGS = settings(
    max_examples=int(os.environ.get("QUIZDL_FUZZ_EXAMPLES", "400")),
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _media_counts(media: MediaNotes) -> tuple[int, int, int]:
    return media.images, media.sounds, media.remote_links


@SETTINGS
@given(fragments())
@example("<div>It applies <i>W<sub>5</sub>x + b</i></div><ul><li>then ReLU</li></ul>")
@example("<pre><code class='language-python'>x  =  1\n</code></pre>after")
@example("<table><tr><th>a</th><th>b</th></tr><tr><td>1</td></tr></table>")
@example("<script/>kept<style>dropped</style>")
@example("<i>a</i><i>b</i> <b> spaced </b><a href='https://x.y'>link</a>")
@example('<ol><li>one<ul><li>nested</li></ul></li><li>two</li></ol><img src="p.png"/>')
@example('<ol start="7"><li>seven</li><li>eight<ol start="x"><li>one</li></ol></li></ol>')
@example("<table><tr><td>a<br>b|c<div>d</div></td><td><b>x\ny</b></td></tr></table>")
@example("<table><tr><td><table><tr><td>in<br>ner</td></tr></table>out<br>er</td></tr></table>")
def test_the_renderer_gives_the_reference_markdown(html: str) -> None:
    media, expected_media = MediaNotes(), MediaNotes()
    assert html_to_markdown(html, media) == reference_markdown(html, expected_media)
    assert _media_counts(media) == _media_counts(expected_media)


LINE_PIECES = st.sampled_from(
    [
        "",
        " ",
        "\t",
        "text",
        "  - nested",
        " 1. one",
        "- item",
        "```",
        "```py",
        "  ```",
        "x  ",
        "\xa0",
    ]
)
LINES = st.lists(
    st.lists(LINE_PIECES, max_size=3).map("".join),
    max_size=12,
).map("\n".join)


@SETTINGS
@given(LINES)
@example("a\n\n\n\nb")
@example("x\n\t  - a tab before a nested item")
@example("  - keep\n```\n  code  \n```\n   \n\n\ntail  ")
def test_tidy_gives_the_reference_text(text: str) -> None:
    # The Markdown importer calls tidy on its own, not only through html_to_markdown.
    assert tidy(text) == reference_tidy(text)
