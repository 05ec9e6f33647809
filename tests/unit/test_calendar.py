"""The business day with a boundary hour, in the hall's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given, settings, strategies as st

from queue_server.domain.calendar import age_on, business_day, day_start, local_time, zone

SH = "Asia/Shanghai"
UTC = UTC


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=zone(SH))


@pytest.mark.parametrize(
    "local,expected",
    [
        (shanghai(2026, 3, 2, 2, 59, 59), date(2026, 3, 1)),  # before the boundary: still yesterday
        (shanghai(2026, 3, 2, 3, 0, 0), date(2026, 3, 2)),
        (shanghai(2026, 3, 2, 0, 10), date(2026, 3, 1)),  # just after midnight, same queue as 23:50
        (shanghai(2026, 3, 1, 23, 50), date(2026, 3, 1)),
        (shanghai(2026, 3, 2, 23, 59), date(2026, 3, 2)),
        (shanghai(2026, 1, 1, 2, 59), date(2025, 12, 31)),  # across a year
        (shanghai(2024, 3, 1, 2, 0), date(2024, 2, 29)),  # leap day
    ],
)
def test_business_day_with_a_three_oclock_boundary(local, expected):
    assert business_day(local, SH, 3) == expected


def test_an_instant_given_in_utc_is_read_in_the_hall_zone():
    # 18:59 UTC is 02:59 in Shanghai the next calendar day: the previous business day.
    assert business_day(datetime(2026, 3, 1, 18, 59, tzinfo=UTC), SH, 3) == date(2026, 3, 1)
    # 19:00 UTC is 03:00 in Shanghai: the new business day begins.
    assert business_day(datetime(2026, 3, 1, 19, 0, tzinfo=UTC), SH, 3) == date(2026, 3, 2)
    # 16:30 UTC is 00:30 local: the calendar date has changed, the business day has not.
    assert business_day(datetime(2026, 3, 1, 16, 30, tzinfo=UTC), SH, 3) == date(2026, 3, 1)
    # The UTC calendar date is not what decides: 01:00 UTC is 09:00 local on the same date.
    assert business_day(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), SH, 3) == date(2026, 3, 2)


def test_boundary_zero_is_midnight():
    assert business_day(shanghai(2026, 3, 2, 0, 0), SH, 0) == date(2026, 3, 2)
    assert business_day(shanghai(2026, 3, 1, 23, 59), SH, 0) == date(2026, 3, 1)


def test_other_zone():
    # 02:59 in New York is still the previous business day there, whatever the UTC date.
    ny = datetime(2026, 7, 2, 2, 59, tzinfo=zone("America/New_York"))
    assert business_day(ny.astimezone(UTC), "America/New_York", 3) == date(2026, 7, 1)


def test_local_time_converts_to_the_hall_zone():
    t = local_time(datetime(2026, 3, 1, 19, 0, tzinfo=UTC), SH)
    assert (t.hour, t.day, t.utcoffset()) == (3, 2, timedelta(hours=8))


def test_day_start_is_the_boundary_in_the_hall_zone():
    start = day_start(date(2026, 3, 2), SH, 3)
    assert start == datetime(2026, 3, 1, 19, 0, tzinfo=UTC)
    assert business_day(start, SH, 3) == date(2026, 3, 2)
    assert business_day(start - timedelta(microseconds=1), SH, 3) == date(2026, 3, 1)


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31), timezones=st.just(UTC)),
    boundary=st.integers(0, 12),
)
def test_every_instant_lies_inside_its_business_day(instant, boundary):
    day = business_day(instant, SH, boundary)
    assert day_start(day, SH, boundary) <= instant < day_start(day + timedelta(days=1), SH, boundary)


@pytest.mark.parametrize(
    "birth,today,age",
    [
        (date(1960, 3, 2), date(2026, 3, 2), 66),  # birthday today: the year counts
        (date(1960, 3, 3), date(2026, 3, 2), 65),
        (date(1960, 2, 29), date(2026, 2, 28), 65),
        (date(1960, 2, 29), date(2026, 3, 1), 66),
    ],
)
def test_age_on(birth, today, age):
    assert age_on(birth, today) == age
