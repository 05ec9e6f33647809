"""Booking a slot, and checking in with the booking code or the booker's ID card."""

from __future__ import annotations

from datetime import date

from queue_server.usecases import appointments

from .conftest import GUIDE_DESK, SECRET, refused
from .test_issuing import id_number

TODAY = date(2026, 11, 24)


def book(hall, slot: str, day: date = TODAY, **who) -> dict:
    who = who or {"phone": "13800138000"}
    return appointments.book(hall.store, "demo", "biz-setup", day, slot, who.get("id_number"), SECRET, who.get("phone"))


def free(hall, slot: str) -> int:
    return next(s for s in appointments.slots(hall.store, "demo", "biz-setup", TODAY) if s["slot"] == slot)["free"]


def test_booking_and_check_in(hall):
    assert free(hall, "10:00") == 2
    codes = [book(hall, "10:00", phone=f"1380013800{i}")["code"] for i in range(2)]
    assert refused(book, hall, "10:00").code == "slot_full"
    later = book(hall, "15:00")["code"]
    assert refused(hall.issue, "biz-setup", appointment=later).code == "appointment_early"

    t = hall.issue("biz-setup", appointment=codes[0].lower())
    assert t["klass"] == "appointment"
    assert refused(hall.issue, "biz-setup", appointment=codes[0]).code == "appointment_used"
    assert refused(hall.issue, "tax-general", appointment=codes[1]).code == "appointment_service"
    assert appointments.cancel(hall.store, "demo", codes[1])["state"] == "cancelled"
    assert refused(appointments.cancel, hall.store, "demo", codes[1]).code == "appointment_not_cancellable"
    assert refused(hall.issue, "biz-setup", appointment=codes[1]).code == "appointment_not_found"
    # The cancelled booking frees its place; the checked-in one keeps it.
    assert free(hall, "10:00") == 1


def test_what_may_be_booked(hall):
    assert refused(book, hall, "10:00", day=date(2026, 11, 23)).code == "bad_day"
    assert refused(book, hall, "10:00", day=date(2027, 1, 24)).code == "bad_day"
    assert refused(book, hall, "10:07").code == "bad_slot"
    assert refused(book, hall, "09:00").code == "slot_past"
    assert (
        refused(appointments.book, hall.store, "demo", "biz-setup", TODAY, "15:00", None, SECRET).code
        == "identity_required"
    )
    assert refused(book, hall, "15:00", id_number="510114198503020000").code == "bad_id_number"


def test_a_missed_slot_takes_a_normal_ticket(hall):
    code = book(hall, "10:00")["code"]
    hall.clock.advance(hours=2)
    assert refused(hall.issue, "biz-setup", appointment=code).code == "appointment_missed"


def test_appointment_found_by_the_bookers_id_card(hall):
    person, other = id_number(date(1985, 3, 2), 11), id_number(date(1990, 7, 9), 12)
    booked = [book(hall, slot, id_number=person)["code"] for slot in ("15:00", "10:00")]
    tomorrow = book(hall, "10:00", day=date(2026, 11, 25), id_number=person)["code"]
    book(hall, "11:00")

    found = appointments.of_person(hall.store, "demo", person, SECRET)
    # Today's bookings only, in slot order; the ID number is nowhere in the answer.
    assert [(a["code"], a["slot"], a["state"]) for a in found] == [
        (booked[1], "10:00", "booked"),
        (booked[0], "15:00", "booked"),
    ]
    assert tomorrow not in str(found) and person not in str(found)
    assert appointments.of_person(hall.store, "demo", other, SECRET) == []

    # A code booked with an ID number checks in with that card, or at the guide desk: not by the code alone.
    assert refused(hall.issue, "biz-setup", appointment=booked[1]).code == "appointment_needs_id_card"
    other_card = {"id_number": other}
    assert refused(hall.issue, "biz-setup", appointment=booked[1], id_card=other_card).code == "appointment_person"
    t = hall.issue("biz-setup", appointment=booked[1], id_card={"id_number": person})
    assert t["klass"] == "appointment"
    assert [a["state"] for a in appointments.of_person(hall.store, "demo", person, SECRET)] == ["checked_in", "booked"]
    hall.clock.advance(hours=4, minutes=55)
    assert hall.issue("biz-setup", appointment=booked[0], who=GUIDE_DESK)["klass"] == "appointment"
