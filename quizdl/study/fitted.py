"""FSRS-6 parameters fitted to the learner's own review log, refitted at most daily.

Readiness (``scheduling.readiness``) predicts recall with FSRS' published
parameters until the learner has ``MIN_REVIEWS_TO_FIT`` reviews; from then on
with parameters fitted to their own answers. Fitting reads the whole log, so
the app runs ``refit_if_due`` in a background worker at start and ``quizdl
plan`` runs it before it reports; both fit at most once a study day, and the
result is stored with that day so every front reads the same parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from quizdl.scheduling.readiness import MIN_REVIEWS_TO_FIT, choose_parameters, fit_parameters
from quizdl.store.db import Database
from quizdl.store.models import FittedParametersRow, ReviewRow
from quizdl.study.clock import study_day, to_utc_naive
from quizdl.study.review_logs import day_logs


@dataclass(frozen=True)
class FittedParameters:
    study_day: date  # the study day they were fitted on
    review_count: int  # answers in the log the fit saw
    parameters: tuple[float, ...]


def stored_parameters(session: Session) -> FittedParameters | None:
    """The newest fit, or None before the learner had enough reviews for one."""
    row = session.scalar(
        select(FittedParametersRow).order_by(FittedParametersRow.id.desc()).limit(1)
    )
    if row is None:
        return None
    return FittedParameters(row.study_day, row.review_count, tuple(row.parameters))


def review_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ReviewRow)) or 0


@dataclass(frozen=True)
class ParametersInUse:
    parameters: tuple[float, ...]
    fitted: FittedParameters | None  # the stored fit, when it is what is in use
    reviews: int  # answers in the learner's whole log


def parameters_in_use(session: Session) -> ParametersInUse:
    """The FSRS parameters readiness and plans use now: the stored fit once
    the whole log has enough reviews to trust it, else the published defaults."""
    reviews = review_count(session)
    stored = stored_parameters(session)
    parameters = choose_parameters(reviews, None if stored is None else stored.parameters)
    in_use = stored if stored is not None and parameters == stored.parameters else None
    return ParametersInUse(parameters, in_use, reviews)


def refit_due(session: Session, today: date) -> bool:
    """Enough reviews to fit, and no fit made today yet."""
    stored = stored_parameters(session)
    if stored is not None and stored.study_day >= today:
        return False
    return review_count(session) >= MIN_REVIEWS_TO_FIT


def _card_logs(session: Session) -> tuple[list[Sequence[tuple[date, int]]], int]:
    """Every card's answers as (study day, grade), oldest first, and their count."""
    logs: list[Sequence[tuple[date, int]]] = list(day_logs(session.connection()).values())
    return logs, sum(len(log) for log in logs)


def refit_if_due(db: Database, now: datetime) -> FittedParameters | None:
    """Fit and store parameters when ``refit_due``; the new fit, or None if none was due.

    The log is read in one short read, fitted outside any transaction, and
    stored in a second one that checks again, so two fronts starting at once
    store one fit between them.
    """
    today = study_day(now)
    with db.read() as session:
        if not refit_due(session, today):
            return None
        logs, count = _card_logs(session)
    parameters = fit_parameters(logs)
    with db.session() as session:
        if not refit_due(session, today):
            return None
        # Only the newest fit is ever read: the older ones go.
        session.execute(delete(FittedParametersRow))
        session.add(
            FittedParametersRow(
                study_day=today,
                fitted_at=to_utc_naive(now),
                review_count=count,
                parameters=list(parameters),
            )
        )
    return FittedParameters(today, count, tuple(parameters))
