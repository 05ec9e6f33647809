"""No dead ends: every screen a visitor reaches has a next step."""

from __future__ import annotations

import httpx
import pytest

from .test_kiosk import card_sim, start, take_from_department

pytestmark = pytest.mark.kiosk


def test_the_card_from_home_goes_on_to_the_matters_and_the_bookings_of_its_holder(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    number = next(c.id_number for c in card_sim(d).cards if c.name == "扎西多吉")
    r = httpx.post(
        f"{hall_server.url}/api/halls/demo/appointments",
        json={"service": "gjj-loan", "day": "2026-11-24", "slot": "11:00", "id_number": number},
    )
    assert r.status_code == 201, r.text
    start(d)
    d.tap("action:card")
    d.wait_screen("card")
    card_sim(d).place("扎西多吉")
    d.wait_screen("services", 10)
    assert d.text("title") == "扎**吉，请选择要办理的事项"
    assert not d.has("identity_large")  # 25 years old: no large type offered
    d.wait(lambda: d.has("bookings"), 10, "his booking")
    assert d.text("bookings_text") == "您今天有 1 个预约：住房公积金个人住房贷款"
    d.shot("card-then-matters-and-bookings")
    d.tap("bookings_check_in")
    d.wait_screen("appointment")
    d.wait(lambda: d.has("appt_booking"), 10, "his booking on the check-in screen")
    assert d.text("appt_details").startswith("住房公积金个人住房贷款")


def test_a_matter_that_needs_a_card_tells_a_visitor_without_one_where_to_go(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    take_from_department(d, "rsj", "ss-retire")
    d.tap("confirm_go")
    d.wait_screen("card")
    assert not d.has("card_without")
    assert "导服台" in d.text("no_card_help") and "临时身份证" in d.text("no_card_help")
    d.shot("needs-card-no-card")
    d.tap("card_appointment")
    d.wait_screen("appointment")
