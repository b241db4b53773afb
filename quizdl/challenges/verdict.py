"""The result of checking a learner's model: plain values for the CLI, TUI and store."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PASS_MARK = "✓"
FAIL_MARK = "✗"


class CheckCancelled(Exception):
    """A check was cancelled (the learner pressed Esc, or the app is closing)."""


@dataclass(frozen=True)
class Check:
    """One rule of a challenge and how the learner's model fared on it."""

    rule: str
    passed: bool
    message: str

    def line(self) -> str:
        mark = PASS_MARK if self.passed else FAIL_MARK
        return f"{mark} {self.rule} — {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "passed": self.passed, "message": self.message}


@dataclass(frozen=True)
class Verdict:
    """Every rule's outcome, so a learner sees all the problems at once."""

    checks: tuple[Check, ...]
    seconds: float
    model: dict[str, Any] | None = None
    stdout: str = ""
    stderr: str = ""
    # "checker": described by a process that never ran the learner's code;
    # "your process": the model has the learner's own classes and was described
    # where it was built (code written to do so could forge that description).
    described_by: str | None = None
    sandbox: dict[str, Any] | None = None
    failures: tuple[Check, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "failures", tuple(c for c in self.checks if not c.passed))

    @property
    def passed(self) -> bool:
        return bool(self.checks) and not self.failures

    def lines(self) -> list[str]:
        return [check.line() for check in self.checks]

    def to_dict(self, challenge: str) -> dict[str, Any]:
        """The ``--json`` shape, also what an attempt stores."""
        return {
            "challenge": challenge,
            "passed": self.passed,
            "checks": [check.to_dict() for check in self.checks],
            "model": self.model,
            "seconds": round(self.seconds, 3),
            "output": {"stdout": self.stdout, "stderr": self.stderr},
            "described_by": self.described_by,
            "sandbox": self.sandbox,
        }


def failed_verdict(
    rule: str, message: str, seconds: float, *, stdout: str = "", stderr: str = ""
) -> Verdict:
    """A verdict for code that never produced a model to grade."""
    return Verdict(
        checks=(Check(rule, False, message),), seconds=seconds, stdout=stdout, stderr=stderr
    )
