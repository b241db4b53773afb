"""A review session: today's queue walked one card at a time.

The schedule lives in the database; this object only remembers the order of
today's cards and what to re-drill. Cards graded below 4 come back later in
the same session (SM-2 rule 7) until they are graded 4 or 5.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from datetime import date

from quizdl.scheduling.sm2 import PASSING, REDRILL_BELOW
from quizdl.study.errors import NothingToUndo
from quizdl.study.service import StudyService
from quizdl.study.values import AnswerOutcome, QueueEntry, StudyCard

# A failed card comes back after this many other cards (or at the end, if
# fewer remain), so the learner does not see it twice in a row.
REDRILL_GAP = 3


@dataclass(frozen=True)
class SessionCounts:
    new: int
    learning: int
    review: int

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


@dataclass(frozen=True)
class SessionSummary:
    reviewed: int  # answers given (re-drills included)
    cards: int  # distinct cards answered
    correct: int  # answers graded ≥ 3
    seconds: float
    next_due: date | None

    @property
    def accuracy(self) -> float | None:
        return self.correct / self.reviewed if self.reviewed else None


@dataclass(frozen=True)
class _Done:
    entry: QueueEntry
    outcome: AnswerOutcome
    seconds: float
    requeued: bool


class ReviewSession:
    def __init__(self, service: StudyService, deck_id: str | None = None) -> None:
        self.service = service
        self.deck_id = deck_id
        # Answers logged after this id and not by this session were given
        # elsewhere (a challenge passed in its editor): see settle_current.
        self._started_after = service.newest_review_id()
        self._pending: deque[QueueEntry] = deque(service.queue(deck_id))
        self._done: list[_Done] = []
        self._current: StudyCard | None = None

    # -- what is shown ----------------------------------------------------

    @property
    def current_entry(self) -> QueueEntry | None:
        return self._pending[0] if self._pending else None

    def current(self) -> StudyCard | None:
        """The card to show now (loaded once per card)."""
        entry = self.current_entry
        if entry is None:
            self._current = None
            return None
        if self._current is None or self._current.pk != entry.pk:
            self._current = self.service.card(entry.pk)
        return self._current

    @property
    def finished(self) -> bool:
        return not self._pending

    def counts(self) -> SessionCounts:
        kinds = [entry.kind for entry in self._pending]
        return SessionCounts(kinds.count("new"), kinds.count("learning"), kinds.count("review"))

    def progress(self) -> tuple[int, int]:
        """(answers given, answers given + cards still to show)."""
        return len(self._done), len(self._done) + len(self._pending)

    def interval_preview(self) -> dict[int, int]:
        card = self.current()
        entry = self.current_entry
        if card is None or entry is None:
            return {}
        return self.service.interval_preview(card.state, redrill=entry.kind == "learning")

    # -- acting -----------------------------------------------------------

    def answer(self, quality: int, seconds: float = 0.0) -> AnswerOutcome:
        entry = self.current_entry
        if entry is None:
            raise NothingToUndo("the session is over; there is no card to answer")
        outcome = self.service.answer(entry.pk, quality, seconds)
        self._advance(entry, outcome, seconds)
        return outcome

    def settle_current(self) -> AnswerOutcome | None:
        """Move on if the shown card was graded outside this session (a challenge
        checked in its editor grades the card itself). Returns that answer."""
        entry = self.current_entry
        if entry is None:
            return None
        outcome = self.service.last_answer_today(entry.pk)
        known = {done.outcome.review_id for done in self._done}
        if (
            outcome is None
            or outcome.review_id <= self._started_after
            or outcome.review_id in known
        ):
            return None
        self._advance(entry, outcome, 0.0)
        return outcome

    def _advance(self, entry: QueueEntry, outcome: AnswerOutcome, seconds: float) -> None:
        quality = outcome.quality
        self._pending.popleft()
        requeue = quality < REDRILL_BELOW
        if requeue:
            again = QueueEntry(entry.pk, "learning")
            if len(self._pending) > REDRILL_GAP:
                self._pending.insert(REDRILL_GAP, again)
            else:
                self._pending.append(again)
        self._done.append(_Done(entry, outcome, seconds, requeue))

    def undo(self) -> StudyCard:
        """Take back the last answer of this session; its card is shown again."""
        if not self._done:
            raise NothingToUndo("nothing to undo in this session")
        last = self._done[-1]
        self.service.undo(last.outcome.review_id)
        self._done.pop()
        if last.requeued:
            for index, entry in enumerate(self._pending):
                if entry.pk == last.entry.pk and entry.kind == "learning":
                    del self._pending[index]
                    break
        self._pending.appendleft(last.entry)
        self._current = None
        card = self.current()
        assert card is not None
        return card

    def suspend_current(self) -> None:
        """Suspend the shown card: it leaves today's session and future queues."""
        entry = self.current_entry
        if entry is None:
            return
        self.service.set_suspended(entry.pk, True)
        self._pending = deque(e for e in self._pending if e.pk != entry.pk)
        self._current = None

    def summary(self) -> SessionSummary:
        return SessionSummary(
            reviewed=len(self._done),
            cards=len({d.entry.pk for d in self._done}),
            correct=sum(1 for d in self._done if d.outcome.quality >= PASSING),
            seconds=sum(d.seconds for d in self._done),
            next_due=self.service.next_due_date(),
        )
