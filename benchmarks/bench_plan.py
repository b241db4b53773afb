"""An interview in 14 days: does a plan get the cards ready, within 20 minutes a day?

Simulates learners whose true memory follows FSRS-6 with their own parameters
(drawn around the published defaults; see ``_learners``) on 250 cards (the
bundled decks' size), an interview 14 days away and a budget of 20 minutes a
day, under four ways of studying:

- plain SM-2: every due card and 20 new cards a day, however long it takes;
- SM-2 + plan: quizdl's plan (``quizdl.scheduling.plan``) over SM-2;
- FSRS: FSRS-6 at 90 % desired retention, every due card and 20 new a day;
- FSRS + plan: the plan over FSRS;
- plain SM-2 held to the budget: 20 new a day, but the learner stops at 20
  minutes (what is left waits for the next day), for a comparison at equal time.

Under a plan the learner studies the plan's queue (learning steps first, then
reviews weakest first, then new cards) and stops when the day's budget is
spent. The plan's readiness is the FSRS replay of each card's log with the
default parameters, then parameters fitted to the learner's log once it holds
1,000 reviews (refitted daily). Reported, as means over learners: expected
recall of all 250 cards at the start of the interview day, the readiness
the app would predict for it, minutes per day and the longest day; then the
calibration of FSRS' predictions over the simulated review logs.

Run: .venv/bin/python benchmarks/bench_plan.py [--learners 200] [--workers 2]

Measured 2026-11-29 (200 learners, 2 workers on a shared 2-core machine, 126 s):

    policy                             recall on the day  predicted  min/day  longest day
    plain SM-2 (20 new/day)            93.6% ± 1.8%       93.5%      26.0     39.1
    SM-2 + plan                        91.6% ± 2.5%       91.7%      19.3     20.3
    FSRS (20 new/day)                  93.7% ± 1.8%       93.7%      21.1     28.8
    FSRS + plan                        93.7% ± 2.4%       93.7%      19.2     20.2
    SM-2 (20 new/day), stop at budget  77.4% ± 5.1%       77.4%      19.1     20.3

Both plans reach >= 90 % within the budget. At equal time (plain SM-2 held to
20 minutes) they are ahead for 200 of 200 learners (+14.1 and +16.2 points);
plain SM-2 left to run over budget (26 min a day on average, 39 on its
longest day) stays 2.0 points ahead of SM-2 + plan, and level with FSRS + plan.
The "longest day" of a plan exceeds 20.0 by the last answer started in time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from _learners import Learner

from quizdl.scheduling.calibration import calibration, predictions
from quizdl.scheduling.days import StudyCalendar
from quizdl.scheduling.fsrs import FSRSScheduler
from quizdl.scheduling.plan import (
    DEFAULT_FINAL_STRETCH_DAYS,
    PlanCard,
    PlanSettings,
    make_plan,
    review_seconds,
    seconds_per_answer,
)
from quizdl.scheduling.readiness import MIN_REVIEWS_TO_FIT, fit_parameters
from quizdl.scheduling.sm2_scheduler import SM2Scheduler

CARDS = 250
DAYS = 14
MINUTES_PER_DAY = 20.0
NEW_PER_DAY = 20
# Los Angeles springs forward on 2026-03-08, inside the 14 days.
CALENDAR = StudyCalendar(ZoneInfo("America/Los_Angeles"))
FIRST_DAY = date(2026, 3, 1)
INTERVIEW = FIRST_DAY + timedelta(days=DAYS)
SESSION_HOUR = 19  # the learner studies in the evening, local time

POLICIES = (
    "plain SM-2 (20 new/day)",
    "SM-2 + plan",
    "FSRS (20 new/day)",
    "FSRS + plan",
    # Plain SM-2 held to the same budget: the learner stops at 20 minutes.
    "SM-2 (20 new/day), stop at budget",
)


@dataclass
class Outcome:
    recall: float
    minutes_per_day: float
    longest_day: float
    reviews: int
    seen: int
    # Readiness as the app would show it (FSRS replay of the logs, defaults or
    # the learner's fit), to compare with the true expected recall.
    predicted_recall: float
    # (predicted, recalled) for each review a day or more after the last,
    # with FSRS' default parameters: the calibration of the readiness model.
    calibration_pairs: list[tuple[float, bool]]


def _session_start(day: date) -> datetime:
    local = datetime(day.year, day.month, day.day, SESSION_HOUR, tzinfo=CALENDAR.zone)
    return local.astimezone(UTC)


def simulate(policy: str, seed: int, stretch_days: int = DEFAULT_FINAL_STRETCH_DAYS) -> Outcome:
    learner = Learner(seed, CARDS)
    planned = policy.endswith("plan")
    scheduler: Any = SM2Scheduler(CALENDAR) if "SM-2" in policy else None
    fsrs_defaults = FSRSScheduler(CALENDAR)
    if scheduler is None:
        scheduler = fsrs_defaults
    states = [scheduler.new_card() for _ in range(CARDS)]
    # The plan's readiness: each card's log replayed through FSRS.
    readiness_model = fsrs_defaults
    shadows = [readiness_model.new_card() for _ in range(CARDS)]
    logs: list[list[tuple[datetime, int]]] = [[] for _ in range(CARDS)]
    answer_times: list[float] = []
    next_new = 0
    daily_minutes = []
    settings = PlanSettings(INTERVIEW, MINUTES_PER_DAY, stretch_days)

    for offset in range(DAYS):
        today = FIRST_DAY + timedelta(days=offset)
        now = _session_start(today)
        review_count = len(answer_times)
        if planned and review_count >= MIN_REVIEWS_TO_FIT:
            # Refit daily, as the app may; replay every card with the fit.
            fitted = fit_parameters(
                [[(CALENDAR.day_of(w), g) for w, g in log] for log in logs if log]
            )
            readiness_model = FSRSScheduler(CALENDAR, fitted)
            shadows = [readiness_model.replay(log) for log in logs]
        seen = [i for i in range(CARDS) if states[i].due is not None]
        due_now = [
            i for i in seen if states[i].step is None and CALENDAR.day_of(states[i].due) <= today
        ]
        if planned:
            per_answer = seconds_per_answer(answer_times)
            cards = [
                PlanCard(
                    key=i,
                    own_due=CALENDAR.day_of(states[i].due),
                    last_review=CALENDAR.day_of(states[i].last_review),
                    recall_on_interview=readiness_model.recall_on(shadows[i], INTERVIEW),
                    seconds=review_seconds(
                        readiness_model.recall_on(shadows[i], today), per_answer
                    ),
                )
                for i in seen
                if states[i].step is None
            ]
            plan = make_plan(cards, CARDS - next_new, today, settings, per_answer)
            reviews = list(plan.due_today())
            new_today = plan.new_today
            new_first = plan.days[0].new_first
            budget = settings.budget_seconds
        else:
            reviews = sorted(due_now, key=lambda i: states[i].due)
            new_today, new_first, budget = NEW_PER_DAY, False, float("inf")
            if policy.endswith("stop at budget"):
                budget = settings.budget_seconds
        new = list(range(next_new, min(CARDS, next_new + new_today)))
        queue = new + reviews if new_first else reviews + new
        next_new = min(CARDS, next_new + new_today)
        # Cards left on a step yesterday come first today.
        learning = {i for i in seen if states[i].step is not None}
        spent = 0.0
        position = 0
        while spent < budget:
            ready = [i for i in learning if states[i].due <= now]
            if ready:
                card = min(ready, key=lambda i: states[i].due)
            elif position < len(queue):
                card = queue[position]
                position += 1
                if card in learning:
                    continue
            elif learning:
                now = min(states[i].due for i in learning)
                continue
            else:
                break
            grade, seconds = learner.answer(card, today, now)
            states[card], _ = scheduler.review(states[card], grade, now)
            shadows[card], _ = readiness_model.review(shadows[card], grade, now)
            logs[card].append((now, grade))
            answer_times.append(seconds)
            spent += seconds
            now += timedelta(seconds=seconds)
            if states[card].step is not None:
                learning.add(card)
            else:
                learning.discard(card)
        if budget < float("inf") and position < len(queue):
            # New cards the budget left unstarted go back to the unseen pile.
            unstarted = [i for i in queue[position:] if states[i].due is None]
            next_new -= len(unstarted)
        daily_minutes.append(spent / 60)

    return Outcome(
        recall=learner.recall_on(INTERVIEW),
        minutes_per_day=statistics.fmean(daily_minutes),
        longest_day=max(daily_minutes),
        reviews=len(answer_times),
        seen=sum(s.due is not None for s in states),
        predicted_recall=statistics.fmean(
            readiness_model.recall_on(readiness_model.replay(log), INTERVIEW) for log in logs
        ),
        calibration_pairs=predictions(fsrs_defaults, logs) if policy == "FSRS + plan" else [],
    )


def _run(job: tuple[str, int, int]) -> tuple[str, Outcome]:
    policy, seed, stretch_days = job
    return policy, simulate(policy, seed, stretch_days)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stretch", type=int, default=DEFAULT_FINAL_STRETCH_DAYS)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    jobs = [(p, seed, args.stretch) for seed in range(args.learners) for p in POLICIES]
    results: dict[str, list[Outcome]] = {policy: [] for policy in POLICIES}
    if args.workers > 1:
        with ProcessPoolExecutor(args.workers) as pool:
            for policy, outcome in pool.map(_run, jobs, chunksize=8):
                results[policy].append(outcome)
    else:
        for policy, outcome in map(_run, jobs):
            results[policy].append(outcome)
    elapsed = time.perf_counter() - started

    print(
        f"{args.learners} learners, {CARDS} cards, interview in {DAYS} days, "
        f"budget {MINUTES_PER_DAY:g} min/day, final stretch {args.stretch} days ({elapsed:.0f} s)"
    )
    header = (
        "policy",
        "recall on the day",
        "predicted",
        "min/day",
        "longest day",
        "reviews",
        "cards seen",
    )
    rows = [header]
    for policy in POLICIES:
        outs = results[policy]
        recalls = [o.recall for o in outs]
        spread = statistics.pstdev(recalls) if len(recalls) > 1 else 0.0
        rows.append(
            (
                policy,
                f"{statistics.fmean(recalls):.1%} ± {spread:.1%}",
                f"{statistics.fmean(o.predicted_recall for o in outs):.1%}",
                f"{statistics.fmean(o.minutes_per_day for o in outs):.1f}",
                f"{statistics.fmean(o.longest_day for o in outs):.1f}",
                f"{statistics.fmean(o.reviews for o in outs):.0f}",
                f"{statistics.fmean(o.seen for o in outs):.0f}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
    for baseline in (POLICIES[0], POLICIES[4]):
        base = statistics.fmean(o.recall for o in results[baseline])
        for policy in POLICIES[1:4:2]:
            wins = sum(
                p.recall > b.recall for p, b in zip(results[policy], results[baseline], strict=True)
            )
            gain = statistics.fmean(o.recall for o in results[policy]) - base
            print(
                f"{policy} vs {baseline}: ahead for {wins}/{args.learners} learners ({gain:+.1%})"
            )
    pairs = [pair for o in results["FSRS + plan"] for pair in o.calibration_pairs]
    print("\nReadiness calibration (FSRS defaults) on the FSRS + plan learners' logs:")
    print(calibration(pairs).table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
