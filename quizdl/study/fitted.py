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
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, insert, select

from quizdl.scheduling.readiness import MIN_REVIEWS_TO_FIT, choose_parameters, fit_parameters
from quizdl.store import tables
from quizdl.store.db import Database, connection_of
from quizdl.study.clock import study_day, to_utc_naive
from quizdl.study.review_logs import day_logs

if TYPE_CHECKING:
    from quizdl.store.db import Reader


@dataclass(frozen=True)
class FittedParameters:
    study_day: date  # the study day they were fitted on
    review_count: int  # answers in the log the fit saw
    parameters: tuple[float, ...]


def stored_parameters(reader: Reader) -> FittedParameters | None:
    """The newest fit, or None before the learner had enough reviews for one."""
    fits = tables.fitted_parameters.c
    row = reader.execute(
        select(fits.study_day, fits.review_count, fits.parameters).order_by(fits.id.desc()).limit(1)
    ).first()
    if row is None:
        return None
    return FittedParameters(row.study_day, row.review_count, tuple(row.parameters))


def review_count(reader: Reader) -> int:
    return reader.scalar(select(func.count()).select_from(tables.reviews)) or 0


@dataclass(frozen=True)
class ParametersInUse:
    parameters: tuple[float, ...]
    fitted: FittedParameters | None  # the stored fit, when it is what is in use
    reviews: int  # answers in the learner's whole log


def parameters_in_use(reader: Reader) -> ParametersInUse:
    """The FSRS parameters readiness and plans use now: the stored fit once
    the whole log has enough reviews to trust it, else the published defaults."""
    reviews = review_count(reader)
    stored = stored_parameters(reader)
    parameters = choose_parameters(reviews, None if stored is None else stored.parameters)
    in_use = stored if stored is not None and parameters == stored.parameters else None
    return ParametersInUse(parameters, in_use, reviews)


def refit_due(reader: Reader, today: date) -> bool:
    """Enough reviews to fit, and no fit made today yet."""
    stored = stored_parameters(reader)
    if stored is not None and stored.study_day >= today:
        return False
    return review_count(reader) >= MIN_REVIEWS_TO_FIT


def _card_logs(reader: Reader) -> tuple[list[Sequence[tuple[date, int]]], int]:
    """Every card's answers as (study day, grade), oldest first, and their count."""
    logs: list[Sequence[tuple[date, int]]] = list(day_logs(connection_of(reader)).values())
    return logs, sum(len(log) for log in logs)


def refit_if_due(db: Database, now: datetime) -> FittedParameters | None:
    """Fit and store parameters when ``refit_due``; the new fit, or None if none was due.

    The log is read in one short read, fitted outside any transaction, and
    stored in a second one that checks again, so two fronts starting at once
    store one fit between them.
    """
    today = study_day(now)
    with db.reading() as connection:
        if not refit_due(connection, today):
            return None
        logs, count = _card_logs(connection)
    parameters = fit_parameters(logs)
    with db.connection() as connection:
        if not refit_due(connection, today):
            return None
        # Only the newest fit is ever read: the older ones go.
        connection.execute(delete(tables.fitted_parameters))
        connection.execute(
            insert(tables.fitted_parameters).values(
                study_day=today,
                fitted_at=to_utc_naive(now),
                review_count=count,
                parameters=list(parameters),
            )
        )
    return FittedParameters(today, count, tuple(parameters))
