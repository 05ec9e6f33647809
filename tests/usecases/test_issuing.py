"""Taking a ticket: idempotency, ID cards, priority classes, daily caps, opening hours."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime

from queue_server.domain.identity import check_digit
from queue_server.usecases import followup, issuing, queries

from .conftest import GUIDE_DESK, KIOSK, SECRET, refused


def id_number(birth: date, serial: int) -> str:
    first17 = f"510114{birth:%Y%m%d}{serial:03d}"
    return first17 + check_digit(first17)


def test_numbers_run_per_service_from_one(hall):
    assert [hall.issue("biz-setup")["number"] for _ in range(3)] == ["A001", "A002", "A003"]
    assert hall.issue("tax-general")["number"][1:] == "001"


def test_the_same_idempotency_key_gives_the_same_ticket(hall):
    req = issuing.IssueRequest(services=["biz-setup"])
    first, created = issuing.issue(hall.store, "demo", req, KIOSK, SECRET, "tap-1")
    again, created_again = issuing.issue(hall.store, "demo", req, KIOSK, SECRET, "tap-1")
    assert (created, created_again) == (True, False) and again["id"] == first["id"]
    other = issuing.IssueRequest(services=["biz-change"])
    assert refused(issuing.issue, hall.store, "demo", other, KIOSK, SECRET, "tap-1").code == "idempotency_conflict"
    assert hall.issue("biz-setup")["number"] == "A002"


def test_a_choice_of_matters_is_checked(hall):
    assert refused(hall.issue).code == "no_service"
    assert refused(hall.issue, "biz-setup", "biz-setup").code == "duplicate_service"
    assert (
        refused(
            hall.issue, *["biz-setup", "biz-change", "biz-cancel", "food-license", "tax-general", "build-permit"]
        ).code
        == "too_many_services"
    )
    assert refused(hall.issue, "no-such-matter").code == "service_not_found"


def test_id_card_rules(hall):
    elderly = {"id_number": id_number(date(1950, 3, 1), 11), "name": "张小三"}
    t = hall.issue("hukou", id_card=elderly)
    assert t["klass"] == "elderly"  # by age, from the ID number
    again = refused(hall.issue, "hukou", id_card=elderly)
    assert again.code == "per_person_cap" and "今天" in again.message
    assert refused(hall.issue, "hukou").code == "id_card_required"
    wrong = elderly["id_number"][:-1] + ("0" if elderly["id_number"][-1] != "0" else "1")
    assert refused(hall.issue, "biz-setup", id_card={"id_number": wrong}).code == "bad_id_number"

    # The clerk's lookup shows the masked name; the events and the database never hold the name or number.
    assert queries.lookup_ticket(hall.store, "demo", t["number"])["masked_name"] == "张*三"
    log = str(queries.events(hall.store, "demo", 0, 1000))
    assert "张小三" not in log and elderly["id_number"] not in log
    with sqlite3.connect(hall.store.engine.url.database) as conn:
        dump = "\n".join(conn.iterdump())
    assert elderly["id_number"] not in dump and "张小三" not in dump


def test_a_cancelled_ticket_does_not_count_against_the_persons_cap(hall):
    person = {"id_number": id_number(date(1985, 1, 1), 12)}
    t = hall.issue("hukou", id_card=person)
    followup.cancel_number(hall.store, "demo", t["number"], GUIDE_DESK)
    assert hall.issue("hukou", id_card=person)["number"] != t["number"]


def test_priority_classes_need_a_guide(hall):
    assert refused(hall.issue, "biz-setup", priority="green").code == "priority_needs_guide"
    assert hall.issue("biz-setup", priority="green", who=GUIDE_DESK)["klass"] == "green"
    assert hall.issue("biz-setup", priority="pregnant")["klass"] == "pregnant"  # self-service class
    assert refused(hall.issue, "biz-setup", priority="nobody", who=GUIDE_DESK).code == "bad_priority"
    assert refused(hall.issue, "biz-setup", priority="appointment", who=GUIDE_DESK).code == "bad_priority"


def test_daily_cap(hall):
    for i in range(100):
        hall.issue("exit-entry", id_card={"id_number": id_number(date(1990, 1, 1), i)})
    gone = refused(hall.issue, "exit-entry", id_card={"id_number": id_number(date(1990, 1, 1), 100)})
    assert gone.code == "daily_cap_reached"
    row = next(s for s in queries.services(hall.store, "demo") if s["code"] == "exit-entry")
    assert row["remaining_today"] == 0


def test_closed_hours(hall):
    hall.clock.at = datetime.fromisoformat("2026-11-24T22:00:00+08:00")
    assert not any(s["open"] for s in queries.services(hall.store, "demo"))
    closed = refused(hall.issue, "biz-setup")
    assert closed.code == "service_closed" and "17:30" in closed.message
