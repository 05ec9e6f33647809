"""Hall configuration: a small hall built here, the validation errors a hall file can hit,
opening hours, age classes and appointment slots."""

from __future__ import annotations

import copy
from datetime import date, datetime, time

import pytest
from pydantic import ValidationError

from queue_server.domain.hall import (
    APPOINTMENT,
    NORMAL,
    AppointmentRules,
    Hall,
    Schedule,
    Window,
    slot_starts,
)

GUIDE = {
    "basis": ["《中华人民共和国户口登记条例》"],
    "conditions": ["本市户籍居民"],
    "materials": [{"name": "居民身份证"}, {"name": "户口簿", "copies": 1, "original": True}],
    "steps": ["取号", "窗口受理", "领取证件"],
    "time_limit": {"kind": "promised", "working_days": 3},
    "fees": "免费",
}


def hall_data() -> dict:
    """A two-service, two-window hall: the smallest shape that exercises every cross-check."""
    return {
        "id": "test-hall",
        "name": "测试政务服务中心",
        "name_en": "Test Service Hall",
        "floors": [{"number": 1, "name": "一楼"}],
        "schedules": {
            "weekdays": {"mon-fri": ["09:00-12:00", "13:30-17:00"], "wed": ["09:00-19:00"]},
        },
        "departments": [{"code": "police", "name": "公安", "name_en": "Police"}],
        "services": [
            {
                "code": "hukou",
                "prefix": "A",
                "name": "户籍办理",
                "name_en": "Household registration",
                "department": "police",
                "schedule": "weekdays",
                "floor": 1,
                "guide": GUIDE,
            },
            {
                "code": "id-card",
                "prefix": "B",
                "name": "身份证",
                "name_en": "ID card",
                "department": "police",
                "schedule": "weekdays",
                "floor": 1,
                "guide": GUIDE,
                "appointments": True,
            },
        ],
        "windows": [
            {"number": 1, "floor": 1, "services": {"hukou": 1.0}},
            {"number": 2, "floor": 1, "services": {"hukou": 1.0, "id-card": 2.0}},
        ],
        "priority_classes": [
            {"code": "green", "name": "绿色通道", "name_en": "Green channel", "boost_minutes": 60},
            {"code": "elderly", "name": "老年人", "name_en": "Elderly", "boost_minutes": 20, "min_age": 60},
            {"code": "elderly80", "name": "高龄老人", "name_en": "Over 80", "boost_minutes": 40, "min_age": 80},
        ],
    }


def build(mutate=None) -> Hall:
    data = copy.deepcopy(hall_data())
    if mutate:
        mutate(data)
    return Hall.model_validate(data)


def refused(mutate, *fragments: str) -> None:
    with pytest.raises(ValidationError) as e:
        build(mutate)
    text = str(e.value)
    for f in fragments:
        assert f in text, text


# -- a valid hall -------------------------------------------------------------------------------


def test_a_small_hall_loads_with_its_defaults():
    h = build()
    assert h.timezone == "Asia/Shanghai" and h.day_boundary_hour == 3
    assert h.calling.priority_ratio == 3 and h.calling.max_recalls == 2
    assert h.service("id-card").prefix == "B" and h.window(2).services == {"hukou": 1.0, "id-card": 2.0}
    assert [w.number for w in h.windows_for("hukou")] == [1, 2]
    assert [w.number for w in h.windows_for("id-card")] == [2]
    assert h.priority_class("green").boost_minutes == 60
    with pytest.raises(KeyError):
        h.service("nope")
    with pytest.raises(KeyError):
        h.window(9)


def test_boost_seconds_for_built_in_and_configured_classes():
    h = build()
    assert h.boost_seconds(NORMAL) == 0.0
    assert h.boost_seconds(APPOINTMENT) == 45 * 60
    assert h.boost_seconds("green") == 3600
    with pytest.raises(KeyError):
        h.boost_seconds("vip")


def test_the_configuration_is_frozen():
    h = build()
    with pytest.raises(ValidationError):
        h.name = "改名"


# -- validation errors --------------------------------------------------------------------------


def test_duplicate_prefix():
    refused(lambda d: d["services"][1].update(prefix="A"), "duplicate ticket prefix 'A'")


def test_duplicate_service_code():
    refused(lambda d: d["services"][1].update(code="hukou", prefix="C"), "duplicate service code")


def test_duplicate_window_number():
    refused(lambda d: d["windows"][1].update(number=1), "duplicate window number")


def test_unknown_service_in_a_window():
    refused(lambda d: d["windows"][0]["services"].update(passport=1.0), "window 1", "unknown service 'passport'")


def test_unknown_department_schedule_floor():
    refused(lambda d: d["services"][0].update(department="tax"), "unknown department 'tax'")
    refused(lambda d: d["services"][0].update(schedule="nights"), "unknown schedule 'nights'")
    refused(lambda d: d["services"][0].update(floor=9), "unknown floor 9")


def test_unknown_service_in_a_topic():
    refused(
        lambda d: d.update(topics=[{"name": "我要落户", "name_en": "Settle", "services": ["x"]}]), "unknown service 'x'"
    )


# `fri-mon` names days but, read as a range, opens none: refused rather than a silently closed hall.
@pytest.mark.parametrize("key", ["monday", "mon-funday", "mon-tue-wed", "8", "", "fri-mon", "sun-mon"])
def test_bad_schedule_key(key):
    refused(lambda d: d["schedules"].update(odd={key: ["09:00-12:00"]}), "bad weekday key")


@pytest.mark.parametrize(
    "span,fragment",
    [
        ("12:00-09:00", "ends before it starts"),
        ("09:00-09:00", "ends before it starts"),
        ("9-12", "bad opening interval"),
        ("09:00~12:00", "bad opening interval"),
        ("25:00-26:00", ""),  # not a time of day at all
    ],
)
def test_bad_interval(span, fragment):
    refused(lambda d: d["schedules"]["weekdays"].update(sat=[span]), fragment)


@pytest.mark.parametrize("code", [NORMAL, APPOINTMENT])
def test_built_in_class_codes_cannot_be_configured(code):
    refused(lambda d: d["priority_classes"][0].update(code=code), "built-in classes")


def test_duplicate_priority_class():
    refused(lambda d: d["priority_classes"][1].update(code="green"), "duplicate priority class")


@pytest.mark.parametrize("services", [{}, {"hukou": 0}, {"hukou": -1.0}])
def test_window_weights(services):
    with pytest.raises(ValidationError):
        Window(number=1, floor=1, services=services)


@pytest.mark.parametrize(
    "field,value",
    [
        ("prefix", "a"),
        ("prefix", "AB"),
        ("code", "Hukou"),
        ("code", "-x"),
    ],
)
def test_service_code_and_prefix_patterns(field, value):
    refused(lambda d: d["services"][0].update({field: value}))


def test_unknown_fields_are_refused():
    refused(lambda d: d.update(colour="red"), "colour")


@pytest.mark.parametrize("hour", [-1, 13])
def test_day_boundary_hour_range(hour):
    refused(lambda d: d.update(day_boundary_hour=hour), "day_boundary_hour")


# -- opening hours ------------------------------------------------------------------------------


def schedule() -> Schedule:
    return build().schedules["weekdays"]


def test_later_weekday_keys_override_earlier_ones():
    sch = schedule()
    mon, wed, sat = date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 7)
    assert mon.weekday() == 0 and wed.weekday() == 2
    at = lambda d, h, m=0: datetime.combine(d, time(h, m))  # noqa: E731
    # Monday: the lunch break closes the hall.
    assert sch.is_open(at(mon, 9)) and sch.is_open(at(mon, 11, 59))
    assert not sch.is_open(at(mon, 12)) and not sch.is_open(at(mon, 13))
    assert sch.is_open(at(mon, 13, 30)) and not sch.is_open(at(mon, 17))
    # Wednesday replaces the weekday hours: open through lunch and into the evening.
    assert sch.is_open(at(wed, 12, 30)) and sch.is_open(at(wed, 18, 59)) and not sch.is_open(at(wed, 19))
    assert not sch.is_open(at(wed, 8, 59))
    # Saturday is not listed: closed.
    assert not sch.is_open(at(sat, 10))
    assert sch.describe(0) == "09:00-12:00, 13:30-17:00"
    assert sch.describe(2) == "09:00-19:00"
    assert sch.describe(5) == "休息"


def test_the_order_of_keys_decides_the_override():
    # `wed` first and `mon-fri` after: the range wins and Wednesday has the ordinary hours.
    sch = Schedule.model_validate({"wed": ["09:00-19:00"], "mon-fri": ["09:00-12:00"]})
    assert sch.describe(2) == "09:00-12:00"


def test_a_range_of_one_day_and_a_weekend_range():
    sch = Schedule.model_validate({"wed-wed": ["09:00-12:00"], "sat-sun": ["10:00-16:00"]})
    assert set(sch.days) == {2, 5, 6}


def test_day_lists_and_single_digit_hours():
    sch = Schedule.model_validate({"mon, sat": ["8:30-12:00"], "sun": []})
    assert set(sch.days) == {0, 5, 6}
    assert sch.days[0][0].start == time(8, 30) and sch.describe(6) == "休息"


def test_service_open_and_hours_today():
    h = build()
    assert h.service_open("hukou", datetime(2026, 3, 4, 18, 0))
    assert not h.service_open("hukou", datetime(2026, 3, 2, 18, 0))
    assert h.hours_today("id-card", datetime(2026, 3, 4, 10, 0)) == "09:00-19:00"


# -- age classes --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "birth,expected",
    [
        (date(1990, 5, 1), None),
        (date(1966, 3, 3), None),  # 60 tomorrow
        (date(1966, 3, 2), "elderly"),  # 60 today
        (date(1946, 3, 2), "elderly80"),  # both classes apply: the larger boost wins
        (date(1930, 1, 1), "elderly80"),
    ],
)
def test_age_class_picks_the_largest_boost(birth, expected):
    assert build().age_class(birth, date(2026, 3, 2)) == expected


def test_age_class_follows_the_boost_not_the_order_or_the_age():
    # Reverse the boosts: the 60+ class is now the larger one and wins even for an 85-year-old.
    def swap(d):
        d["priority_classes"][1]["boost_minutes"] = 50

    assert build(swap).age_class(date(1941, 1, 1), date(2026, 3, 2)) == "elderly"


# -- appointment slots --------------------------------------------------------------------------


def test_slot_starts_cut_the_open_hours_into_whole_slots():
    sch = schedule()
    monday = slot_starts(AppointmentRules(slot_minutes=30), sch, date(2026, 3, 2))
    assert monday[:3] == [time(9, 0), time(9, 30), time(10, 0)]
    assert time(11, 30) in monday and time(12, 0) not in monday
    assert time(13, 30) in monday and monday[-1] == time(16, 30)
    assert len(monday) == 6 + 7
    wednesday = slot_starts(AppointmentRules(slot_minutes=30), sch, date(2026, 3, 4))
    assert len(wednesday) == 20 and wednesday[-1] == time(18, 30)
    assert slot_starts(AppointmentRules(), sch, date(2026, 3, 7)) == []


def test_a_partial_slot_at_the_end_of_an_interval_is_dropped():
    sch = Schedule.model_validate({"mon": ["09:00-10:50"]})
    assert slot_starts(AppointmentRules(slot_minutes=45), sch, date(2026, 3, 2)) == [time(9, 0), time(9, 45)]
