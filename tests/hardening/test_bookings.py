"""Bookings: a person is named (ID or phone), bookings are limited per person and per address, codes
are long and their lookups limited, an ID-bound booking is checked in with that card (or by a guide),
and no booking code travels on the hall's event stream."""

from __future__ import annotations

import re
from datetime import date

import httpx

from queue_server.usecases.appointments import CODE_ALPHABET
from tests.api.test_hall_rules import id_number
from tests.hardening.test_rating_fraud import collect_stream

BOOK = "/api/halls/demo/appointments"
# No attempt comes back during a test, however slow the machine.
SLOW_REFILL = {
    "HALLQ_LIMIT_BOOKING_LOOKUP_ADDRESS": "[30, 3600]",
    "HALLQ_LIMIT_BOOKING_ADDRESS": "[10, 3600]",
    "HALLQ_LIMIT_BOOKING_PERSON": "[3, 3600]",
}


def booking(slot: str = "10:00", day: str = "2026-11-24", service: str = "biz-setup", **who) -> dict:
    return {"service": service, "day": day, "slot": slot} | who


def test_bookings_need_a_person_and_are_limited(server_factory, sqlite_url):
    srv = server_factory(sqlite_url, settings=SLOW_REFILL)
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        anonymous = c.post(BOOK, json=booking())
        assert anonymous.status_code == 422 and anonymous.json()["code"] == "identity_required"
        person = id_number(date(1980, 1, 1), 21)
        days = ["2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30"]
        answers = [c.post(BOOK, json=booking(day=d, id_number=person)) for d in days]
        assert [r.status_code for r in answers] == [201, 201, 201, 429], [r.text for r in answers]
        assert answers[3].json()["code"] == "too_many_attempts" and int(answers[3].headers["Retry-After"]) > 0
        code = answers[0].json()["code"]
        assert len(code) == 12 and set(code) <= set(CODE_ALPHABET)
        # Per address: ten bookings for ten phones, then no more from here.
        phones = [
            c.post(
                BOOK,
                json=booking(
                    day=days[i % 4], slot="11:00" if i < 4 else "14:00" if i < 8 else "15:00", phone=f"1390000000{i}"
                ),
            ).status_code
            for i in range(8)
        ]
        assert phones == [201] * 7 + [429], phones  # 3 above + 7 = the address's 10

        # Lookups and cancels by code are limited per address: guessing gets nowhere fast.
        guesses = [c.get(f"{BOOK}/{'A' * 12}").status_code for _ in range(35)]
        assert guesses[:30] == [404] * 30 and set(guesses[30:]) == {429}, guesses
        assert c.get(f"{BOOK}/{code}").status_code == 429
        assert c.post(f"{BOOK}/{code}/cancel").status_code == 429


def test_an_id_bound_booking_needs_its_card_and_codes_stay_off_the_stream(server_factory, sqlite_url):
    srv = server_factory(sqlite_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    guide = {"Authorization": f"Bearer {srv.tokens['guide']}"}
    person, other = id_number(date(1975, 5, 5), 31), id_number(date(1976, 6, 6), 32)
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        a = c.post(BOOK, json=booking("10:00", id_number=person)).json()["code"]
        b = c.post(BOOK, json=booking("10:00", id_number=other)).json()["code"]
        phone = c.post(BOOK, json=booking("10:00", service="property-transfer", phone="13700000000"))
        assert phone.status_code == 201, phone.text
        p = phone.json()["code"]

        def check_in(code: str, headers: dict, card: str | None = None, service: str = "biz-setup") -> httpx.Response:
            body = {"services": [service], "appointment": code} | ({"id_card": {"id_number": card}} if card else {})
            return c.post("/api/halls/demo/tickets", json=body, headers=headers)

        alone = check_in(a, kiosk)
        assert alone.status_code == 403 and alone.json()["code"] == "appointment_needs_id_card", alone.text
        assert check_in(a, kiosk, other).json()["code"] == "appointment_person"
        assert check_in(a, kiosk, person).status_code == 201
        assert check_in(b, guide).status_code == 201  # the help desk checks the card by eye
        assert (
            check_in(p, kiosk, service="property-transfer").status_code == 201
        )  # booked with a phone: the code is enough
        assert (
            c.post(
                f"{BOOK}/{c.post(BOOK, json=booking('11:00', phone='13700000001')).json()['code']}/cancel"
            ).status_code
            == 200
        )
    messages = collect_stream(srv, srv.tokens["display"], 0)
    assert any('"appointment.booked"' in m for m in messages) and any('"appointment.cancelled"' in m for m in messages)
    for m in messages:
        assert not re.search(rf"{a}|{b}|{p}", m), m[:300]
