"""CSV with a header row (id, type, front, back, tags, deck) that spreadsheets and our
importer read.

Non-qa cards are flattened to two sides (``sides.front_and_back``); CSV is a
hand-off format, YAML/JSON are the lossless ones. The deck column holds the deck's
id, so that the file, edited or not, goes back into its deck when imported.
"""

from __future__ import annotations

import csv
import io

from quizdl.decks.model import Deck
from quizdl.exporters.sides import front_and_back

# The header row; the importer knows the file by it (csv_text: its fields are text).
COLUMNS = ("id", "type", "front", "back", "tags", "deck")


def export_csv(deck: Deck) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for card in deck.cards:
        front, back = front_and_back(card)
        # Anki's convention: tags are space-separated, so a space inside one becomes "_".
        tags = " ".join(tag.replace(" ", "_") for tag in card.tags)
        writer.writerow([card.id, card.type, front, back, tags, deck.id])
    return buffer.getvalue().encode("utf-8")
