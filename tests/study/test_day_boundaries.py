"""The learner's day starts at 04:00 local time, wherever and whenever that is."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import FixedClock, write_deck

from quizdl.study.clock import study_day
from quizdl.study.factory import open_study
from quizdl.study.service import StudyService

KIRITIMATI = ZoneInfo("Pacific/Kiritimati")  # UTC+14
LOS_ANGELES = ZoneInfo("America/Los_Angeles")  # UTC-8, UTC-7 in summer


@pytest.fixture
def local(home: Path, tmp_path: Path) -> Iterator[tuple[StudyService, FixedClock]]:
    clock = FixedClock(datetime(2026, 11, 27, 9, 0, tzinfo=KIRITIMATI))
    study = open_study(clock=clock, bundled=[])
    study.import_file(write_deck(tmp_path))
    yield study, clock
    study.db.close()


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 11, 27, 3, 59, tzinfo=KIRITIMATI), date(2026, 11, 26)),
        (datetime(2026, 11, 27, 4, 0, tzinfo=KIRITIMATI), date(2026, 11, 27)),
        (datetime(2026, 11, 27, 3, 59, tzinfo=LOS_ANGELES), date(2026, 11, 26)),
        (datetime(2026, 11, 27, 23, 59, tzinfo=LOS_ANGELES), date(2026, 11, 27)),
        # Spring forward: 02:00 does not exist on 8 March; the day still starts at 04:00.
        (datetime(2026, 3, 8, 3, 59, tzinfo=LOS_ANGELES), date(2026, 3, 7)),
        (datetime(2026, 3, 8, 4, 0, tzinfo=LOS_ANGELES), date(2026, 3, 8)),
        # Fall back: 01:00–02:00 happens twice on 1 November.
        (datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=LOS_ANGELES), date(2026, 10, 31)),
        (datetime(2026, 11, 1, 4, 0, tzinfo=LOS_ANGELES), date(2026, 11, 1)),
    ],
)
def test_study_day_follows_local_4am(moment: datetime, day: date) -> None:
    assert study_day(moment) == day


def test_a_late_session_counts_for_the_evening_far_east_of_utc(
    local: tuple[StudyService, FixedClock],
) -> None:
    study, clock = local
    # 02:00 on the 28th in Kiritimati is 12:00 UTC on the 27th: still the 27th's session.
    clock.now = datetime(2026, 11, 28, 2, 0, tzinfo=KIRITIMATI)
    outcome = study.answer(study.queue("small")[0].pk, 5, 1.0)
    assert outcome.after.due == date(2026, 11, 28)  # interval 1 from the 27th
    assert study.stats().reviews_today == 1
    clock.now = datetime(2026, 11, 28, 4, 0, tzinfo=KIRITIMATI)  # a new day begins
    assert study.stats().reviews_today == 0
    assert any(entry.kind == "review" for entry in study.queue("small"))


def test_due_cards_appear_at_4am_across_a_daylight_saving_change(
    home: Path, tmp_path: Path
) -> None:
    clock = FixedClock(datetime(2026, 3, 7, 21, 0, tzinfo=LOS_ANGELES))
    study = open_study(clock=clock, bundled=[])
    try:
        study.import_file(write_deck(tmp_path))
        pk = study.queue("small")[0].pk
        assert study.answer(pk, 4, 1.0).after.due == date(2026, 3, 8)
        clock.now = datetime(2026, 3, 8, 3, 30, tzinfo=LOS_ANGELES)  # clocks jumped at 02:00
        assert pk not in [e.pk for e in study.queue("small") if e.kind == "review"]
        clock.now += timedelta(minutes=30)  # 04:00 PDT
        assert pk in [e.pk for e in study.queue("small") if e.kind == "review"]
    finally:
        study.db.close()
