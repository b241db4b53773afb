"""Field HTML, cloze conversion and the id scheme, checked directly."""

from __future__ import annotations

import pytest

from quizdl.importers.cloze import to_blanks
from quizdl.importers.html_text import html_to_markdown
from quizdl.importers.ids import anki_card_id, content_id, given_id, is_valid_id, slugify


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("the<b> term deep learning</b>?<b> </b>", "the **term deep learning**?"),
        ("<ul><li>a</li><li>b<ol><li>x</li></ol></li></ul>after", "- a\n- b\n  1. x\n\nafter"),
        ("a <img_dropout> b", "a <img_dropout> b"),
        (
            "<ul><li><div>x</div></li><li></li><li><div>y</div><div>z</div></li></ul>",
            "- x\n-\n- y\nz",
        ),
        ("3 &lt; 4 &amp;&nbsp;5", "3 < 4 & 5"),
        ('<h3><a href="https://x.org/#a"><svg><path d="M0"/></svg></a>Title</h3>', "Title"),
        ('see <a href="https://x.org">docs</a>', "see [docs](https://x.org)"),
        (
            '<pre><code class="language-py">if x:\n    y()</code></pre>',
            "```py\nif x:\n    y()\n```",
        ),
        ("<style>.a{}</style><script>alert(1)</script>kept", "kept"),
        ("[$$]\\sum_i x_i[/$$] and [latex]x[/latex]", "$$\\sum_i x_i$$ and $$x$$"),
        ("<div>one</div><div><br></div><div>two</div>", "one\n\ntwo"),
        # Adjacent bold runs stay two runs; a run split by markup stays one.
        ("to <b>solve</b> <b>systems</b>", "to **solve** **systems**"),
        ("<b>also</b>&nbsp;<b>minimizes</b>", "**also** **minimizes**"),
        ('<u><i>"</i></u><i>text</i>', '*"text*'),
        # Super- and subscripts stay readable.
        ("<i>A</i><sup>-1</sup>, x<sub>t</sub>, h<sub>t-1</sub>", "*A*^-1, x_t, h_(t-1)"),
        ("[latex]$\\theta$[/latex] and \\[x^2\\] and \\(y\\)", "$\\theta$ and $$x^2$$ and $y$"),
        # Escaped angle brackets must not become tags the review would hide.
        ("&lt;Yesterday&gt; and a^{&lt;t-1&gt;}", "\\<Yesterday> and a^{\\<t-1>}"),
        ("$a^{&lt;t&gt;}$", "$a^{< t>}$"),
        (
            "<table><thead><tr><th>a</th><th>b</th></tr></thead>"
            "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>",
            "| a | b |\n| --- | --- |\n| 1 | 2 |",
        ),
        # A cell's line breaks and pipes would end its row (a real Anki export's table);
        # the spaces they leave are harmless, as Markdown trims a cell.
        (
            "<table><tr><th>Op</th><th>RPC</th></tr><tr><td>Resign</td>"
            '<td>POST /resign<br>{<br>"id": 1<br>}</td></tr>'
            "<tr><td><div>a|b</div><div>c</div></td><td>d</td></tr></table>",
            '| Op | RPC |\n| --- | --- |\n| Resign | POST /resign { "id": 1 } |\n|  a\\|b c  | d |',
        ),
        # A list that continues after a paragraph keeps its numbers.
        (
            '<ol start="2"><li>Linear algebra</li><li>Calculus</li></ol>',
            "2. Linear algebra\n3. Calculus",
        ),
        ('<ol start="x"><li>a</li></ol><ol start="0"><li>b</li></ol>', "1. a\n\n1. b"),
        # The space after a list marker is the marker's own: "<li> x" is "- x".
        # HTML shows one space where text and tags leave several.
        ("a <span> b</span>", "a b"),
        ("a <b> x</b>, a <b>x </b> y, a <b> </b> b", "a **x**, a **x** y, a b"),
        # Emphasis left open runs to the field's end, as HTML shows it; not across a
        # blank line, which Markdown emphasis cannot cross.
        ("a <i>b<br>c", "a *b\nc*"),
        ("<b>x<div><br></div>y", "x\n\ny"),
        ("<ul>\n<li> The domain</li><li>  two</li></ul>", "- The domain\n- two"),
        ("def f():<br>&nbsp;&nbsp;&nbsp;&nbsp;return 1", "def f():\n\xa0\xa0\xa0\xa0return 1"),
        ('<img src="fig.png">', "[image: fig.png]"),
        ("find <i>A</i><sup>-1 </sup>in closed form", "find *A*^-1 in closed form"),
        # Anki shows a space before "- GPUs"; as Markdown it is a list item either way,
        # so the item reads back the same from an export. Two spaces may nest it.
        ("By the<br>&nbsp;- GPUs<br>&nbsp;- CPUs&nbsp;", "By the\n- GPUs\n- CPUs"),
        ("- a<br>&nbsp;&nbsp;- b", "- a\n  - b"),
        # HTML does not show the spaces that begin a line; as Markdown four would be code.
        ("By the<br> - GPUs<br>    next<br>\n  more", "By the\n- GPUs\nnext\nmore"),
    ],
)
def test_html_to_markdown(html: str, markdown: str) -> None:
    assert html_to_markdown(html) == markdown


@pytest.mark.parametrize(
    ("text", "number", "expected", "hints"),
    [
        ("{{c1::a}} and {{c2::b::hint}}", 2, "a and {{b}}", ["hint"]),
        ("{{c1::outer {{c2::inner}} end}}", 1, "{{outer inner end}}", []),
        ("{{c1::outer {{c2::inner}} end}}", 2, "outer {{inner}} end", []),
        # Like Anki, the first "}}" ends the deletion (Anki's manual says to add a space).
        ("{{c1::\\frac{a}{b} }}", 1, "{{\\frac{a}{b} }}", []),
        ("{{c1::a::b::c}}", 1, "{{a}}", ["b::c"]),
        ("{{c1::unclosed", 1, "{{c1::unclosed", []),
    ],
    ids=["others-plain", "nested-outer", "nested-inner", "latex-braces", "hint-colons", "unclosed"],
)
def test_cloze_to_blanks(text: str, number: int, expected: str, hints: list[str]) -> None:
    result = to_blanks(text, number)
    assert (result.text, result.hints) == (expected, hints)


def test_a_latex_blank_reads_back_whole() -> None:
    from quizdl.decks.model import ClozeCard

    # Anki's own advice: space the braces so "}}" does not end the deletion.
    text = to_blanks("Softmax: {{c1::\\frac{e^{x_i} }{\\sum_j e^{x_j} } }}", 1).text
    card = ClozeCard(type="cloze", id="s", text=text)
    assert card.blanks == ("\\frac{e^{x_i} }{\\sum_j e^{x_j} }",)


def test_ids_are_valid_stable_and_distinct() -> None:
    guids = ["J>5[0zxcsg", "sS%`D;t{&m", "a b", "ab", "ü", "x" * 500]
    ids = [anki_card_id(guid, "-r") for guid in guids]
    assert all(is_valid_id(card_id) for card_id in ids)
    assert len(set(ids)) == len(ids)
    assert anki_card_id("ab") == "anki-6162"
    assert given_id("ok-id") == "ok-id" and given_id("not ok") == "x-6e6f74206f6b"
    assert content_id("What is ﬁne-tuning?") == content_id("what  is FINE-tuning?")
    assert slugify("Deep Learning::CNNs") == "deep-learning-cnns"
    assert slugify("日本語") == "imported"
