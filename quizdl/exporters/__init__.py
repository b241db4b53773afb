"""Giving decks back in forms other tools read: YAML, JSON, CSV and Anki packages.

Every exporter returns the whole file as bytes, so the CLI can write it
atomically (a failed export never leaves half a file behind).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from quizdl.decks.model import Deck
from quizdl.exporters.apkg import export_apkg
from quizdl.exporters.csv_export import export_csv
from quizdl.exporters.json_export import export_json
from quizdl.exporters.yaml_export import export_yaml
from quizdl.study.values import ImportedProgress

ExportFormat = Literal["yaml", "csv", "apkg", "json"]
EXPORT_FORMATS: tuple[str, ...] = ("yaml", "csv", "apkg", "json")
# Formats that can carry per-card progress (a backup); CSV and .apkg carry content only.
PROGRESS_FORMATS: tuple[str, ...] = ("yaml", "json")

__all__ = ["EXPORT_FORMATS", "PROGRESS_FORMATS", "ExportFormat", "export_deck"]


def export_deck(
    deck: Deck, fmt: ExportFormat, progress: Mapping[str, ImportedProgress] | None = None
) -> bytes:
    if fmt == "yaml":
        return export_yaml(deck, progress)
    if fmt == "json":
        return export_json(deck, progress)
    if fmt == "csv":
        return export_csv(deck)
    return export_apkg(deck)
