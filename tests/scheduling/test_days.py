from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizdl.scheduling.days import StudyCalendar, require_utc

LOS_ANGELES = StudyCalendar(ZoneInfo("America/Los_Angeles"))
KIRITIMATI = StudyCalendar(ZoneInfo("Pacific/Kiritimati"))  # UTC+14, no DST


def test_naive_and_non_utc_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        require_utc(datetime(2026, 3, 8, 12, 0))
    with pytest.raises(ValueError, match="offset"):
        require_utc(datetime(2026, 3, 8, 12, 0, tzinfo=timezone(timedelta(hours=2))))
    with pytest.raises(ValueError, match="naive"):
        LOS_ANGELES.day_of(datetime(2026, 3, 8, 12, 0))


def test_day_starts_at_four_local_in_los_angeles() -> None:
    # 2026-01-10 03:59 PST is 11:59 UTC: still the 9th; 04:00 PST starts the 10th.
    assert LOS_ANGELES.day_of(datetime(2026, 1, 10, 11, 59, tzinfo=UTC)) == date(2026, 1, 9)
    assert LOS_ANGELES.day_of(datetime(2026, 1, 10, 12, 0, tzinfo=UTC)) == date(2026, 1, 10)


def test_kiritimati_is_a_day_ahead_of_utc() -> None:
    # 2026-01-09 14:00 UTC is 2026-01-10 04:00 at UTC+14.
    assert KIRITIMATI.day_of(datetime(2026, 1, 9, 13, 59, tzinfo=UTC)) == date(2026, 1, 9)
    assert KIRITIMATI.day_of(datetime(2026, 1, 9, 14, 0, tzinfo=UTC)) == date(2026, 1, 10)
    assert KIRITIMATI.start_of(date(2026, 1, 10)) == datetime(2026, 1, 9, 14, 0, tzinfo=UTC)


def test_spring_forward_day_is_23_hours_and_still_one_day() -> None:
    # Clocks in Los Angeles go from 02:00 PST to 03:00 PDT on 2026-03-08; the
    # 04:00 start moves from 12:00 UTC to 11:00 UTC.
    assert LOS_ANGELES.start_of(date(2026, 3, 7)) == datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert LOS_ANGELES.start_of(date(2026, 3, 8)) == datetime(2026, 3, 8, 11, 0, tzinfo=UTC)
    assert LOS_ANGELES.day_length(date(2026, 3, 7)) == timedelta(hours=23)
    # 09:00 local on both days: 23 hours apart in UTC, one study day apart.
    saturday = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)
    sunday = datetime(2026, 3, 8, 16, 0, tzinfo=UTC)
    assert sunday - saturday == timedelta(hours=23)
    assert LOS_ANGELES.days_between(saturday, sunday) == 1


def test_fall_back_day_is_25_hours() -> None:
    # 2026-11-01: 02:00 PDT back to 01:00 PST.
    assert LOS_ANGELES.day_length(date(2026, 10, 31)) == timedelta(hours=25)
    # 03:30 PST on 11-01 is 11:30 UTC: still the study day of October 31.
    assert LOS_ANGELES.day_of(datetime(2026, 11, 1, 11, 30, tzinfo=UTC)) == date(2026, 10, 31)
    assert LOS_ANGELES.day_of(datetime(2026, 11, 1, 12, 0, tzinfo=UTC)) == date(2026, 11, 1)


zones = st.sampled_from(["America/Los_Angeles", "Pacific/Kiritimati", "Pacific/Pago_Pago", "UTC"])
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31))


@given(zone=zones, day=days, offset=st.integers(min_value=0, max_value=25 * 3600 - 1))
def test_every_instant_of_a_day_maps_back_to_that_day(zone: str, day: date, offset: int) -> None:
    calendar = StudyCalendar(ZoneInfo(zone))
    start = calendar.start_of(day)
    moment = start + timedelta(seconds=offset)
    expected = day if moment < calendar.start_of(day + timedelta(days=1)) else day + timedelta(1)
    assert calendar.day_of(start) == day
    assert calendar.day_of(moment) == expected
