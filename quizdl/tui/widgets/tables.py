"""Tables of user data with column widths set from the data and the screen.

A DataTable left to size its own columns was seen, now and then in a real
terminal, to keep every column at its label's width ("Deck" → "Deep"); the
screens here set each width themselves from what the cells hold and what the
terminal has room for.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from rich.text import Text
from textual.widgets import DataTable

from quizdl.tui.text import Cell, one_line

CELL_PADDING = 2  # one blank each side of a cell
TABLE_MARGIN = 4  # the table's own margin and scrollbar
MINIMUM_WIDTH = 8


def natural_width(label: str, cells: Sequence[Cell]) -> int:
    return max([len(label), *(len(str(cell)) for cell in cells)])


def share_room(
    naturals: Mapping[int, int], shares: Mapping[int, float], room: int, minimum: int
) -> dict[int, int]:
    """Widths for the flexible columns: each gets its share of ``room``, and a
    column whose text is narrower than its share leaves the rest to the others."""
    widths: dict[int, int] = {}
    pending = dict(shares)
    while pending:
        total = sum(pending.values())
        fitting = [i for i, share in pending.items() if naturals[i] <= room * share / total]
        if not fitting:
            for i, share in pending.items():
                widths[i] = max(minimum, int(room * share / total))
            break
        for i in fitting:
            widths[i] = naturals[i]
            room -= naturals[i]
            del pending[i]
    return widths


def clipped(cell: Cell, width: int, *, keep_end: bool = False) -> Cell:
    """``cell`` on one line of at most ``width`` characters, keeping its style;
    ``keep_end`` cuts the start instead ("…guide/nn-bias-role" keeps the card id)."""
    text = str(cell)
    if len(text) <= width and "\n" not in text:
        return cell
    if keep_end:
        line = one_line(text)
        if len(line) > width:
            line = "…" + line[len(line) - max(width - 1, 0) :].lstrip()
    else:
        line = one_line(text, width)
    return Text(line, style=cell.style) if isinstance(cell, Text) else line


def column_widths(
    labels: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    flexible: Mapping[int, float],
    screen_width: int,
) -> list[int]:
    widths = [natural_width(label, [row[i] for row in rows]) for i, label in enumerate(labels)]
    fixed = sum(width for i, width in enumerate(widths) if i not in flexible)
    room = screen_width - TABLE_MARGIN - CELL_PADDING * len(labels) - fixed
    naturals = {i: widths[i] for i in flexible}
    for i, width in share_room(naturals, flexible, room, MINIMUM_WIDTH).items():
        widths[i] = width
    return widths


def fill_table(
    table: DataTable[Cell],
    labels: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    flexible: Mapping[int, float],
    screen_width: int,
    keys: Sequence[str] | None = None,
    keep_end: Collection[int] = (),
) -> list[int]:
    """Replace the table's columns and rows.

    Every column is as wide as its widest cell, except the ``flexible`` ones
    (column index → share), which split what the others leave and clip their
    cells to fit (at the start for the columns in ``keep_end``). Returns every
    column's width.
    """
    widths = column_widths(labels, rows, flexible, screen_width)
    table.clear(columns=True)
    for label, width in zip(labels, widths, strict=True):
        table.add_column(label, width=width)
    for n, row in enumerate(rows):
        cells = [
            clipped(cell, widths[i], keep_end=i in keep_end) if i in flexible else cell
            for i, cell in enumerate(row)
        ]
        table.add_row(*cells, key=None if keys is None else keys[n])
    return widths
