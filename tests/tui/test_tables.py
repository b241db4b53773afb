"""Column widths from the data and the screen: every column on screen, user
text clipped to its column, never wrapped onto a second line."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from quizdl.tui.text import Cell
from quizdl.tui.widgets.tables import CELL_PADDING, TABLE_MARGIN, clipped, column_widths

from .hostile import HOSTILE_STRINGS

LABELS = ("Prompt", "Type", "Due", "Deck/card")
user_text = st.text(max_size=300) | st.sampled_from(HOSTILE_STRINGS)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(st.tuples(user_text, st.sampled_from(["qa", "concept"]), user_text), max_size=8),
    screen_width=st.integers(min_value=70, max_value=250),
)
def test_flexible_columns_share_the_room_and_their_cells_fit(
    rows: list[tuple[str, str, str]], screen_width: int
) -> None:
    cells: list[list[Cell]] = [[Text(p), kind, "2026-12-01", Text(d)] for p, kind, d in rows]
    flexible = {0: 0.65, 3: 0.35}
    widths = column_widths(LABELS, cells, flexible, screen_width)
    assert sum(widths) + CELL_PADDING * len(LABELS) + TABLE_MARGIN <= screen_width
    for row in cells:
        for column in flexible:
            shown = str(clipped(row[column], widths[column], keep_end=column == 3))
            assert "\n" not in shown and len(shown) <= widths[column]
            if len(str(row[column])) <= widths[column] and "\n" not in str(row[column]):
                assert shown == str(row[column])  # nothing cut that fits


def test_a_narrow_deck_and_card_cell_keeps_the_card_id_and_its_style() -> None:
    cell = clipped(Text("deep-learning-guide/nn-bias-role", style="bold"), 17, keep_end=True)
    assert isinstance(cell, Text) and str(cell) == "…ide/nn-bias-role" and cell.style == "bold"
    assert clipped("What does a neuron's bias add?", 12) == "What does a…"
