"""Leeches: cards that keep lapsing cost more time than they teach.

As in Anki, a card becomes a leech at its ``threshold``-th lapse, and is
flagged again every half threshold after that (at 8, 12, 16... by default),
so a learner who unsuspends a leech without rewriting it hears about it again.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DEFAULT_LEECH_THRESHOLD = 8


class LeechAction(StrEnum):
    SUSPEND = "suspend"
    FLAG = "flag"


@dataclass(frozen=True, slots=True)
class LeechRule:
    threshold: int = DEFAULT_LEECH_THRESHOLD
    action: LeechAction = LeechAction.SUSPEND

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(f"leech threshold must be at least 1, got {self.threshold}")


def is_leech(lapses: int, rule: LeechRule = LeechRule()) -> bool:
    """Whether a card with this many lapses is a leech."""
    return lapses >= rule.threshold


def lapse_makes_leech(lapses_after: int, rule: LeechRule = LeechRule()) -> bool:
    """Whether the lapse that brought a card to ``lapses_after`` triggers the leech action."""
    if lapses_after < rule.threshold:
        return False
    repeat_every = max(1, rule.threshold // 2)
    return (lapses_after - rule.threshold) % repeat_every == 0
