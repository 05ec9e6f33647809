"""Tickets on the phone: the entry code's lifetime, who the holder is (ID number or a phone proven by
SMS code) and the per-person cap across channels, places from outside called only after check-in,
their per-hour share and their lapse, 暂离 and back."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from queue_server.store import tables as t
from queue_server.usecases import followup, phone

from .conftest import KIOSK, SECRET, refused
from .test_issuing import id_number

PUBLIC = "http://hall.example"
PERSON = id_number(date(1990, 5, 1), 11)
MOBILE = "13812345678"


def code_now(hall) -> str:
    return phone.entry_code(hall.store, "demo", SECRET, PUBLIC)["code"]


def take(hall, *services: str, key: str | None = None, **fields) -> dict:
    hall.clock.advance(seconds=1)
    fields.setdefault("id_card", phone.issuing.IdCard(PERSON))
    req = phone.PhoneIssue(services=list(services), **fields)
    return phone.issue(hall.store, "demo", req, SECRET, key)[0]


def sms_code(hall) -> str:
    """The code in the last message the outbox holds for a number."""
    with hall.store.engine.connect() as conn:
        row = conn.execute(select(t.notify_outbox).order_by(t.notify_outbox.c.id.desc())).first()
    match = re.search(r"验证码是(\d{6})", row.text)
    assert match and row.ticket_id == 0 and row.phone == MOBILE
    return match.group(1)


def test_the_entry_code_opens_the_take_page_and_stops_working_after_its_lifetime(hall):
    shown = phone.entry_code(hall.store, "demo", SECRET, PUBLIC)
    assert shown["url"] == f"{PUBLIC}/take.html?hall=demo&code={shown['code']}"
    assert shown["lifetime_minutes"] == 3
    tk = take(hall, "biz-setup", entry_code=shown["code"])
    assert tk["absent"] is None and tk["token"]
    hall.clock.advance(minutes=4)  # a photograph sent round
    assert refused(take, hall, "biz-change", entry_code=shown["code"]).code == "entry_code_expired"
    assert refused(take, hall, "biz-change", entry_code="1f.abcdef012345").code == "bad_entry_code"


def test_a_phone_ticket_needs_who_takes_it_and_follows_the_kiosks_rules(hall):
    code = code_now(hall)
    assert refused(take, hall, "biz-setup", entry_code=code, id_card=None).code == "identity_required"
    kiosk = hall.issue("biz-setup", id_card={"id_number": PERSON})
    assert kiosk["number"] == "A001"
    # The same person on the phone: the per-person cap counts the kiosk's ticket too.
    assert refused(take, hall, "biz-setup", entry_code=code).code == "per_person_cap"
    assert refused(take, hall, "biz-setup", entry_code=code, priority="green").code == "priority_needs_guide"
    other = take(hall, "biz-change", entry_code=code)
    assert other["state"] == "waiting"


def test_a_phone_proven_by_sms_code_is_who_holds_the_ticket(hall):
    sent = phone.send_code(hall.store, "demo", MOBILE, SECRET)
    assert sent["sent"] and sent["resend_after_seconds"] == 60
    assert refused(phone.send_code, hall.store, "demo", MOBILE, SECRET).code == "code_too_soon"
    code = sms_code(hall)
    wrong = "000000" if code != "000000" else "111111"
    entry = code_now(hall)
    assert refused(take, hall, "biz-setup", entry_code=entry, id_card=None, phone=MOBILE, sms_code=wrong).code == (
        "bad_code"
    )
    tk = take(hall, "biz-setup", entry_code=entry, id_card=None, phone=MOBILE, sms_code=code)
    # The proven number also gets the ticket's messages.
    assert tk["notify"] == {"phone": "138****5678", "family": False}
    again = refused(take, hall, "biz-setup", entry_code=entry, id_card=None, phone=MOBILE, sms_code=code)
    assert again.code == "per_person_cap"
    hall.clock.advance(minutes=6)
    late = refused(take, hall, "biz-change", entry_code=code_now(hall), id_card=None, phone=MOBILE, sms_code=code)
    assert late.code == "code_expired"
    # The messages' outbox never held the code in the ticket's events.
    log = followup.status(hall.store, tk["token"])
    assert MOBILE not in str(log)


def test_wrong_codes_spend_the_code(hall):
    phone.send_code(hall.store, "demo", MOBILE, SECRET)
    code = sms_code(hall)
    wrong = "000000" if code != "000000" else "111111"
    entry = code_now(hall)
    for _ in range(phone.CODE_ATTEMPTS):
        refused(take, hall, "biz-setup", entry_code=entry, id_card=None, phone=MOBILE, sms_code=wrong)
    assert refused(take, hall, "biz-setup", entry_code=entry, id_card=None, phone=MOBILE, sms_code=code).code == (
        "code_expired"
    )


def test_a_place_from_outside_is_called_only_after_check_in(hall):
    remote = take(hall, "biz-setup")
    assert remote["absent"] == "remote" and remote["back_at"].startswith("2026-11-24T11:00")
    walk_in = hall.issue("biz-setup")
    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    assert hall.act(21, "call-next", clerk)["ticket"]["number"] == walk_in["number"]
    hall.act(21, "finish", clerk, result="done")
    assert refused(hall.act, 21, "call-next", clerk).code == "queue_empty"
    assert refused(hall.act, 21, "call", clerk, number=remote["number"]).code == "not_arrived"

    arrived = phone.arrive_by_code(hall.store, remote["token"], code_now(hall), SECRET)
    assert arrived["absent"] is None
    # Its place was kept: taken before the walk-in, it is first now that it is here.
    later = hall.issue("biz-setup")
    assert hall.act(21, "call-next", clerk)["ticket"]["number"] == remote["number"]
    assert later["number"] != remote["number"]


def test_the_kiosk_checks_in_by_id_card_and_places_lapse_unchecked(hall):
    first = take(hall, "biz-setup")
    take(hall, "tax-general", id_card=phone.issuing.IdCard(id_number(date(1980, 1, 2), 12)))
    [arrived] = phone.arrive_by_id_card(hall.store, "demo", PERSON, SECRET, KIOSK)
    assert arrived["number"] == first["number"] and arrived["absent"] is None
    assert phone.arrive_by_id_card(hall.store, "demo", PERSON, SECRET, KIOSK) == []
    hall.clock.advance(minutes=61)
    assert phone.lapse_overdue(hall.store, "demo") == 1  # the other, never checked in
    assert phone.lapse_overdue(hall.store, "demo") == 0


def test_places_from_outside_are_a_share_per_hour(hall):
    for i in range(6):
        take(hall, "biz-setup", id_card=phone.issuing.IdCard(id_number(date(1970, 1, 1 + i), 20 + i)))
    full = refused(take, hall, "biz-setup", id_card=phone.issuing.IdCard(id_number(date(1971, 1, 1), 40)))
    assert full.code == "remote_full"
    # Walk-ins and phones in the hall are not counted against it.
    assert take(hall, "biz-setup", entry_code=code_now(hall), id_card=phone.issuing.IdCard(PERSON))["absent"] is None
    hall.clock.advance(hours=1)
    assert take(hall, "biz-setup", id_card=phone.issuing.IdCard(id_number(date(1971, 1, 1), 40)))["absent"] == "remote"


def test_stepping_out_keeps_the_place_and_skips_the_calls_until_back(hall):
    mine = take(hall, "biz-setup", entry_code=code_now(hall))
    other = hall.issue("biz-setup")
    out = phone.step_out(hall.store, mine["token"], 10)
    assert out["absent"] == "out" and out["position"] == 0  # still first in line
    assert refused(phone.step_out, hall.store, mine["token"], 7).code == "bad_minutes"
    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    assert hall.act(21, "call-next", clerk)["ticket"]["number"] == other["number"]
    hall.act(21, "finish", clerk, result="done")
    back = phone.come_back(hall.store, mine["token"])
    assert back["absent"] is None
    assert phone.come_back(hall.store, mine["token"])["absent"] is None  # a second tap changes nothing
    assert hall.act(21, "call-next", clerk)["ticket"]["number"] == mine["number"]


def test_a_stepped_out_ticket_is_called_again_when_its_time_is_up(hall):
    mine = take(hall, "biz-setup", entry_code=code_now(hall))
    phone.step_out(hall.store, mine["token"], 10)
    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    assert refused(hall.act, 21, "call-next", clerk).code == "queue_empty"
    hall.clock.advance(minutes=10)
    assert hall.act(21, "call-next", clerk)["ticket"]["number"] == mine["number"]


def test_a_guide_checks_in_by_number_and_sees_no_token(hall):
    remote = take(hall, "biz-setup")
    guide = hall.person("guide1")
    seen = phone.arrive_by_number(hall.store, "demo", remote["number"].lower(), guide)
    assert seen["absent"] is None and "token" not in seen and seen["position"] == 0
    again = phone.arrive_by_number(hall.store, "demo", remote["number"], guide)  # a second tap: nothing new
    assert again["absent"] is None
    with hall.store.read("demo") as r:
        assert [e.data["via"] for e in r.events_after(0) if e.type == "ticket.arrived"] == ["guide"]
