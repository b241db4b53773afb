"""Is a challenge sound? Its solution passes, its starter fails, its spec is consistent.

What ``quizdl challenge verify`` reports for deck authors, as values: the
command prints them, and the tests read the same verdicts instead of checking
every bundled solution and starter a second time.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Protocol

from quizdl.challenges.lint import spec_problems
from quizdl.challenges.runner import DEFAULT_TIMEOUT, Checker
from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import Verdict

# Checks at a time: a builder and the describer per check; two cores.
JOBS = 2


class Challenge(Protocol):
    """What verifying needs of a challenge card."""

    @property
    def expect(self) -> ChallengeSpec: ...

    @property
    def solution(self) -> str: ...

    @property
    def starter(self) -> str: ...


@dataclass(frozen=True)
class Verification:
    """One challenge's verdicts: its reference solution's and its starter's."""

    key: str
    spec_problems: tuple[str, ...]
    solution: Verdict
    starter: Verdict

    @property
    def problems(self) -> list[str]:
        """Why the challenge is not sound, one line each; empty when it is."""
        problems = [f"spec: {problem}" for problem in self.spec_problems]
        if not self.solution.passed:
            failed = "; ".join(check.line() for check in self.solution.failures)
            problems.append(f"the solution fails: {failed}")
        if self.starter.passed:
            problems.append("the starter already passes")
        return problems

    @property
    def verified(self) -> bool:
        return not self.problems


def verify_challenges(
    checker: Checker,
    challenges: Sequence[tuple[str, Challenge]],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    jobs: int = JOBS,
) -> Iterator[Verification]:
    """Check each challenge's solution and starter (``jobs`` checks at a time);
    yields the verifications in the order given, each as soon as it is known."""
    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="quizdl-verify") as pool:

        def submit(challenge: Challenge, code: str) -> Future[Verdict]:
            return pool.submit(
                checker.check, challenge.expect, code, timeout=timeout, reference=challenge.solution
            )

        pending = [
            (
                key,
                challenge,
                submit(challenge, challenge.solution),
                submit(challenge, challenge.starter),
            )
            for key, challenge in challenges
        ]
        try:
            for key, challenge, solution, starter in pending:
                yield Verification(
                    key=key,
                    spec_problems=tuple(spec_problems(challenge.expect)),
                    solution=solution.result(),
                    starter=starter.result(),
                )
        finally:
            for _key, _challenge, *futures in pending:
                for future in futures:
                    future.cancel()
