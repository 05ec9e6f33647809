"""The demo hall file (`queue_server/halls/demo.yaml`): it loads through the `Hall` model and holds a
realistic district hall — departments, services with full guides, parallel-acceptance windows on two
floors, extended hours, priority classes and life-event topics."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from pathlib import Path

import pytest

from queue_server.domain.hall import APPOINTMENT, NORMAL, Hall, TimeLimitKind, slot_starts
from queue_server.halls import read_hall

DEMO = Path(__file__).resolve().parent.parent / "queue_server" / "halls" / "demo.yaml"

# A fixed week: 2025-06-02 is a Monday.
MON = date(2025, 6, 2)
WED = date(2025, 6, 4)
SAT = date(2025, 6, 7)
SUN = date(2025, 6, 8)


def at(day: date, hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m)


@pytest.fixture(scope="module")
def hall() -> Hall:
    return read_hall(DEMO)  # the loader joins the national calendar file the demo lists


def test_week_fixture_days():
    assert (MON.weekday(), WED.weekday(), SAT.weekday(), SUN.weekday()) == (0, 2, 5, 6)


def test_identity_and_notice(hall: Hall):
    assert hall.id == "demo"
    assert "政务服务中心" in hall.name
    assert hall.name_en
    assert hall.timezone == "Asia/Shanghai"
    assert hall.notice and "政务夜办" in hall.notice


def test_two_named_floors(hall: Hall):
    assert sorted(f.number for f in hall.floors) == [1, 2]
    assert all(f.name.strip() for f in hall.floors)


def test_departments(hall: Hall):
    assert len(hall.departments) >= 8
    names = " ".join(d.name for d in hall.departments)
    for part in (
        "市场监督管理",
        "不动产登记",
        "税务",
        "社会保障",
        "医疗保障",
        "住房公积金",
        "公安",
        "工程建设",
        "代办",
    ):
        assert part in names, part
    assert all(d.name_en for d in hall.departments)
    # every department offers at least one service
    used = {s.department for s in hall.services}
    assert used == {d.code for d in hall.departments}


def test_services_have_full_guides(hall: Hall):
    assert len(hall.services) >= 15
    for s in hall.services:
        g = s.guide
        assert s.name and s.name_en and s.keywords, s.code
        assert g.summary and g.fees and g.area and g.phone, s.code
        assert g.basis and all(b.startswith("《") for b in g.basis), s.code
        assert g.conditions and all(c.strip() for c in g.conditions), s.code
        assert g.materials and all(m.name and m.copies >= 1 for m in g.materials), s.code
        assert len(g.steps) >= 3, s.code
        assert g.steps[0].startswith("受理") and g.steps[-1].startswith("送达"), s.code
        if g.time_limit.kind == TimeLimitKind.instant:
            assert g.time_limit.working_days == 0, s.code
        else:
            assert g.time_limit.working_days >= 1, s.code
        # the guide's area names the service's floor
        assert g.area.startswith({1: "一楼", 2: "二楼"}[s.floor]), s.code


def test_prefixes_and_codes(hall: Hall):
    prefixes = [s.prefix for s in hall.services]
    assert len(set(prefixes)) == len(prefixes)
    assert not {"I", "O"} & set(prefixes)  # would be confused with 1 and 0 on the board
    assert hall.service("biz-setup").prefix == "A"


def test_time_limit_kinds_all_present(hall: Hall):
    kinds = Counter(s.guide.time_limit.kind for s in hall.services)
    assert set(kinds) == set(TimeLimitKind)
    assert hall.service("build-permit").guide.time_limit.kind == TimeLimitKind.joint
    promised = [s for s in hall.services if s.guide.time_limit.kind == TimeLimitKind.promised]
    assert all(3 <= s.guide.time_limit.working_days <= 5 for s in promised)


def test_service_durations_realistic(hall: Hall):
    assert 20 <= hall.service("property-transfer").avg_service_minutes <= 30
    assert hall.service("property-query").avg_service_minutes <= 10
    assert all(3 <= s.avg_service_minutes <= 60 for s in hall.services)


def test_appointments_and_id_cards(hall: Hall):
    assert sum(s.appointments for s in hall.services) >= 4
    assert hall.service("property-transfer").appointments
    assert hall.service("exit-entry").appointments
    needs_id = {s.code for s in hall.services if s.id_card_required}
    assert {"hukou", "ss-card", "ss-retire"} <= needs_id
    assert not hall.service("biz-setup").id_card_required


def test_fees_and_basis_content(hall: Hall):
    assert "80元" in hall.service("property-transfer").guide.fees
    assert "不收费" in hall.service("biz-setup").guide.fees
    assert "《中华人民共和国市场主体登记管理条例》" in hall.service("biz-setup").guide.basis
    assert "《不动产登记暂行条例》" in hall.service("property-transfer").guide.basis


def test_daily_cap(hall: Hall):
    capped = {s.code: s.daily_cap for s in hall.services if s.daily_cap is not None}
    assert capped == {"exit-entry": 100}


def test_windows_on_two_floors(hall: Hall):
    assert len(hall.windows) >= 20
    assert {w.floor for w in hall.windows} == {1, 2}
    assert all(sum(1 for w in hall.windows if w.floor == f) >= 8 for f in (1, 2))
    for w in hall.windows:
        assert w.area, w.number
        for code in w.services:
            # a window serves matters of its own floor
            assert hall.service(code).floor == w.floor, (w.number, code)


def test_every_service_has_a_window(hall: Hall):
    for s in hall.services:
        assert hall.windows_for(s.code), s.code


def test_parallel_acceptance_windows(hall: Hall):
    multi = [w for w in hall.windows if len(w.services) >= 2]
    assert len(multi) >= 5
    w21 = hall.window(21)
    assert w21.services == {"biz-setup": 2, "biz-change": 1}
    # windows serve mostly one department: the heaviest weight's department covers most of the weight
    for w in hall.windows:
        by_dep = Counter()
        for code, weight in w.services.items():
            by_dep[hall.service(code).department] += weight
        assert by_dep.most_common(1)[0][1] / sum(by_dep.values()) >= 0.5, w.number


def test_services_served_by_several_windows(hall: Hall):
    assert len(hall.windows_for("biz-setup")) >= 3
    assert len(hall.windows_for("property-transfer")) >= 3
    assert len(hall.windows_for("exit-entry")) >= 2
    several = [s.code for s in hall.services if len(hall.windows_for(s.code)) >= 2]
    assert len(several) >= 12


def test_noon_service_without_break(hall: Hall):
    for code in ("biz-setup", "property-transfer", "build-permit"):
        assert hall.service_open(code, at(MON, "12:30")), code
        assert hall.service_open(code, at(MON, "09:00")), code
        assert not hall.service_open(code, at(MON, "08:59")), code
        assert not hall.service_open(code, at(MON, "17:30")), code


def test_evening_service_on_wednesday(hall: Hall):
    evening = [s.code for s in hall.services if hall.service_open(s.code, at(WED, "19:00"))]
    assert {"biz-setup", "hukou", "ss-card", "gjj-withdraw"} <= set(evening)
    assert hall.service_open("hukou", at(WED, "20:29"))
    assert not hall.service_open("hukou", at(WED, "20:30"))
    # only Wednesday runs late, and not every service
    assert not hall.service_open("hukou", at(MON, "19:00"))
    assert not hall.service_open("property-transfer", at(WED, "19:00"))
    assert hall.hours_today("hukou", at(WED, "10:00")) == "09:00-20:30"


def test_saturday_hours(hall: Hall):
    assert hall.service_open("biz-setup", at(SAT, "10:00"))
    assert hall.service_open("exit-entry", at(SAT, "11:59"))
    assert not hall.service_open("exit-entry", at(SAT, "12:00"))
    assert hall.hours_today("property-transfer", at(SAT, "10:00")) == "09:00-12:00"
    # project approval works weekdays only; nothing opens on Sunday
    assert not hall.service_open("build-permit", at(SAT, "10:00"))
    assert not any(hall.service_open(s.code, at(SUN, "10:00")) for s in hall.services)


def test_appointment_slots(hall: Hall):
    sched = hall.schedules[hall.service("property-transfer").schedule]
    slots = slot_starts(hall.appointments, sched, MON)
    assert len(slots) == 17  # 09:00 … 17:00 in 30-minute slots
    assert len(slot_starts(hall.appointments, sched, SAT)) == 6
    assert slot_starts(hall.appointments, sched, SUN) == []


def test_priority_classes(hall: Hall):
    classes = {c.code: c for c in hall.priority_classes}
    assert {"green", "elderly", "disabled", "pregnant", "military", "agent"} <= set(classes)
    assert not {NORMAL, APPOINTMENT} & set(classes)
    assert classes["green"].boost_minutes == 120 and not classes["green"].self_service
    assert classes["elderly"].min_age == 65 and classes["elderly"].boost_minutes == 30
    assert classes["disabled"].boost_minutes == 30
    assert classes["pregnant"].boost_minutes == 20
    assert classes["military"].boost_minutes == 20
    assert classes["agent"].boost_minutes == 10
    assert max(classes.values(), key=lambda c: c.boost_minutes).code == "green"
    assert all(c.name and c.name_en for c in classes.values())


def test_age_class_from_id_card(hall: Hall):
    today = date(2025, 6, 2)
    assert hall.age_class(date(1950, 1, 1), today) == "elderly"
    assert hall.age_class(date(1960, 6, 2), today) == "elderly"  # 65 today
    assert hall.age_class(date(1960, 6, 3), today) is None  # 65 tomorrow
    assert hall.age_class(date(1990, 1, 1), today) is None
    assert hall.boost_seconds("elderly") == 30 * 60


def test_topics(hall: Hall):
    names = {t.name for t in hall.topics}
    assert {"我要开办企业", "新生儿出生一件事", "退休一件事"} <= names
    assert any("买房" in n for n in names)
    for t in hall.topics:
        assert 2 <= len(t.services) <= 4, t.name
        assert len(set(t.services)) == len(t.services), t.name
        assert t.name_en
    newborn = next(t for t in hall.topics if t.name == "新生儿出生一件事")
    assert "hukou" in newborn.services


def test_rules(hall: Hall):
    assert 1 <= hall.calling.priority_ratio <= 5
    assert hall.calling.max_recalls >= 1
    assert hall.calling.reactivate_minutes > 0
    assert hall.issuing.per_person_per_service >= 1
    assert hall.appointments.slot_minutes == 30
    assert hall.appointments.capacity >= 1
    assert hall.appointments.boost_minutes > 0


def test_the_2026_holidays_and_make_up_days(hall: Hall):
    """国庆 closes every service; the make-up Sunday before it opens them with working-day hours."""
    national_day, make_up_sunday = date(2026, 10, 1), date(2026, 9, 20)
    assert not any(hall.service_open(s.code, at(national_day, "10:00")) for s in hall.services)
    assert all(hall.service_open(s.code, at(make_up_sunday, "16:00")) for s in hall.services)
    assert hall.slots("property-transfer", national_day) == []
    assert hall.hours_today("biz-setup", at(date(2026, 12, 31), "10:00")) == "09:00-15:00"
    assert hall.calendar.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
