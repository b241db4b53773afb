"""The learner's settings, read from ``config.toml`` in the data directory.

Example::

    new_cards_per_day = 20        # per deck, default 20
    max_reviews_per_day = 200     # optional cap over all decks

    [decks.deep-learning-guide]
    new_cards_per_day = 10
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from quizdl.study.errors import StudyError

DEFAULT_NEW_PER_DAY = 20


@dataclass(frozen=True)
class StudySettings:
    new_cards_per_day: int = DEFAULT_NEW_PER_DAY
    max_reviews_per_day: int | None = None
    deck_new_cards_per_day: dict[str, int] = field(default_factory=dict)

    def new_limit(self, deck_id: str) -> int:
        return self.deck_new_cards_per_day.get(deck_id, self.new_cards_per_day)


def _non_negative_int(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise StudyError(f"{where}: expected a whole number ≥ 0, got {value!r}")
    return value


def load_settings(path: Path) -> StudySettings:
    if not path.exists():
        return StudySettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StudyError(f"{path}: {exc}") from None
    known = {"new_cards_per_day", "max_reviews_per_day", "decks"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise StudyError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    per_deck: dict[str, int] = {}
    decks = data.get("decks", {})
    if not isinstance(decks, dict):
        raise StudyError(f"{path}: [decks] must be a table")
    for deck_id, table in decks.items():
        if not isinstance(table, dict) or set(table) - {"new_cards_per_day"}:
            raise StudyError(f"{path}: [decks.{deck_id}] may only set new_cards_per_day")
        if "new_cards_per_day" in table:
            per_deck[deck_id] = _non_negative_int(
                table["new_cards_per_day"], f"{path}: decks.{deck_id}.new_cards_per_day"
            )
    cap = data.get("max_reviews_per_day")
    return StudySettings(
        new_cards_per_day=_non_negative_int(
            data.get("new_cards_per_day", DEFAULT_NEW_PER_DAY), f"{path}: new_cards_per_day"
        ),
        max_reviews_per_day=None
        if cap is None
        else _non_negative_int(cap, f"{path}: max_reviews_per_day"),
        deck_new_cards_per_day=per_deck,
    )
