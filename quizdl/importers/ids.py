"""Stable card and deck ids for imported material.

Re-importing the same source must update cards, never duplicate them, so ids
come from what the source keeps stable:

* Anki notes: ``anki-`` + the lowercase hex of the note GUID's UTF-8 bytes
  (a SHA-1 of it when the GUID is too long), plus ``-r`` for the reverse card
  of a two-template note type, ``-t<N>`` for template N > 2 of a custom type
  and ``-c<N>`` for cloze number N. Hex keeps every GUID character
  (Anki GUIDs use ``!#$%&*+,-.:;<=>?@[]^_`{|}~``) and stays injective.
* Sources without ids (CSV, Markdown, JSON without ``id``): ``q-`` + the
  first 16 hex digits of SHA-256 over the question, NFKC-normalised,
  casefolded and with whitespace collapsed. Only the question counts, so an
  edited answer updates the card instead of creating a new one.
* An id given by the source that is not a valid quizdl id is escaped the same
  way as a GUID (``x-`` + hex).
"""

from __future__ import annotations

import hashlib
import re

from quizdl.decks.content import normalise

_VALID_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*$")
MAX_ID = 200
_GUID_HEX_LIMIT = 160  # leaves room for "anki-" and a suffix within 200 chars


def is_valid_id(text: str) -> bool:
    return bool(_VALID_ID.match(text)) and len(text) <= MAX_ID


def _hex(text: str) -> str:
    raw = text.encode("utf-8").hex()
    if len(raw) > _GUID_HEX_LIMIT:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()
    return raw


def anki_card_id(guid: str, suffix: str = "") -> str:
    return f"anki-{_hex(guid)}{suffix}"


def given_id(text: str) -> str:
    """An id taken from the source: kept when valid, escaped otherwise."""
    text = text.strip()
    return text if is_valid_id(text) else f"x-{_hex(text)}"


def content_key(question: str) -> str:
    """What two questions must share to count as the same question."""
    return " ".join(normalise(question).split())


def content_id(question: str) -> str:
    return id_of_key(content_key(question))


def id_of_key(key: str) -> str:
    """The card id of a question whose ``content_key`` is ``key``."""
    return "q-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def slugify(name: str, fallback: str = "imported") -> str:
    """A deck id from a deck or file name: 'Deep Learning::CNNs' -> 'deep-learning-cnns'."""
    text = normalise(name)
    slug = re.sub(r"[^a-z0-9]+", "-", text.encode("ascii", "ignore").decode()).strip("-")
    return slug[:80].strip("-") or fallback
