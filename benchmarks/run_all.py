"""Run every benchmark in this folder and print one table (``make bench``).

Each ``bench_*.py`` runs in a process of its own; what it prints is shown as it
comes, and the rows it emits (see ``_table``) are gathered into the table at
the end: measure, quizdl, Anki, ratio, budget, holds?. ``--skip NAME`` leaves
a script out; other options are passed on to bench_foundation.py (e.g.
``--sizes 10000,100000,1000000``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from _table import Row, parse, render

HERE = Path(__file__).resolve().parent
# What each script runs with here, to keep `make bench` under half an hour.
EXTRA_ARGS = {"bench_checker.py": ["--sample", "--repeat", "3"]}


def main() -> int:
    # --skip NAME (repeatable) leaves a script out. Other options go to
    # bench_foundation.py.
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--skip", action="append", default=[])
    options, foundation_args = parser.parse_known_args()
    skip = {name if name.endswith(".py") else f"{name}.py" for name in options.skip}
    failed: list[str] = []
    skipped: list[str] = []
    rows: list[Row] = []
    for script in sorted(HERE.glob("bench_*.py")):
        if script.name in skip:
            print(f"\n=== {script.name}: skipped (--skip) ===", flush=True)
            continue
        print(f"\n=== {script.name} ===", flush=True)
        extra = EXTRA_ARGS.get(script.name, [])
        if script.name == "bench_foundation.py":
            extra = foundation_args
        process = subprocess.Popen(
            [sys.executable, str(script), *extra],
            cwd=HERE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        reported = False
        for line in process.stdout:
            emitted = parse(line)
            if emitted is None:
                print(line, end="", flush=True)
            else:
                rows += emitted
                reported = True
        code = process.wait()
        if code == 2:
            # argparse's usage error: a tool that needs input (bench_calibration
            # takes Anki packages), not a benchmark that failed.
            skipped.append(script.name)
        elif code != 0 and not reported:
            # A script that reported its rows and exits 1 for a missed budget
            # has not failed: the table shows the miss.
            failed.append(script.name)
    print("\n=== results ===")
    print(render(rows))
    over = [f"{row.section}: {row.measure}" for row in rows if row.holds is False]
    print(f"\n{len(over)} of {sum(row.holds is not None for row in rows)} budgets missed", end="")
    print(":\n  " + "\n  ".join(over) if over else ".")
    if skipped:
        print(f"not run (they need arguments): {', '.join(skipped)}")
    if failed:
        print(f"benchmarks that failed: {', '.join(failed)}")
    # Non-zero when a script failed or a budget (or a ratio to beat) was missed.
    return 1 if failed or over else 0


if __name__ == "__main__":
    sys.exit(main())
