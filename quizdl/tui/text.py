"""User text on screen: always plain, never markup, never terminal control.

Everything a learner brings — deck and card text, file names, error messages
— reaches a widget through one of these functions. ``[/]`` in a deck title
must show as ``[/]``, ``[@click=app.quit]`` must not become a live link, and
an ANSI escape in an imported field must not recolour or move the terminal.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from rich.cells import cell_len, set_cell_size
from rich.text import Text

# C0 and C1 controls except newline and tab, DEL, and the bidirectional
# overrides/isolates that would reorder the rest of the line on screen.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_REPLACEMENT = "\ufffd"
WORD_JOINER = "\u2060"  # zero width, never drawn


def _visible(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # the "control pictures" block: ␛ for ESC
    if code == 0x7F:
        return "\u2421"  # ␡
    return _REPLACEMENT


def printable(text: str) -> str:
    """``text`` with every control character shown as a harmless symbol."""
    return _CONTROL.sub(_visible, text)


def markup_safe(text: str) -> str:
    """``text`` made printable and escaped for embedding in Textual markup.

    Textual's own ``escape`` leaves brackets that do not look like tags to its
    current parser (``[B]``, ``[$x]`` in some versions); escaping every
    opening bracket is robust to what the parser accepts next.
    """
    # The parser drops exactly one backslash before a bracket and keeps any
    # other backslash as it is.
    safe = printable(text).replace("[", "\\[")
    # A bracket after any backslash is never a tag, so text ending in "\\"
    # would swallow the tag we write after it ("[b]C:\\[/b]" shows "[/b]",
    # and an unmatched close later is a MarkupError). An invisible word
    # joiner keeps our tag a tag.
    return safe + WORD_JOINER if safe.endswith("\\") else safe


def plain(text: str) -> Text:
    """A renderable that shows ``text`` exactly (for table cells, notices)."""
    return Text(printable(text))


def deck_names(decks: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Each deck's name in a list of (id, title): its title, with its id before it
    where another deck of the list has the same title (two question banks both
    called "Questions"), so that every row, box and option can be told apart. The
    id goes first: a narrow cell clips a name's end."""
    pairs = list(decks)
    shared = Counter(title for _, title in pairs)
    return {
        deck_id: title if shared[title] == 1 else f"{deck_id} · {title}" for deck_id, title in pairs
    }


def one_line(text: str, width: int | None = None) -> str:
    """Whitespace collapsed to single spaces, clipped to ``width`` terminal cells
    with an ellipsis (a wide character, such as an emoji or CJK, takes two)."""
    line = " ".join(printable(text).split())
    if width is not None and cell_len(line) > width:
        return set_cell_size(line, max(width - 1, 0)).rstrip() + "…"
    return line


# What a table of user data holds: our own labels as str, user text as Text.
Cell = str | Text
