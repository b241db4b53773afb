"""Each card's log as FSRS replays it, read from the driver, equals the ORM's read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from generated_log import answer_like_a_forgetful_learner, deck_text
from helpers import FixedClock, write_deck
from sqlalchemy import select

from quizdl.store.models import CardRow, ReviewRow
from quizdl.study.factory import open_study
from quizdl.study.review_logs import day_logs
from quizdl.study.service import StudyService


@pytest.fixture
def study(home: Path, clock: FixedClock, tmp_path: Path) -> Iterator[StudyService]:
    service = open_study(clock=clock, bundled=[])
    service.import_file(write_deck(tmp_path, deck_text(200), "big.yaml"))
    yield service
    service.db.close()


def _orm_logs(service: StudyService) -> dict[int, list[tuple[date, int]]]:
    logs: dict[int, list[tuple[date, int]]] = {}
    with service.db.read() as session:
        read = select(ReviewRow.card_pk, ReviewRow.study_day, ReviewRow.quality)
        for pk, day, quality in session.execute(read.order_by(ReviewRow.id)):
            logs.setdefault(pk, []).append((day, quality))
    return logs


def test_every_answer_of_every_card_in_order_with_its_study_day(
    study: StudyService, clock: FixedClock
) -> None:
    answer_like_a_forgetful_learner(study, clock, 120)
    expected = _orm_logs(study)
    with study.db.read() as session:
        logs = day_logs(session.connection())
        all_cards = set(session.scalars(select(CardRow.pk)))
    assert logs == expected
    assert sum(map(len, logs.values())) == 120
    assert all(isinstance(day, date) for log in logs.values() for day, _ in log)
    # Cards never answered have no log at all (a plan reads them as unseen).
    assert all_cards - logs.keys()


def test_only_the_cards_asked_for(study: StudyService, clock: FixedClock) -> None:
    answer_like_a_forgetful_learner(study, clock, 60)
    expected = _orm_logs(study)
    wanted = set(sorted(expected)[::2]) | {-5}
    with study.db.read() as session:
        logs = day_logs(session.connection(), wanted)
    assert logs == {pk: log for pk, log in expected.items() if pk in wanted}
