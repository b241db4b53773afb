"""Tables of user data with column widths set from the data and the screen.

A DataTable left to size its own columns was seen, now and then in a real
terminal, to keep every column at its label's width ("Deck" → "Deep"); the
screens here set each width themselves from what the cells hold and what the
terminal has room for.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import DataTable

from quizdl.tui.text import Cell

CELL_PADDING = 2  # one blank each side of a cell
TABLE_MARGIN = 4  # the table's own margin and scrollbar


def natural_width(label: str, cells: Sequence[Cell]) -> int:
    return max([len(label), *(len(str(cell)) for cell in cells)])


def set_columns(
    table: DataTable[Cell],
    columns: Sequence[tuple[str, Sequence[Cell]]],
    *,
    flexible: int,
    screen_width: int,
    minimum: int = 8,
) -> list[int]:
    """Replace the table's columns; column ``flexible`` gets what the others
    leave, up to its natural width. Returns every column's width."""
    widths = [natural_width(label, cells) for label, cells in columns]
    others = sum(w for i, w in enumerate(widths) if i != flexible)
    room = screen_width - TABLE_MARGIN - CELL_PADDING * len(columns) - others
    widths[flexible] = max(minimum, min(widths[flexible], room))
    table.clear(columns=True)
    for (label, _), width in zip(columns, widths, strict=True):
        table.add_column(label, width=width)
    return widths
