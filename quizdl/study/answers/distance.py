"""Typo distance: Damerau–Levenshtein (optimal string alignment), bounded.

Only short answers are ever compared this way, and the caller says how many
edits it will accept, so the work is at most ``len(a) * len(b)`` over strings
of at most ``MAX_CHARS``.
"""

from __future__ import annotations

MAX_CHARS = 120


def edit_distance(a: str, b: str, limit: int) -> int | None:
    """Insertions, deletions, substitutions and adjacent swaps turning a into b,
    or None when more than ``limit`` (or either string is too long to bother)."""
    if abs(len(a) - len(b)) > limit or len(a) > MAX_CHARS or len(b) > MAX_CHARS:
        return None
    if a == b:
        return 0
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, previous2[j - 2] + 1)
            current[j] = best
        if min(current) > limit:
            return None
        previous2, previous = previous, current
    distance = previous[len(b)]
    return distance if distance <= limit else None
