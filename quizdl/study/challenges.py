"""Challenge attempts and how they grade the challenge card.

Grades (SM-2 quality) for a round of attempts, where a round is everything
since the card's previous scheduled answer:
passed on the first check without seeing the solution -> 5; passed after
failed checks -> 4; passed after seeing the solution -> 3; gave up -> 1.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from quizdl.decks.content import card_from_content
from quizdl.decks.model import ChallengeCard
from quizdl.store.models import CardRow, CardStateRow, ChallengeAttemptRow, ReviewRow
from quizdl.study.clock import to_utc_naive
from quizdl.study.errors import UnknownCard
from quizdl.study.service import StudyService
from quizdl.study.values import ChallengeInfo

GRADE_FIRST_TRY = 5
GRADE_AFTER_FAILURES = 4
GRADE_AFTER_SOLUTION = 3
GRADE_GAVE_UP = 1


class ChallengeBook:
    """The challenge side of the study service (attempts, drafts, grading)."""

    def __init__(self, service: StudyService) -> None:
        self.service = service

    def _round_events(self, session: Session, pk: int) -> list[ChallengeAttemptRow]:
        last_review = session.scalar(
            select(ReviewRow.reviewed_at)
            .where(ReviewRow.card_pk == pk, ReviewRow.kind == "scheduled")
            .order_by(ReviewRow.id.desc())
            .limit(1)
        )
        query = select(ChallengeAttemptRow).where(ChallengeAttemptRow.card_pk == pk)
        if last_review is not None:
            query = query.where(ChallengeAttemptRow.created_at > last_review)
        return list(session.scalars(query.order_by(ChallengeAttemptRow.id)))

    def _info(self, session: Session, card: CardRow, state: CardStateRow) -> ChallengeInfo:
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
            due=state.due,
            attempts=attempts or 0,
            solution_seen=any(e.event == "solution" for e in round_events),
            card=content,
        )

    def challenge_cards(self) -> list[ChallengeInfo]:
        with self.service.db.read() as session:
            rows = session.execute(
                select(CardRow, CardStateRow)
                .join(CardStateRow, CardStateRow.card_pk == CardRow.pk)
                .where(CardRow.type == "challenge", CardRow.retired.is_(False))
                .order_by(CardRow.deck_id, CardRow.position)
            ).all()
            return [self._info(session, card, state) for card, state in rows]

    def find_challenge(self, card_id: str) -> ChallengeInfo:
        with self.service.db.read() as session:
            card, state, _ = self.service.find_card_rows(session, card_id)
            if card.type != "challenge":
                raise UnknownCard(f"{card_id!r} is a {card.type} card, not a challenge")
            return self._info(session, card, state)

    def _add_event(
        self,
        pk: int,
        event: str,
        *,
        code: str = "",
        passed: bool | None = None,
        verdict: dict[str, Any] | None = None,
        seconds: float = 0.0,
    ) -> list[ChallengeAttemptRow]:
        """Store one event; returns the events of the current round before it."""
        with self.service.db.session() as session:
            earlier = self._round_events(session, pk)
            session.add(
                ChallengeAttemptRow(
                    card_pk=pk,
                    created_at=to_utc_naive(self.service.clock()),
                    event=event,
                    code=code,
                    passed=passed,
                    verdict=verdict,
                    seconds=seconds,
                )
            )
            return earlier

    def record_attempt(
        self, card_id: str, code: str, passed: bool, verdict: dict[str, Any], seconds: float
    ) -> int | None:
        """Store a checked attempt; a pass grades the card. Returns the grade given."""
        info = self.find_challenge(card_id)
        earlier = self._add_event(
            info.card_pk, "check", code=code, passed=passed, verdict=verdict, seconds=seconds
        )
        if not passed:
            return None
        if any(e.event == "solution" for e in earlier):
            grade = GRADE_AFTER_SOLUTION
        elif any(e.event == "check" and not e.passed for e in earlier):
            grade = GRADE_AFTER_FAILURES
        else:
            grade = GRADE_FIRST_TRY
        self.service.answer(info.card_pk, grade, seconds)
        return grade

    def mark_solution_seen(self, card_id: str) -> None:
        info = self.find_challenge(card_id)
        self._add_event(info.card_pk, "solution")

    def give_up(self, card_id: str) -> int:
        info = self.find_challenge(card_id)
        self._add_event(info.card_pk, "give_up")
        self.service.answer(info.card_pk, GRADE_GAVE_UP, 0.0)
        return GRADE_GAVE_UP

    def save_draft(self, card_id: str, code: str) -> None:
        """Autosave: the learner's code is never lost, even unchecked."""
        info = self.find_challenge(card_id)
        with self.service.db.session() as session:
            latest = session.scalar(
                select(ChallengeAttemptRow)
                .where(ChallengeAttemptRow.card_pk == info.card_pk)
                .order_by(ChallengeAttemptRow.id.desc())
                .limit(1)
            )
            if latest is not None and latest.code == code:
                return
            if latest is not None and latest.event == "draft":
                latest.code = code  # keep one draft row per editing streak
                latest.created_at = to_utc_naive(self.service.clock())
                return
        self._add_event(info.card_pk, "draft", code=code)

    def last_code(self, card_id: str) -> str | None:
        info = self.find_challenge(card_id)
        with self.service.db.read() as session:
            return session.scalar(
                select(ChallengeAttemptRow.code)
                .where(ChallengeAttemptRow.card_pk == info.card_pk, ChallengeAttemptRow.code != "")
                .order_by(ChallengeAttemptRow.id.desc())
                .limit(1)
            )
