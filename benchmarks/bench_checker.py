"""Latency of a challenge check, cold, warm and back to back, for every bundled challenge.

    .venv/bin/python benchmarks/bench_checker.py [--repeat 10] [--challenge ID ...] [--sample]

Cold: the first check of a fresh Checker, which starts its two children (the
builder that runs the code, the describer that never does); both import
TensorFlow, at the same time. Warm: the spare builder and the idle describer
have already imported TensorFlow (we wait for them outside the timed region),
which is what the TUI sees; the budget is 0.5 s. Back to back: checks one after
another without waiting, as `quizdl challenge verify` and the tests run them;
each pays for whatever processes it has to start, so this is the cost of a
check when many are run. Each check runs the challenge's reference solution;
medians of --repeat runs.

``make bench`` runs ``--sample --repeat 3``: the four model families of the
guide (MLP, CNN, RNN, transformer), about 4 minutes here; all 25 challenges
with 10 repeats take over an hour.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from _table import Row, emit

from quizdl.challenges.runner import Checker
from quizdl.decks.loader import load_deck
from quizdl.decks.model import ChallengeCard

DECKS = Path(__file__).resolve().parents[1] / "decks"
WARM_BUDGET = 0.5
# One challenge per model family of the guide: what --sample checks.
SAMPLE = ("keras-mlp-mnist", "keras-cnn-cifar10", "keras-rnn-imdb", "keras-transformer-block")


def bundled_challenges() -> list[ChallengeCard]:
    return [
        card
        for path in sorted(DECKS.glob("*.yaml"))
        for card in load_deck(path).cards
        if isinstance(card, ChallengeCard)
    ]


def timed_check(checker: Checker, card: ChallengeCard) -> float:
    started = time.perf_counter()
    verdict = checker.check(card.expect, card.solution, reference=card.solution)
    elapsed = time.perf_counter() - started
    if not verdict.passed:
        raise SystemExit(
            f"{card.id}: the reference solution failed:\n" + "\n".join(verdict.lines())
        )
    return elapsed


def cold(card: ChallengeCard, repeat: int) -> list[float]:
    times: list[float] = []
    for _ in range(repeat):
        with Checker(keep_warm=False) as checker:
            times.append(timed_check(checker, card))
    return times


def back_to_back(card: ChallengeCard, repeat: int) -> list[float]:
    with Checker() as checker:
        timed_check(checker, card)  # the cold first check is measured above
        return [timed_check(checker, card) for _ in range(repeat)]


def warm(card: ChallengeCard, repeat: int) -> list[float]:
    times: list[float] = []
    with Checker() as checker:
        for _ in range(repeat):
            if not checker.wait_until_warm():
                raise SystemExit("the spare checker process did not start")
            times.append(timed_check(checker, card))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=10, help="checks per measurement")
    parser.add_argument("--challenge", action="append", help="only these ids (repeatable)")
    parser.add_argument("--sample", action="store_true", help=f"only {', '.join(SAMPLE)}")
    args = parser.parse_args()
    wanted = set(args.challenge or ()) | (set(SAMPLE) if args.sample else set())
    cards = [c for c in bundled_challenges() if not wanted or c.id in wanted]
    rows: list[Row] = []
    header = (
        f"{'challenge':<30} {'cold median':>12} {'warm median':>12} {'warm max':>9} "
        f"{'back-to-back':>13}  budget"
    )
    print(f"{args.repeat} checks each, reference solutions")
    print(header)
    print("-" * len(header))
    for card in cards:
        cold_times = cold(card, args.repeat)
        warm_times = warm(card, args.repeat)
        serial_times = back_to_back(card, args.repeat)
        warm_median = statistics.median(warm_times)
        verdict = "ok" if warm_median < WARM_BUDGET else f"OVER {WARM_BUDGET} s"
        print(
            f"{card.id:<30} {statistics.median(cold_times):>10.3f} s "
            f"{warm_median:>10.3f} s {max(warm_times):>7.3f} s "
            f"{statistics.median(serial_times):>11.3f} s  {verdict}",
            flush=True,
        )
        section = "challenge checks (reference solution)"
        rows.append(Row(f"{card.id}: warm check", warm_median, budget=WARM_BUDGET, section=section))
        rows.append(Row(f"{card.id}: cold check", statistics.median(cold_times), section=section))
    emit(rows)


if __name__ == "__main__":
    main()
