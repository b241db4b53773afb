"""What the challenge screen needs from a checker.

The checker itself (``quizdl.challenges.runner``) runs learners' code and Keras
in child processes; the app sees only this protocol, so tests can hand in a
fake and the app process never imports TensorFlow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from quizdl.challenges.spec import ChallengeSpec
from quizdl.challenges.verdict import Verdict

if TYPE_CHECKING:
    from quizdl.study.service import StudyService


class Checker(Protocol):
    def warm_up(self) -> None: ...

    def check(self, spec: ChallengeSpec, code: str, *, reference: str = "") -> Verdict:
        """``reference``: the card's solution, which numeric challenges compare with.
        Raises ``CheckCancelled`` when ``cancel`` or ``close`` stopped it."""
        ...

    def cancel(self) -> None:
        """Stop running checks and kill every process they started."""
        ...

    def close(self) -> None: ...


CheckerFactory = Callable[[], Checker]


def real_checker() -> Checker:
    """Child processes with Keras and one warm spare (started by ``warm_up``)."""
    from quizdl.challenges.runner import Checker as ProcessChecker

    return ProcessChecker()


def challenge_due(service: StudyService) -> bool:
    """Whether today's queue holds a challenge: then the app starts the checker's
    spare processes at once, so the first check does not wait for TensorFlow."""
    queued = {entry.pk for entry in service.queue(None)}
    return any(info.card_pk in queued for info in service.challenges.challenge_cards())
