"""How well readiness predicts recall on REAL review logs (Anki packages with a revlog).

For each package given:

1. It is imported the way a learner would, ``quizdl import PATH --with-progress``,
   into a temporary QUIZDL_HOME (never the learner's own collection), and the
   import's summary is shown. That carries each card's Anki scheduling over;
   Anki's review log is not imported.
2. The package's review log (``revlog``) is read: answers of the manual
   "reschedule" kind (ease 0) are skipped, Anki's ease 1-4 becomes quizdl's
   grade 1/3/4/5 (as ``_learners.GRADE_OF_RATING``), and times are Anki's own
   (revlog ids are epoch milliseconds), counted in study days of ``--zone``.
3. Every answer a day or more after the card's previous one is a test of the
   model: FSRS-6, replayed over that card's earlier answers, predicted a
   probability of recall; the grade says whether the card was recalled
   (``quizdl.scheduling.calibration``). Reported: log loss and a table of mean
   predicted vs observed recall by predicted-probability bucket, with FSRS'
   published parameters and, from 1,000 reviews on, with parameters fitted to
   the same log (in-sample, as the app would after its daily refit).

Nothing is copied from the packages; pass their paths.

Run: .venv/bin/python benchmarks/bench_calibration.py PACKAGE.apkg [...] [--zone Europe/Berlin]

Measured 2026-11-30 on every package in ../shared/corpora/anki (8 packages,
--zone Europe/Berlin): all eight import cleanly with --with-progress; six carry
no review history at all; the other two (schutera's
ProbabilityAndInformationTheory and NumericalComputation decks) carry 23 and 22
answers from a learner's first session (13 and 20 cards, each log within 14
hours). Only 2 answers come a study day or more after the card's previous one:

    predicted  reviews  mean p  recalled
    0.70-0.80        1   0.766     1.000
    0.90-1.00        1   0.917     0.000
    log loss 1.3756 over 2 reviews

Two answers measure nothing: calibration on a real log remains unmeasured on
this machine (no package here holds a multi-day history). bench_plan.py
reports it on simulated learners (log loss 0.410, every bucket within 0.05).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from quizdl.importers.anki_package import read_package
from quizdl.scheduling.calibration import calibration, predictions
from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.fsrs import DEFAULT_PARAMETERS, FSRSScheduler
from quizdl.scheduling.readiness import MIN_REVIEWS_TO_FIT, fit_parameters

# Anki's again/hard/good/easy as quizdl grades (0..5, pass at 3).
GRADE_OF_EASE = {1: 1, 2: 3, 3: 4, 4: 5}

Log = list[tuple[datetime, int]]


def review_logs(path: Path) -> dict[int, Log]:
    """Each card's answers in the package's revlog, oldest first (aware UTC times)."""
    package = read_package(path)
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(package.collection)
        has_revlog = connection.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'revlog'"
        ).fetchone()
        if not has_revlog:
            return {}
        logs: dict[int, Log] = defaultdict(list)
        for millis, card, ease in connection.execute(
            "SELECT id, cid, ease FROM revlog ORDER BY id"
        ):
            if ease in GRADE_OF_EASE:
                when = datetime.fromtimestamp(millis / 1000, UTC)
                logs[int(card)].append((when, GRADE_OF_EASE[ease]))
        return dict(logs)
    finally:
        connection.close()


def import_with_progress(path: Path) -> str:
    """``quizdl import PATH --with-progress`` into a throwaway collection; its output."""
    with tempfile.TemporaryDirectory(prefix="quizdl-calibration-") as home:
        env = {**os.environ, "QUIZDL_HOME": home}
        env.pop("QUIZDL_DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", "quizdl.cli", "import", str(path), "--with-progress"],
            capture_output=True,
            text=True,
            env=env,
            timeout=600,
            check=False,
        )
    lines = (done.stdout + done.stderr).strip().splitlines()
    return f"exit {done.returncode}: " + " | ".join(line.strip() for line in lines)


def report(name: str, logs: list[Log], zone: tzinfo) -> None:
    calendar = StudyCalendar(zone=zone)
    answers = sum(len(log) for log in logs)
    print(f"\n{name}: {len(logs)} cards with answers, {answers} answers")
    runs = [("FSRS-6 published parameters", DEFAULT_PARAMETERS)]
    if answers >= MIN_REVIEWS_TO_FIT:
        days = [[(calendar.day_of(when), grade) for when, grade in log] for log in logs]
        runs.append(("parameters fitted to this log", fit_parameters(days)))
    for label, parameters in runs:
        pairs = predictions(FSRSScheduler(calendar, parameters), logs)
        print(f"  {label}: {len(pairs)} tested answers (a day or more after the one before)")
        if pairs:
            print("    " + calibration(pairs).table().replace("\n", "\n    "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packages", nargs="+", type=Path, help="Anki .apkg/.colpkg files")
    parser.add_argument(
        "--zone", default=None, help="the learner's time zone (default: this machine's)"
    )
    arguments = parser.parse_args()
    zone: tzinfo = (
        ZoneInfo(arguments.zone) if arguments.zone else datetime.now().astimezone().tzinfo or UTC
    )
    pooled: list[Log] = []
    for path in arguments.packages:
        print(f"{path.name}\n  import: {import_with_progress(path)}")
        logs = list(review_logs(path).values())
        pooled += logs
        if logs:
            report(path.name, logs, zone)
        else:
            print("  no review history in this package")
    if len(arguments.packages) > 1:
        report("all packages together", pooled, zone)


if __name__ == "__main__":
    main()
