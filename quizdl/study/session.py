"""A review session: today's queue walked one card at a time.

The schedule lives in the database; this object only remembers the order of
today's cards. A card graded below 4 goes on learning steps (SM-2 rule 7):
it comes back after the step's delay in minutes (1 and 10 by default), shown
as soon as it is due, before other cards. When only cards waiting on a step
are left, the soonest is shown early rather than ending the session.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from quizdl.scheduling.sm2 import PASSING
from quizdl.study.errors import NothingToUndo
from quizdl.study.service import StudyService
from quizdl.study.values import AnswerOutcome, GradeOption, QueueEntry, StudyCard, StudyMoreKind


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
    outcome_at: datetime  # aware UTC


class ReviewSession:
    def __init__(
        self,
        service: StudyService,
        deck_id: str | None = None,
        entries: Sequence[QueueEntry] | None = None,
    ) -> None:
        """Today's queue (of one deck), or ``entries`` chosen otherwise (study more)."""
        self.service = service
        self.deck_id = deck_id
        # Answers logged after this id and not by this session were given
        # elsewhere (a challenge passed in its editor): see settle_current.
        self._started_after = service.newest_review_id()
        queue = list(entries) if entries is not None else service.queue(deck_id)
        self._pending: deque[QueueEntry] = deque(e for e in queue if e.kind != "learning")
        # The study-more option that chose each card, logged with every answer
        # to it in this session (its learning-step repeats included).
        self._more: dict[int, StudyMoreKind] = {e.pk: e.more for e in queue if e.more}
        # Cards on learning steps -> when each comes back (aware UTC).
        self._learning: dict[int, datetime] = {
            e.pk: e.due for e in queue if e.kind == "learning" and e.due is not None
        }
        self._done: list[_Done] = []
        # The entry on screen, chosen once so that time passing between showing
        # and grading it cannot swap the card underneath the learner.
        self._shown: QueueEntry | None = None
        self._current: StudyCard | None = None

    # -- what is shown ----------------------------------------------------

    def now(self) -> datetime:
        return self.service.clock().astimezone(UTC)

    def _choose(self) -> QueueEntry | None:
        soonest = min(self._learning.items(), key=lambda item: (item[1], item[0]), default=None)
        if soonest is not None and (soonest[1] <= self.now() or not self._pending):
            return QueueEntry(soonest[0], "learning", soonest[1])
        return self._pending[0] if self._pending else None

    @property
    def current_entry(self) -> QueueEntry | None:
        if self._shown is None:
            self._shown = self._choose()
        return self._shown

    def current(self) -> StudyCard | None:
        """The card to show now (loaded once per card)."""
        entry = self.current_entry
        if entry is None:
            self._current = None
            return None
        if self._current is None or self._current.pk != entry.pk:
            self._current = self.service.card(entry.pk)
        return self._current

    def shown_early(self) -> timedelta | None:
        """How long before its step is due the shown learning card is shown (None
        when it is due, or not a learning card): nothing else is left to study."""
        entry = self.current_entry
        if entry is None or entry.due is None:
            return None
        early = entry.due - self.now()
        return early if early > timedelta(0) else None

    def comes_back_in(self) -> timedelta | None:
        """After the last answer of this session: how long until that card comes
        back on its learning steps (None if it does not come back today)."""
        if not self._done:
            return None
        shown = self.current_entry
        if shown is not None and shown.pk == self._done[-1].entry.pk:
            return None  # it is back already (shown early): the card line says so
        due = self._learning.get(self._done[-1].entry.pk)
        return None if due is None else max(timedelta(0), due - self._done[-1].outcome_at)

    @property
    def finished(self) -> bool:
        return not self._pending and not self._learning

    def counts(self) -> SessionCounts:
        kinds = [entry.kind for entry in self._pending]
        return SessionCounts(kinds.count("new"), len(self._learning), kinds.count("review"))

    def progress(self) -> tuple[int, int]:
        """(answers given, answers given + cards still to show)."""
        left = len(self._pending) + len(self._learning)
        return len(self._done), len(self._done) + left

    def grade_preview(self) -> dict[int, GradeOption]:
        """What each grade would do to the shown card (the grade buttons)."""
        entry = self.current_entry
        return {} if entry is None else self.service.grade_preview(entry.pk)

    # -- acting -----------------------------------------------------------

    def answer(self, quality: int, seconds: float = 0.0) -> AnswerOutcome:
        entry = self.current_entry
        if entry is None:
            raise NothingToUndo("the session is over; there is no card to answer")
        outcome = self.service.answer(entry.pk, quality, seconds, self._more.get(entry.pk))
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

    def _take(self, entry: QueueEntry) -> None:
        """Take the entry out of the session's queues."""
        self._learning.pop(entry.pk, None)
        self._pending = deque(e for e in self._pending if e != entry)

    def _advance(self, entry: QueueEntry, outcome: AnswerOutcome, seconds: float) -> None:
        self._take(entry)
        # The day's log decides the step (SM-2 rule 7 replayed), so a grade
        # given here, in a challenge editor, or before a restart all agree.
        due = self.service.learning_due(entry.pk)
        if due is not None:
            self._learning[entry.pk] = due
        self._done.append(_Done(entry, outcome, seconds, due is not None, self.now()))
        self._shown = None

    def undo(self) -> StudyCard:
        """Take back the last answer of this session; its card is shown again."""
        if not self._done:
            raise NothingToUndo("nothing to undo in this session")
        last = self._done[-1]
        self.service.undo(last.outcome.review_id)
        self._done.pop()
        self._learning.pop(last.entry.pk, None)
        if last.entry.kind == "learning" and last.entry.due is not None:
            self._learning[last.entry.pk] = last.entry.due
        else:
            self._pending.appendleft(last.entry)
        self._shown = last.entry
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
        self._learning.pop(entry.pk, None)
        self._pending = deque(e for e in self._pending if e.pk != entry.pk)
        self._shown = None
        self._current = None

    def summary(self) -> SessionSummary:
        return SessionSummary(
            reviewed=len(self._done),
            cards=len({d.entry.pk for d in self._done}),
            correct=sum(1 for d in self._done if d.outcome.quality >= PASSING),
            seconds=sum(d.seconds for d in self._done),
            next_due=self.service.next_due_date(),
        )
