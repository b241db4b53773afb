"""Challenge attempts and how they grade the challenge card.

Grades (SM-2 quality) for a round of attempts, where a round is everything
since the card's previous scheduled answer:
passed on the first check without seeing the solution -> 5; passed after
failed checks -> 4; passed after seeing the solution -> 3; gave up -> 1.

A round is the events recorded since the card's latest scheduled review that
no answer has graded yet (``ChallengeAttemptRow.after_review_id`` and
``review_id``). The event that grades a round, the answer it earns, and the
link from every event of the round to that answer are one transaction.

Challenges are named by their key, ``deck/card``, so a copied deck that reuses
card ids keeps its own attempts and grades.

The time recorded with the answer, for the CLI and the app alike: from the
round's first event (the first autosaved draft, check or look at the solution)
to the grading event, at least the checker's own run time, at most
``MAX_CHALLENGE_SECONDS``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from quizdl.decks.content import card_from_content
from quizdl.decks.model import ChallengeCard
from quizdl.store.models import CardRow, ChallengeAttemptRow, ReviewRow
from quizdl.study.answering import Answering
from quizdl.study.card_rows import CARD_WITH_STATE, CardRecord, card_records, find_card_record
from quizdl.study.clock import to_utc_naive
from quizdl.study.context import StudyContext
from quizdl.study.errors import UnknownCard
from quizdl.study.values import ChallengeInfo

GRADE_FIRST_TRY = 5
GRADE_AFTER_FAILURES = 4
GRADE_AFTER_SOLUTION = 3
GRADE_GAVE_UP = 1
# A round left open overnight is not hours of work.
MAX_CHALLENGE_SECONDS = 900.0


class ChallengeBook:
    """Challenge attempts, drafts and grading; a round's grade is an ordinary
    answer given through ``Answering.answer_in``."""

    def __init__(self, context: StudyContext, answering: Answering) -> None:
        self.context = context
        self.answering = answering

    @staticmethod
    def _latest_scheduled(session: Session, pk: int) -> int | None:
        return session.scalar(
            select(func.max(ReviewRow.id)).where(
                ReviewRow.card_pk == pk, ReviewRow.kind == "scheduled"
            )
        )

    def _round_events(self, session: Session, pk: int) -> list[ChallengeAttemptRow]:
        latest = self._latest_scheduled(session, pk)
        query = select(ChallengeAttemptRow).where(
            ChallengeAttemptRow.card_pk == pk, ChallengeAttemptRow.review_id.is_(None)
        )
        if latest is None:
            query = query.where(ChallengeAttemptRow.after_review_id.is_(None))
        else:
            query = query.where(ChallengeAttemptRow.after_review_id == latest)
        return list(session.scalars(query.order_by(ChallengeAttemptRow.id)))

    def _info(self, session: Session, card: CardRecord) -> ChallengeInfo:
        content = card_from_content(card.content)
        assert isinstance(content, ChallengeCard)
        last_check = session.scalar(
            select(ChallengeAttemptRow.passed)
            .where(ChallengeAttemptRow.card_pk == card.pk, ChallengeAttemptRow.event == "check")
            .order_by(ChallengeAttemptRow.id.desc())
            .limit(1)
        )
        attempts = session.scalar(
            select(func.count())
            .select_from(ChallengeAttemptRow)
            .where(ChallengeAttemptRow.card_pk == card.pk, ChallengeAttemptRow.event == "check")
        )
        round_events = self._round_events(session, card.pk)
        return ChallengeInfo(
            card_pk=card.pk,
            card_id=card.card_id,
            deck_id=card.deck_id,
            title=content.title,
            last_passed=last_check,
            due=card.due,
            attempts=attempts or 0,
            solution_seen=any(e.event == "solution" for e in round_events),
            card=content,
        )

    def challenge_cards(self) -> list[ChallengeInfo]:
        with self.context.db.read() as session:
            records = list(
                card_records(
                    session,
                    CARD_WITH_STATE.where(
                        CardRow.type == "challenge", CardRow.retired.is_(False)
                    ).order_by(CardRow.deck_id, CardRow.position),
                )
            )
            return [self._info(session, card) for card in records]

    @staticmethod
    def _challenge_rows(session: Session, key: str) -> CardRecord:
        card = find_card_record(session, key)
        if card.type != "challenge":
            raise UnknownCard(f"{key!r} is a {card.type} card, not a challenge")
        return card

    def find_challenge(self, key: str) -> ChallengeInfo:
        """A challenge by its key (``deck/card``; a bare card id picks the first deck)."""
        with self.context.db.read() as session:
            card = find_card_record(session, key)
            if card.type != "challenge":
                raise UnknownCard(f"{key!r} is a {card.type} card, not a challenge")
            return self._info(session, card)

    def _add(
        self,
        session: Session,
        pk: int,
        event: str,
        *,
        code: str = "",
        passed: bool | None = None,
        verdict: dict[str, Any] | None = None,
        seconds: float = 0.0,
    ) -> ChallengeAttemptRow:
        row = ChallengeAttemptRow(
            card_pk=pk,
            created_at=self._now(),
            event=event,
            code=code,
            passed=passed,
            verdict=verdict,
            seconds=seconds,
            after_review_id=self._latest_scheduled(session, pk),
        )
        session.add(row)
        session.flush()
        return row

    def _now(self) -> datetime:
        return to_utc_naive(self.context.clock())

    def round_seconds(self, earlier: list[ChallengeAttemptRow], check_seconds: float) -> float:
        """The answer time of a round (see the module's docstring)."""
        elapsed = 0.0
        if earlier:
            elapsed = (self._now() - min(e.created_at for e in earlier)).total_seconds()
        return min(MAX_CHALLENGE_SECONDS, max(elapsed, check_seconds, 0.0))

    def _grade_round(
        self,
        session: Session,
        pk: int,
        quality: int,
        events: list[ChallengeAttemptRow],
        seconds: float,
    ) -> None:
        outcome = self.answering.answer_in(session, pk, quality, seconds)
        session.execute(
            update(ChallengeAttemptRow)
            .where(ChallengeAttemptRow.id.in_([event.id for event in events]))
            .values(review_id=outcome.review_id)
        )

    def record_attempt(
        self, key: str, code: str, passed: bool, verdict: dict[str, Any], seconds: float
    ) -> int | None:
        """Store a checked attempt; a pass grades the card in the same transaction.

        ``seconds`` is the checker's run time. Returns the grade given.
        """
        with self.context.db.session() as session:
            pk = self._challenge_rows(session, key).pk
            earlier = self._round_events(session, pk)
            row = self._add(
                session, pk, "check", code=code, passed=passed, verdict=verdict, seconds=seconds
            )
            if not passed:
                return None
            if any(e.event == "solution" for e in earlier):
                grade = GRADE_AFTER_SOLUTION
            elif any(e.event == "check" and not e.passed for e in earlier):
                grade = GRADE_AFTER_FAILURES
            else:
                grade = GRADE_FIRST_TRY
            self._grade_round(
                session, pk, grade, [*earlier, row], self.round_seconds(earlier, seconds)
            )
            return grade

    def mark_solution_seen(self, key: str) -> None:
        with self.context.db.session() as session:
            self._add(session, self._challenge_rows(session, key).pk, "solution")

    def give_up(self, key: str) -> int:
        with self.context.db.session() as session:
            pk = self._challenge_rows(session, key).pk
            earlier = self._round_events(session, pk)
            row = self._add(session, pk, "give_up")
            seconds = self.round_seconds(earlier, 0.0)
            self._grade_round(session, pk, GRADE_GAVE_UP, [*earlier, row], seconds)
        return GRADE_GAVE_UP

    def save_draft(self, key: str, code: str) -> None:
        """Autosave: the learner's code is never lost, even unchecked."""
        with self.context.db.session() as session:
            pk = self._challenge_rows(session, key).pk
            latest = session.scalar(
                select(ChallengeAttemptRow)
                .where(ChallengeAttemptRow.card_pk == pk)
                .order_by(ChallengeAttemptRow.id.desc())
                .limit(1)
            )
            if latest is not None and latest.code == code:
                return
            if (
                latest is not None
                and latest.event == "draft"
                and latest.review_id is None
                and latest.after_review_id == self._latest_scheduled(session, pk)
            ):
                # One draft row per editing streak of the open round; its time
                # stays the streak's start, which the round's answer time counts from.
                latest.code = code
                return
            self._add(session, pk, "draft", code=code)

    def last_code(self, key: str) -> str | None:
        with self.context.db.read() as session:
            pk = self._challenge_rows(session, key).pk
            return session.scalar(
                select(ChallengeAttemptRow.code)
                .where(ChallengeAttemptRow.card_pk == pk, ChallengeAttemptRow.code != "")
                .order_by(ChallengeAttemptRow.id.desc())
                .limit(1)
            )
