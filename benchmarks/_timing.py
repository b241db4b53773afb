"""Small timing helpers shared by the benchmark scripts (never used by tests)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def timed(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def median_seconds(action: Callable[[], object], repeat: int = 5) -> float:
    return statistics.median(timed(action)[0] for _ in range(repeat))


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f} ms"


def table(rows: list[tuple[str, str, str, str]]) -> str:
    header = ("measure", "quizdl", "anki", "quizdl/anki")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(4)]
    lines = ["  ".join(str(cell).ljust(w) for cell, w in zip(header, widths, strict=True))]
    lines += [
        "  ".join(str(cell).ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows
    ]
    return "\n".join(lines)
