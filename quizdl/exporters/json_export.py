"""quizdl JSON: the deck plus, for backups, each card's SM-2 progress."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from quizdl.decks.model import Deck
from quizdl.exporters.yaml_export import deck_data
from quizdl.importers.json_source import EXPORT_FORMAT
from quizdl.importers.progress import progress_to_data
from quizdl.study.values import ImportedProgress

FORMAT_VERSION = 1


def export_json(deck: Deck, progress: Mapping[str, ImportedProgress] | None = None) -> bytes:
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "format_version": FORMAT_VERSION,
        "deck": deck_data(deck),
    }
    if progress is not None:
        data["progress"] = progress_to_data(progress)
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
