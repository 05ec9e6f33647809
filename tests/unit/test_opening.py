"""The hall calendar: public holidays, make-up working days (调休), dates with their own hours,
and working-day counting for time limits."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, strategies as st
from pydantic import ValidationError

from queue_server.domain.opening import Calendar, Schedule, slot_starts

WEEKDAY_HOURS = Schedule.model_validate({"mon-fri": ["09:00-17:30"], "sat": ["09:00-12:00"]})
CAL = Calendar.model_validate(
    {
        "holidays": [{"2026-10-01..2026-10-07": "国庆节"}, "2026-06-19"],
        "workdays": ["2026-09-20", {"2026-10-10": "fri"}],
        "hours": {"2026-12-31": ["09:00-15:00"]},
    }
)


def at(d: date, h: int, m: int = 0) -> datetime:
    return datetime.combine(d, time(h, m))


def test_a_holiday_closes_whatever_the_weekday_says():
    assert date(2026, 10, 1).weekday() == 3  # a Thursday
    assert not WEEKDAY_HOURS.is_open(at(date(2026, 10, 1), 10), CAL)
    assert WEEKDAY_HOURS.is_open(at(date(2026, 10, 1), 10))  # without the calendar it would open
    assert CAL.holidays[date(2026, 10, 7)] == "国庆节" and CAL.holidays[date(2026, 6, 19)] == "节假日"
    assert WEEKDAY_HOURS.describe_day(date(2026, 10, 3), CAL) == "休息"


def test_a_make_up_sunday_opens_with_a_working_days_hours():
    sunday = date(2026, 9, 20)
    assert sunday.weekday() == 6 and not WEEKDAY_HOURS.is_open(at(sunday, 10))
    assert WEEKDAY_HOURS.is_open(at(sunday, 16), CAL)  # Monday's hours, not closed
    # A Saturday make-up day keeps the weekday hours (here Friday's), not the short Saturday ones.
    assert WEEKDAY_HOURS.describe_day(date(2026, 10, 10), CAL) == "09:00-17:30"
    assert WEEKDAY_HOURS.describe_day(date(2026, 10, 17), CAL) == "09:00-12:00"


def test_a_date_with_its_own_hours():
    eve = date(2026, 12, 31)
    assert WEEKDAY_HOURS.is_open(at(eve, 14, 59), CAL) and not WEEKDAY_HOURS.is_open(at(eve, 15), CAL)
    # A schedule's own date key comes first: the evening service keeps its late hours that day.
    evening = Schedule.model_validate(
        {"mon-fri": ["09:00-17:30"], "2026-12-31": ["09:00-20:00"], "2026-10-02": ["10:00-12:00"]}
    )
    assert evening.describe_day(eve, CAL) == "09:00-20:00"
    assert evening.is_open(at(date(2026, 10, 2), 11), CAL)  # open on a holiday, this service only


def test_appointment_slots_follow_the_calendar():
    class Rules:
        slot_minutes = 60

    assert slot_starts(Rules, WEEKDAY_HOURS, date(2026, 10, 1), CAL) == []
    assert slot_starts(Rules, WEEKDAY_HOURS, date(2026, 9, 20), CAL)[0] == time(9, 0)
    assert slot_starts(Rules, WEEKDAY_HOURS, date(2026, 12, 31), CAL)[-1] == time(14, 0)


def test_working_days_are_national_not_the_halls_opening_days():
    assert not CAL.is_working_day(date(2026, 10, 17))  # a Saturday the hall is open is no working day
    assert CAL.is_working_day(date(2026, 9, 20)) and not CAL.is_working_day(date(2026, 10, 5))
    # 承诺件 5 working days from 28 Sep: 29, 30, (the holiday), 8, 9 and the make-up Saturday the 10th.
    assert CAL.add_working_days(date(2026, 9, 28), 5) == date(2026, 10, 10)
    assert CAL.add_working_days(date(2026, 9, 28), 0) == date(2026, 9, 28)
    assert CAL.working_days(date(2026, 9, 28), date(2026, 10, 11)) == 6  # the 28th itself counts here


@given(st.dates(date(2025, 1, 1), date(2027, 12, 31)), st.integers(0, 40))
def test_adding_working_days_counts_exactly_that_many(start, n):
    end = CAL.add_working_days(start, n)
    assert CAL.working_days(start + timedelta(days=1), end) == n if n else end == start
    assert n == 0 or CAL.is_working_day(end)


@pytest.mark.parametrize(
    "calendar,words",
    [
        ({"holidays": ["2026-10-07..2026-10-01"]}, "runs backwards"),
        ({"holidays": ["10/01/2026"]}, "YYYY-MM-DD"),
        ({"workdays": ["2026-09-21"]}, "a working day already"),
        ({"workdays": [{"2026-09-20": "someday"}]}, "use one of"),
        ({"holidays": ["2026-09-20"], "workdays": ["2026-09-20"]}, "both a holiday and a make-up"),
        ({"hours": {"2026-12-31": ["15:00-09:00"]}}, "ends before it starts"),
        ({"holiday": ["2026-10-01"]}, "unknown calendar field"),
    ],
)
def test_calendar_mistakes_are_refused_with_what_is_wrong(calendar, words):
    with pytest.raises(ValidationError, match=words):
        Calendar.model_validate(calendar)


def test_the_stored_form_reads_back_the_same():
    assert Calendar.model_validate(CAL.model_dump(mode="json")) == CAL
    sch = Schedule.model_validate({"mon": ["09:00-12:00"], "2026-12-31": []})
    assert Schedule.model_validate(sch.model_dump(mode="json")) == sch
