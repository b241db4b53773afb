"""Packages exported by Anki's own library (the ``anki`` wheel), as a learner's Anki writes them.

The hand-built packages in ``anki_builders`` are checked against these: a test
that passes on our idea of the format but fails on Anki's is worth nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions


@dataclass
class RealNote:
    notetype: str  # a stock note type: "Basic", "Basic (and reversed card)", "Cloze", ...
    fields: list[str]
    deck: str = "DL::CNN"
    tags: list[str] = field(default_factory=list)
    guid: str | None = None
    # Written straight into the first card: (type, queue, due, ivl, factor, reps, lapses).
    schedule: tuple[int, int, int, int, int, int, int] | None = None


def export_with_anki(
    directory: Path,
    notes: list[RealNote],
    media: dict[str, bytes] | None = None,
    *,
    legacy: bool = False,
    root_deck: str = "DL",
) -> Path:
    """Build a collection in ``directory`` and export ``root_deck`` as Anki's default .apkg
    (zstd collection.anki21b, placeholder collection.anki2, zstd protobuf media map)."""
    home = directory / "anki-home"
    home.mkdir(parents=True, exist_ok=True)
    col = Collection(str(home / "collection.anki2"))
    try:
        for name, data in (media or {}).items():
            written = col.media.write_data(name, data)
            assert written == name, f"Anki renamed {name} to {written}"
        for spec in notes:
            notetype = col.models.by_name(spec.notetype)
            assert notetype is not None, spec.notetype
            note = col.new_note(notetype)
            for index, value in enumerate(spec.fields):
                note.fields[index] = value
            note.tags = list(spec.tags)
            if spec.guid is not None:
                note.guid = spec.guid
            col.add_note(note, col.decks.id(spec.deck))
            if spec.schedule is not None:
                card = note.cards()[0]
                (card.type, card.queue, card.due, card.ivl, card.factor, card.reps, card.lapses) = (
                    spec.schedule
                )
                col.update_card(card)
        out = directory / ("legacy.apkg" if legacy else "exported.apkg")
        options = ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=True, legacy=legacy
        )
        deck_id = col.decks.id_for_name(root_deck)
        assert deck_id is not None
        col.export_anki_package(out_path=str(out), options=options, limit=DeckIdLimit(deck_id))
        return out
    finally:
        col.close()


def collection_crt(directory: Path) -> int:
    """The exported collection's creation time (day numbers count from it)."""
    col = Collection(str(directory / "anki-home" / "collection.anki2"))
    try:
        return int(col.crt)
    finally:
        col.close()
