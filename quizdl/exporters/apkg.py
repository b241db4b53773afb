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
from pathlib import Path

import genanki

from quizdl.decks.model import CLOZE_BLANK, ClozeCard, Deck, canonical_blank
from quizdl.exporters.sides import front_and_back
from quizdl.importers.anki_cards import QUIZDL_ID_FIELD

_CSS = ".card { font-family: sans-serif; font-size: 18px; text-align: left; }"
# Note and card ids come from this clock: a fixed one makes exports reproducible.
_TIMESTAMP = 1_700_000_000.0
_FENCE = re.compile(r"```([\w+-]*)\n(.*?)\n?```", re.DOTALL)


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


def markdown_to_html(text: str) -> str:
    """Enough HTML for Anki to show our Markdown faithfully: code blocks keep their
    whitespace, everything else is escaped text with line breaks."""
    out: list[str] = []
    position = 0
    for match in _FENCE.finditer(text):
        out.append(_lines(text[position : match.start()]))
        language = f' class="language-{match.group(1)}"' if match.group(1) else ""
        out.append(f"<pre><code{language}>{html.escape(match.group(2))}</code></pre>")
        position = match.end()
    out.append(_lines(text[position:]))
    return "".join(out)


def _lines(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def _cloze_text(card: ClozeCard) -> str:
    # quizdl shows all blanks of a card at once: one Anki cloze number keeps it one card.
    escaped = markdown_to_html(card.text)
    # Anki has no alternatives: it gets the canonical answer the review shows.
    return CLOZE_BLANK.sub(lambda match: "{{c1::" + canonical_blank(match.group(1)) + "}}", escaped)


def export_apkg(deck: Deck) -> bytes:
    anki_deck = genanki.Deck(_stable_id("quizdl", "deck", deck.id), deck.title)
    for card in deck.cards:
        tags = [tag.replace(" ", "_") for tag in card.tags]
        guid = genanki.guid_for(deck.id, card.id)
        if isinstance(card, ClozeCard):
            fields = [_cloze_text(card), html.escape(card.hint or ""), card.id]
            note = genanki.Note(model=_CLOZE_MODEL, fields=fields, tags=tags, guid=guid)
        else:
            front, back = front_and_back(card)
            fields = [markdown_to_html(front), markdown_to_html(back), card.id]
            note = genanki.Note(model=_QA_MODEL, fields=fields, tags=tags, guid=guid)
        anki_deck.add_note(note)
    with tempfile.TemporaryDirectory(prefix="quizdl-apkg-") as directory:
        target = Path(directory) / "deck.apkg"
        genanki.Package(anki_deck).write_to_file(str(target), timestamp=_TIMESTAMP)
        return target.read_bytes()
