"""The learner's settings, read from ``config.toml`` in the data directory.

Example::

    new_cards_per_day = 20        # per deck, default 20
    max_reviews_per_day = 200     # optional cap over all decks
    learning_steps = [1, 10]      # minutes until a card graded below 4 comes back
    leech_threshold = 8           # lapses that make a card a leech
    leech_action = "suspend"      # or "flag": tag it leech but keep it in the queue
    scheduler = "sm2"             # or "fsrs": FSRS-6 sets each card's next review day
    desired_retention = 0.9       # FSRS: the recall probability a review is planned at

    [decks.deep-learning-guide]
    new_cards_per_day = 10
    scheduler = "fsrs"            # a deck may choose its own scheduler and retention
    desired_retention = 0.85
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from quizdl.scheduling.fsrs import DEFAULT_DESIRED_RETENTION
from quizdl.scheduling.leech import DEFAULT_LEECH_THRESHOLD, LeechAction, LeechRule
from quizdl.scheduling.steps import DEFAULT_LEARNING_STEPS, Steps
from quizdl.study.errors import StudyError

DEFAULT_NEW_PER_DAY = 20
DEFAULT_STEP_MINUTES = tuple(step.total_seconds() / 60 for step in DEFAULT_LEARNING_STEPS)
# A step longer than a study day would outlive the day that keeps it.
LONGEST_STEP_MINUTES = 24 * 60
SCHEDULERS = ("sm2", "fsrs")
DECK_SETTINGS = ("new_cards_per_day", "scheduler", "desired_retention")


@dataclass(frozen=True)
class StudySettings:
    new_cards_per_day: int = DEFAULT_NEW_PER_DAY
    max_reviews_per_day: int | None = None
    deck_new_cards_per_day: dict[str, int] = field(default_factory=dict)
    learning_steps: tuple[float, ...] = DEFAULT_STEP_MINUTES  # minutes
    leech_threshold: int = DEFAULT_LEECH_THRESHOLD
    leech_action: LeechAction = LeechAction.SUSPEND
    scheduler: str = "sm2"
    desired_retention: float = DEFAULT_DESIRED_RETENTION
    deck_scheduler: dict[str, str] = field(default_factory=dict)
    deck_desired_retention: dict[str, float] = field(default_factory=dict)

    def new_limit(self, deck_id: str) -> int:
        return self.deck_new_cards_per_day.get(deck_id, self.new_cards_per_day)

    def scheduler_of(self, deck_id: str) -> str:
        """ "sm2" or "fsrs": which scheduler sets the deck's cards' review days."""
        return self.deck_scheduler.get(deck_id, self.scheduler)

    def retention_of(self, deck_id: str) -> float:
        return self.deck_desired_retention.get(deck_id, self.desired_retention)

    @property
    def uses_fsrs(self) -> bool:
        return self.scheduler == "fsrs" or "fsrs" in self.deck_scheduler.values()

    @property
    def steps(self) -> Steps:
        return Steps.of_minutes(self.learning_steps)

    @property
    def leech_rule(self) -> LeechRule:
        return LeechRule(self.leech_threshold, self.leech_action)


# A count past any collection's size; also below SQLite's largest integer, which a
# "no limit" of twenty nines overflowed in the queue's LIMIT (a traceback).
LARGEST_COUNT = 1_000_000


def _count(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LARGEST_COUNT:
        raise StudyError(
            f"{where}: expected a whole number from 0 to {LARGEST_COUNT:,}, got {value!r}"
        )
    return value


def _step_minutes(value: object, where: str) -> tuple[float, ...]:
    if not isinstance(value, list) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and 0 < v <= LONGEST_STEP_MINUTES
        for v in value
    ):
        raise StudyError(
            f"{where}: expected a list of minutes, each above 0 and at most "
            f"{LONGEST_STEP_MINUTES} (e.g. [1, 10]), got {value!r}"
        )
    return tuple(float(v) for v in value)


def _leech_action(value: object, where: str) -> LeechAction:
    choices = [action.value for action in LeechAction]
    if value not in choices:
        raise StudyError(f"{where}: expected one of {', '.join(choices)}, got {value!r}")
    return LeechAction(value)


def _scheduler(value: object, where: str) -> str:
    if value not in SCHEDULERS:
        raise StudyError(f"{where}: expected one of {', '.join(SCHEDULERS)}, got {value!r}")
    assert isinstance(value, str)
    return value


def _retention(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.7 <= value <= 0.99:
        raise StudyError(f"{where}: expected a probability from 0.7 to 0.99, got {value!r}")
    return float(value)


# The keys config.toml takes at its top level, beside the [decks.ID] tables.
SETTINGS = (
    "new_cards_per_day",
    "max_reviews_per_day",
    "learning_steps",
    "leech_threshold",
    "leech_action",
    "scheduler",
    "desired_retention",
)


def load_settings(path: Path) -> StudySettings:
    if not path.exists():
        return StudySettings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise StudyError(f"{path}: {exc}") from None
    known = {*SETTINGS, "decks"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise StudyError(
            f"{path}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    per_deck: dict[str, int] = {}
    deck_scheduler: dict[str, str] = {}
    deck_retention: dict[str, float] = {}
    decks = data.get("decks", {})
    if not isinstance(decks, dict):
        raise StudyError(f"{path}: [decks] must be a table")
    for deck_id, table in decks.items():
        if not isinstance(table, dict) or set(table) - set(DECK_SETTINGS):
            raise StudyError(f"{path}: [decks.{deck_id}] may only set {', '.join(DECK_SETTINGS)}")
        where = f"{path}: decks.{deck_id}"
        if "new_cards_per_day" in table:
            per_deck[deck_id] = _count(table["new_cards_per_day"], f"{where}.new_cards_per_day")
        if "scheduler" in table:
            deck_scheduler[deck_id] = _scheduler(table["scheduler"], f"{where}.scheduler")
        if "desired_retention" in table:
            deck_retention[deck_id] = _retention(
                table["desired_retention"], f"{where}.desired_retention"
            )
    cap = data.get("max_reviews_per_day")
    threshold = _count(
        data.get("leech_threshold", DEFAULT_LEECH_THRESHOLD), f"{path}: leech_threshold"
    )
    if threshold < 1:
        raise StudyError(f"{path}: leech_threshold: expected a whole number ≥ 1, got 0")
    return StudySettings(
        new_cards_per_day=_count(
            data.get("new_cards_per_day", DEFAULT_NEW_PER_DAY), f"{path}: new_cards_per_day"
        ),
        max_reviews_per_day=None if cap is None else _count(cap, f"{path}: max_reviews_per_day"),
        deck_new_cards_per_day=per_deck,
        learning_steps=_step_minutes(
            data.get("learning_steps", list(DEFAULT_STEP_MINUTES)), f"{path}: learning_steps"
        ),
        leech_threshold=threshold,
        leech_action=_leech_action(
            data.get("leech_action", LeechAction.SUSPEND.value), f"{path}: leech_action"
        ),
        scheduler=_scheduler(data.get("scheduler", "sm2"), f"{path}: scheduler"),
        desired_retention=_retention(
            data.get("desired_retention", DEFAULT_DESIRED_RETENTION),
            f"{path}: desired_retention",
        ),
        deck_scheduler=deck_scheduler,
        deck_desired_retention=deck_retention,
    )
