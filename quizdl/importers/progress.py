"""quizdl's own progress format in JSON and YAML exports, read back on import.

``progress`` maps each card id to its SM-2 state: easiness, repetitions,
interval, due (ISO date or null for a new card), lapses, suspended.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from quizdl.importers.refuse import refuse
from quizdl.scheduling.sm2 import MIN_EASINESS, SM2State
from quizdl.study.values import ImportedProgress


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    easiness: float = Field(ge=MIN_EASINESS, le=10)
    repetitions: int = Field(ge=0)
    interval: int = Field(ge=0)
    due: date | None = None
    lapses: int = Field(default=0, ge=0)
    suspended: bool = False


def progress_to_data(progress: Mapping[str, ImportedProgress]) -> dict[str, dict[str, Any]]:
    return {
        card_id: {
            "easiness": item.state.easiness,
            "repetitions": item.state.repetitions,
            "interval": item.state.interval,
            "due": None if item.state.due is None else item.state.due.isoformat(),
            "lapses": item.lapses,
            "suspended": item.suspended,
        }
        for card_id, item in progress.items()
    }


def _readable(error: Any) -> str:
    """What was expected, in the words the rest of quizdl uses (not the validator's)."""
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "model_type":
        return "expected a mapping of easiness, repetitions, interval, due, lapses, suspended"
    message = str(error["msg"]).replace("Input should be", "expected")
    return message[:1].lower() + message[1:]


def progress_from_data(data: Any, path: Path, card_ids: set[str]) -> dict[str, ImportedProgress]:
    if not isinstance(data, dict):
        refuse(path, "progress must be a mapping of card id to its state", field="progress")
    result: dict[str, ImportedProgress] = {}
    for card_id, raw in data.items():
        if str(card_id) not in card_ids:
            refuse(
                path,
                f"progress for {card_id!r}, which is not a card of the deck",
                field=f"progress.{card_id}",
            )
        try:
            entry = _Entry.model_validate(raw)
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in error["loc"]) or "entry"
            refuse(path, f"{where}: {_readable(error)}", field=f"progress.{card_id}")
        state = SM2State(entry.easiness, entry.repetitions, entry.interval, entry.due)
        result[str(card_id)] = ImportedProgress(state, entry.lapses, entry.suspended)
    return result
