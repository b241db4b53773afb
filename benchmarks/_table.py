"""One results table for every benchmark script (``make bench`` prints it once).

Each script measures and calls ``emit(rows)``, which prints one marked JSON
line; ``run_all.py`` collects those lines from every script and prints the
table: measure, quizdl, Anki, ratio, budget, holds?.

A row's budget is absolute (quizdl must stay under it: queue < 50 ms) or
relative (``beat_anki``: the ratio must be below 1), or both.
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

MARK = "BENCH-ROWS "


@dataclass
class Row:
    measure: str
    quizdl: float | None  # seconds, or MB when unit == "MB"
    anki: float | None = None
    budget: float | None = None  # quizdl must be below this
    beat_anki: bool = False  # the ratio must be below 1
    unit: str = "s"
    section: str = "SQLite, 100,000 cards"

    @property
    def ratio(self) -> float | None:
        if self.quizdl is None or not self.anki:
            return None
        return self.quizdl / self.anki

    @property
    def holds(self) -> bool | None:
        checks: list[bool] = []
        if self.budget is not None and self.quizdl is not None:
            checks.append(self.quizdl < self.budget)
        if self.beat_anki and self.ratio is not None:
            checks.append(self.ratio < 1)
        return all(checks) if checks else None


def emit(rows: list[Row]) -> None:
    print(MARK + json.dumps([asdict(row) for row in rows]), flush=True)


def parse(line: str) -> list[Row] | None:
    if not line.startswith(MARK):
        return None
    return [Row(**item) for item in json.loads(line[len(MARK) :])]


def _amount(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    if unit == "MB":
        return f"{value:.0f} MB"
    if value < 1:
        return f"{value * 1000:.1f} ms" if value < 0.1 else f"{value * 1000:.0f} ms"
    return f"{value:.2f} s"


def render(rows: list[Row]) -> str:
    header = ("measure", "quizdl", "Anki", "ratio", "budget", "holds?")
    lines: list[tuple[str, ...]] = []
    sections: list[str] = []
    for row in rows:
        if row.section not in sections:
            sections.append(row.section)
    out: list[str] = []
    for section in sections:
        lines.append((f"[{section}]", "", "", "", "", ""))
        for row in (r for r in rows if r.section == section):
            budget = []
            if row.budget is not None:
                budget.append(f"< {_amount(row.budget, row.unit)}")
            if row.beat_anki:
                budget.append("< Anki")
            holds = row.holds
            lines.append(
                (
                    row.measure,
                    _amount(row.quizdl, row.unit),
                    _amount(row.anki, row.unit),
                    "" if row.ratio is None else f"{row.ratio:.2f}",
                    ", ".join(budget),
                    "" if holds is None else ("yes" if holds else "NO"),
                )
            )
    widths = [max(len(line[i]) for line in [header, *lines]) for i in range(len(header))]
    for line in [header, *lines]:
        out.append("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)))
    return "\n".join(out).rstrip()


def interleaved(actions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median seconds of each action, run in turns (a, b, c, a, b, c, ...) so that
    a burst of load from elsewhere on the machine falls on every side alike."""
    samples: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeat):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in samples.items()}


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    """A temporary folder on disk, where a learner's collection lives: each side
    then pays for its own durability (Anki syncs every answer to disk, quizdl's
    WAL does not). QUIZDL_BENCH_MEMORY=1 puts it in /dev/shm instead, which
    measures only the CPU work."""
    memory = os.environ.get("QUIZDL_BENCH_MEMORY") == "1" and os.path.isdir("/dev/shm")
    with tempfile.TemporaryDirectory(prefix=prefix, dir="/dev/shm" if memory else None) as path:
        yield Path(path)


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries
    ru_maxrss over exec from the parent."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024
