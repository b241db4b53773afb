"""The study layer's front door: one object holding every study service.

Each job lives in its own service over a shared ``StudyContext``:
``library`` (decks, import, export), ``study_queue`` (what to study),
``answering`` (grade, undo, grade previews), ``catalogue`` (browse, card
detail, suspend), ``plans`` (the interview plan), ``statistics`` and
``challenges``. The CLI and the TUI hold a ``StudyService`` and call the same
use cases through it; the methods below only forward, so the use cases
themselves stay in their own modules. No service imports this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from quizdl.store.db import Database
from quizdl.study.clock import Clock, system_clock
from quizdl.study.context import StudyContext
from quizdl.study.settings import StudySettings

if TYPE_CHECKING:
    from quizdl.decks.model import Deck
    from quizdl.study.answering import Answering
    from quizdl.study.catalogue import Catalogue
    from quizdl.study.challenges import ChallengeBook
    from quizdl.study.library import LibraryService
    from quizdl.study.plan_service import PlanService
    from quizdl.study.planned import PlannedLoad
    from quizdl.study.plans import PlanInfo, PlanStatus
    from quizdl.study.queue import StudyQueue
    from quizdl.study.stats_service import StatsService
    from quizdl.study.study_more import StudyMore
    from quizdl.study.values import (
        AnswerOutcome,
        BrowseRow,
        CardDetail,
        CardStatus,
        DeckSummary,
        GradeOption,
        ImportedProgress,
        ImportPlan,
        QueueEntry,
        SourceTraits,
        Stats,
        StudyCard,
        StudyMoreKind,
    )


class StudyService:
    def __init__(
        self,
        db: Database,
        *,
        clock: Clock = system_clock,
        settings: StudySettings | None = None,
        read_only: str | None = None,
    ) -> None:
        self.context = StudyContext(db, clock, settings or StudySettings(), read_only)

    # Each service is built (and its module imported) the first time it is
    # used: ``quizdl stats`` should not load the deck parser, the checker's
    # spec or FSRS just to count cards.

    @cached_property
    def library(self) -> LibraryService:
        from quizdl.study.library import LibraryService

        return LibraryService(self.context)

    @cached_property
    def study_queue(self) -> StudyQueue:
        from quizdl.study.queue import StudyQueue

        return StudyQueue(self.context)

    @cached_property
    def answering(self) -> Answering:
        from quizdl.study.answering import Answering

        return Answering(self.context)

    @cached_property
    def catalogue(self) -> Catalogue:
        from quizdl.study.catalogue import Catalogue

        return Catalogue(self.context)

    @cached_property
    def plans(self) -> PlanService:
        from quizdl.study.plan_service import PlanService

        return PlanService(self.context)

    @cached_property
    def statistics(self) -> StatsService:
        from quizdl.study.stats_service import StatsService

        return StatsService(self.context)

    @cached_property
    def challenges(self) -> ChallengeBook:
        from quizdl.study.challenges import ChallengeBook

        return ChallengeBook(self.context, self.answering)

    @property
    def db(self) -> Database:
        return self.context.db

    @property
    def clock(self) -> Clock:
        return self.context.clock

    @property
    def settings(self) -> StudySettings:
        return self.context.settings

    @property
    def read_only(self) -> str | None:
        """Why this collection can only be read (None when answers can be saved):
        the fronts disable grading and say so instead of failing at the first write."""
        return self.context.read_only

    def today(self) -> date:
        return self.context.today()

    # -- library ------------------------------------------------------------

    def sync_bundled(self, paths: Iterable[Path]) -> list[str]:
        return self.library.sync_bundled(paths)

    def plan_import(
        self,
        deck: Deck,
        *,
        origin: str = "imported",
        source_path: str | None = None,
        traits: SourceTraits | None = None,
    ) -> ImportPlan:
        return self.library.plan_import(deck, origin=origin, source_path=source_path, traits=traits)

    def import_deck(
        self,
        deck: Deck,
        *,
        source_path: str | None = None,
        content_hash: str | None = None,
        origin: str = "imported",
        progress: Mapping[str, ImportedProgress] | None = None,
        media: Mapping[str, bytes] | None = None,
        replace: bool = True,
        traits: SourceTraits | None = None,
    ) -> ImportPlan:
        return self.library.import_deck(
            deck,
            source_path=source_path,
            content_hash=content_hash,
            origin=origin,
            progress=progress,
            media=media,
            replace=replace,
            traits=traits,
        )

    def import_file(self, path: Path) -> ImportPlan:
        return self.library.import_file(path)

    def export_deck(self, deck_id: str) -> tuple[Deck, dict[str, ImportedProgress]]:
        return self.library.export_deck(deck_id)

    def deck_summaries(self) -> list[DeckSummary]:
        return self.statistics.deck_summaries()

    # -- what to study --------------------------------------------------------

    def queue(self, deck_id: str | None = None) -> list[QueueEntry]:
        return self.study_queue.queue(deck_id)

    def next_due_date(self) -> date | None:
        return self.study_queue.next_due_date()

    def learning_due(self, pk: int) -> datetime | None:
        return self.study_queue.learning_due(pk)

    def study_more(self, more: StudyMore) -> list[QueueEntry]:
        return self.study_queue.study_more(more)

    # -- answering ------------------------------------------------------------

    def answer(
        self,
        pk: int,
        quality: int,
        answer_seconds: float = 0.0,
        study_more: StudyMoreKind | None = None,
    ) -> AnswerOutcome:
        return self.answering.answer(pk, quality, answer_seconds, study_more)

    def undo(self, review_id: int) -> int:
        return self.answering.undo(review_id)

    def last_answer_today(self, pk: int) -> AnswerOutcome | None:
        return self.answering.last_answer_today(pk)

    def newest_review_id(self) -> int:
        return self.answering.newest_review_id()

    def grade_preview(self, pk: int) -> dict[int, GradeOption]:
        return self.answering.grade_preview(pk)

    # -- cards ----------------------------------------------------------------

    def card(self, pk: int) -> StudyCard:
        return self.catalogue.card(pk)

    def find_card(self, card_id: str, deck_id: str | None = None) -> StudyCard:
        return self.catalogue.find_card(card_id, deck_id)

    def card_pks(self, ids: Sequence[str]) -> dict[str, int]:
        return self.catalogue.card_pks(ids)

    def set_suspended(self, pk: int, suspended: bool) -> None:
        self.catalogue.set_suspended(pk, suspended)

    def leech_count(self) -> int:
        return self.catalogue.leech_count()

    def browse(
        self,
        text: str = "",
        *,
        deck_id: str | None = None,
        tag: str | None = None,
        card_type: str | None = None,
        status: CardStatus | None = None,
        limit: int = 500,
    ) -> list[BrowseRow]:
        return self.catalogue.browse(
            text, deck_id=deck_id, tag=tag, card_type=card_type, status=status, limit=limit
        )

    def card_detail(self, pk: int) -> CardDetail:
        return self.catalogue.card_detail(pk)

    # -- interview plan -------------------------------------------------------

    def set_plan(
        self,
        interview_day: date,
        deck_ids: Sequence[str] = (),
        minutes_per_day: float | None = None,
    ) -> PlanInfo:
        """``minutes_per_day=None``: the plan service's default (20 minutes)."""
        if minutes_per_day is None:
            return self.plans.set_plan(interview_day, deck_ids)
        return self.plans.set_plan(interview_day, deck_ids, minutes_per_day)

    def clear_plan(self) -> bool:
        return self.plans.clear_plan()

    def plan(self) -> PlanInfo | None:
        return self.plans.plan()

    def plan_status(self) -> PlanStatus | None:
        return self.plans.plan_status()

    def planned_load(self) -> list[PlannedLoad]:
        return self.plans.planned_load()

    # -- statistics -----------------------------------------------------------

    def stats(self, *, history_days: int = 90, forecast_days: int = 30) -> Stats:
        return self.statistics.stats(history_days=history_days, forecast_days=forecast_days)
