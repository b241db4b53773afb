"""What the challenge screen needs from a checker, and how it reads a verdict.

The checker itself (``quizdl.challenges``) runs learners' code and Keras in
child processes; the app only ever sees this protocol, so tests can hand in a
fake and the app process never imports TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from quizdl.challenges.spec import ChallengeSpec


class Checker(Protocol):
    def warm_up(self) -> None: ...

    def check(self, spec: ChallengeSpec, code: str) -> Any: ...

    def close(self) -> None: ...


CheckerFactory = Callable[[], Checker]


@dataclass(frozen=True)
class CheckResult:
    """A verdict as the screen shows and stores it."""

    passed: bool
    lines: list[tuple[bool | None, str]]  # (rule passed, or None for plain text; message)
    data: dict[str, Any]
