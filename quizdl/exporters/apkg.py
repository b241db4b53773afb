"""Anki packages written with genanki.

GUIDs come from the deck and card ids (``genanki.guid_for``), so importing a
re-export into Anki updates the notes instead of duplicating them; note type
and deck ids are derived the same way. Each note also keeps the quizdl card
id in a ``QuizdlId`` field, which our Anki importer uses, so a deck exported
to Anki and imported back keeps its card ids.
"""

from __future__ import annotations

import hashlib
import html
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

import genanki
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

from quizdl.decks.model import CLOZE_BLANK, ClozeCard, Deck, canonical_blank
from quizdl.exporters.sides import front_and_back
from quizdl.importers.anki_cards import QUIZDL_ID_FIELD
from quizdl.media import media_dir, media_refs, path_of

_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; }"
# Note and card ids come from this clock: a fixed one makes exports reproducible.
_TIMESTAMP = 1_700_000_000.0


def _stable_id(*parts: str) -> int:
    # Anki ids are positive 63-bit ints; keep them in the range genanki uses (ms timestamps).
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return 1 << 30 | int.from_bytes(digest[:5], "big")


_QA_MODEL = genanki.Model(
    _stable_id("quizdl", "model", "qa"),
    "quizdl Q&A",
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": QUIZDL_ID_FIELD}],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "{{Question}}",
            "afmt": "{{FrontSide}}<hr id=answer>{{Answer}}",
        }
    ],
    css=_CSS,
)
_CLOZE_MODEL = genanki.Model(
    _stable_id("quizdl", "model", "cloze"),
    "quizdl Cloze",
    fields=[{"name": "Text"}, {"name": "Hint"}, {"name": QUIZDL_ID_FIELD}],
    templates=[{"name": "Cloze", "qfmt": "{{cloze:Text}}<br>{{Hint}}", "afmt": "{{cloze:Text}}"}],
    css=_CSS,
    model_type=genanki.Model.CLOZE,
)


# Math is taken out before Markdown sees it (its underscores and asterisks are not
# emphasis) and written back in the delimiters Anki's MathJax reads.
# "$5 and $10" is money, not math: an inline formula hugs its dollar signs.
_MATH = re.compile(
    r"\$\$(.+?)\$\$|\$(?![\s$])([^$\n]*?[^\s\\])\$(?!\d)|\\\[(.+?)\\\]|\\\((.+?)\\\)", re.DOTALL
)
_MATH_SLOT = "\ue000{}\ue001"
_MATH_SLOT_RE = re.compile("\ue000(\\d+)\ue001")
_MEDIA_IMG = re.compile(r'<img src="media:([0-9a-f]{32}\.[a-z0-9]{1,5})"')
_MEDIA_LINK = re.compile(r'<a href="media:([0-9a-f]{32}\.[a-z0-9]{1,5})">(?:🔊 )?([^<]*)</a>')
_MARKDOWN = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable(
    ["table", "strikethrough"]
)
_SECOND_SPACE = re.compile(r"(?<= ) ")


def _text_keeping_spaces(
    renderer: object, tokens: Sequence[Token], index: int, options: object, env: object
) -> str:
    """Text with its runs of spaces kept (``a &nbsp;b``): HTML shows "a  b" as "a b",
    and the card imported back would lose the space it had."""
    return _SECOND_SPACE.sub("&nbsp;", escapeHtml(tokens[index].content))


_MARKDOWN.add_render_rule("text", _text_keeping_spaces)


def markdown_to_html(text: str) -> str:
    """The HTML Anki renders for our Markdown: emphasis, code, lists, tables, math
    (as ``\\(…\\)`` / ``\\[…\\]``), images and sounds from the media folder
    (``<img src=NAME>``, ``[sound:NAME]``). Raw HTML in the text stays text."""
    formulas: list[str] = []

    def take(match: re.Match[str]) -> str:
        display, inline, display2, inline2 = match.groups()
        if display is not None or display2 is not None:
            formulas.append("\\[" + html.escape(display or display2 or "") + "\\]")
        else:
            formulas.append("\\(" + html.escape(inline or inline2 or "") + "\\)")
        return _MATH_SLOT.format(len(formulas) - 1)

    rendered = _MARKDOWN.render(_MATH.sub(take, text)).strip()
    rendered = _MATH_SLOT_RE.sub(lambda match: formulas[int(match.group(1))], rendered)
    rendered = _MEDIA_IMG.sub(r'<img src="\1"', rendered)
    # Anki's [sound:] tag has no label: an invisible comment keeps it for the way back.
    rendered = _MEDIA_LINK.sub(
        lambda match: f"<!--sound:{match.group(2).replace('--', '-')}-->[sound:{match.group(1)}]",
        rendered,
    )
    # One paragraph needs no <p>: Anki's editor would show an empty line above it.
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        rendered = rendered[3:-4]
    return rendered


def media_names(deck: Deck) -> list[str]:
    """Stored media files the deck's cards refer to, in order of first use."""
    names: dict[str, None] = {}
    for card in deck.cards:
        for side in front_and_back(card):
            for ref in media_refs(side):
                names.setdefault(ref.name, None)
        if isinstance(card, ClozeCard) and card.hint:
            for ref in media_refs(card.hint):
                names.setdefault(ref.name, None)
    return list(names)


def cloze_html(card: ClozeCard) -> str:
    """The card as the text field of an Anki cloze note."""
    # quizdl shows all blanks of a card at once: one Anki cloze number keeps it one card.
    escaped = markdown_to_html(card.text)
    # Anki has no alternatives: it gets the canonical answer the review shows.
    return CLOZE_BLANK.sub(lambda match: "{{c1::" + canonical_blank(match.group(1)) + "}}", escaped)


def export_apkg(deck: Deck, media_folder: Path | None = None) -> bytes:
    """The deck as an .apkg, with every image and sound its cards show that is in
    ``media_folder`` (quizdl's media folder by default)."""
    description = markdown_to_html(deck.description) + f"<!-- quizdl-deck: {deck.id} -->"
    anki_deck = genanki.Deck(_stable_id("quizdl", "deck", deck.id), deck.title, description)
    for card in deck.cards:
        tags = [tag.replace(" ", "_") for tag in card.tags]
        guid = genanki.guid_for(deck.id, card.id)
        if isinstance(card, ClozeCard):
            fields = [cloze_html(card), markdown_to_html(card.hint or ""), card.id]
            note = genanki.Note(model=_CLOZE_MODEL, fields=fields, tags=tags, guid=guid)
        else:
            front, back = front_and_back(card)
            fields = [markdown_to_html(front), markdown_to_html(back), card.id]
            note = genanki.Note(model=_QA_MODEL, fields=fields, tags=tags, guid=guid)
        anki_deck.add_note(note)
    folder = media_folder or media_dir()
    files = [str(found) for name in media_names(deck) if (found := path_of(name, folder))]
    with tempfile.TemporaryDirectory(prefix="quizdl-apkg-") as directory:
        target = Path(directory) / "deck.apkg"
        package = genanki.Package(anki_deck, media_files=files)
        package.write_to_file(str(target), timestamp=_TIMESTAMP)
        return target.read_bytes()
