"""The clerk's caller beyond call and finish: hold (挂起) and its limit, transfer to one window,
finish-and-call-next, raising a priority; each in one transaction, each in the audit trail."""

from __future__ import annotations

import pytest

from queue_server.domain.tickets import HoldEnd
from queue_server.usecases import followup, queries, windows

from .conftest import refused


def log(hall, *types: str) -> list[dict]:
    return [e for e in queries.events(hall.store, "demo", 0, 10_000)["events"] if e["type"] in types]


def test_a_held_citizen_comes_back_to_the_same_window_while_it_serves_others(hall):
    a, b = hall.issue("tax-general"), hall.issue("tax-general")
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    hall.act(26, "call-next", clerk)
    assert refused(hall.act, 26, "resume", clerk).code == "ticket_in_progress"
    held = hall.act(26, "hold", clerk)
    assert held["ticket"] is None and [h["number"] for h in held["held"]] == [a["number"]]
    assert held["held"][0]["state"] == "held" and held["held"][0]["held_until"]
    assert followup.status(hall.store, a["token"])["state"] == "held"
    # The window calls the next one meanwhile; the held ticket is nobody else's to call.
    assert hall.act(26, "call-next", clerk)["ticket"]["number"] == b["number"]
    other = hall.person("clerk2")
    hall.act(27, "open", other)
    assert refused(hall.act, 27, "call-next", other).code == "queue_empty"
    assert refused(hall.act, 27, "call", other, number=a["number"]).code == "not_waiting"
    assert refused(hall.act, 27, "resume", other).code == "nothing_held"
    hall.clock.advance(minutes=3)
    hall.act(26, "finish", clerk)
    assert refused(hall.act, 26, "close", clerk).code == "tickets_on_hold"
    back = hall.act(26, "resume", clerk)
    assert back["ticket"]["number"] == a["number"] and back["ticket"]["state"] == "serving" and back["held"] == []
    done = hall.act(26, "finish", clerk)
    assert done["released"]["state"] == "done"
    [h] = log(hall, "ticket.held")
    [r] = log(hall, "ticket.resumed")
    assert h["data"]["number"] == r["data"]["number"] == a["number"] and h["actor"]["id"] == "clerk1"
    assert r["data"]["held_seconds"] >= 180


def test_resume_names_one_of_several_held_tickets(hall):
    a, b, c = (hall.issue("tax-general") for _ in range(3))
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    for _ in range(2):
        hall.act(26, "call-next", clerk)
        hall.act(26, "hold", clerk)
    assert refused(hall.act, 26, "resume", clerk, number=c["number"]).code == "not_held"
    assert hall.act(26, "resume", clerk, number=b["number"])["ticket"]["number"] == b["number"]
    assert [h["number"] for h in hall.act(26, "finish", clerk)["held"]] == [a["number"]]


@pytest.mark.parametrize("end,state", [(HoldEnd.queue, "waiting"), (HoldEnd.no_show, "no_show")])
def test_a_hold_past_the_hall_limit_ends_as_the_hall_says(hall, end, state):
    with hall.store.write("demo") as tx:
        calling = tx.hall.calling.model_copy(update={"hold_minutes": 10, "hold_end": end})
        tx.replace_hall(tx.hall.model_copy(update={"calling": calling}))
    a = hall.issue("tax-general")
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    hall.act(26, "call-next", clerk)
    hall.act(26, "hold", clerk)
    hall.clock.advance(minutes=10)
    assert windows.end_overdue_holds(hall.store, "demo") == 0  # at the limit, not past it
    hall.clock.advance(seconds=1)
    assert windows.end_overdue_holds(hall.store, "demo") == 1
    assert windows.end_overdue_holds(hall.store, "demo") == 0
    status = followup.status(hall.store, a["token"])
    assert status["state"] == state
    [e] = log(hall, "ticket.hold_expired")
    assert e["data"]["state"] == state and e["data"]["window"] == 26 and e["actor"]["kind"] == "system"
    assert refused(hall.act, 26, "resume", clerk).code == "nothing_held"
    if end is HoldEnd.queue:  # back at the front, for any window
        other = hall.person("clerk2")
        hall.issue("tax-general")
        hall.act(27, "open", other)
        assert hall.act(27, "call-next", other)["ticket"]["number"] == a["number"]


def test_a_ticket_transferred_to_a_window_is_that_windows_next(hall):
    a, b = hall.issue("tax-general"), hall.issue("tax-general")
    one, two, three = hall.person("clerk1"), hall.person("clerk2"), hall.person("clerk3")
    hall.act(26, "open", one)
    hall.act(27, "open", two)
    hall.act(21, "open", three)
    hall.act(26, "call-next", one)
    assert refused(hall.act, 26, "transfer-window", one, to=26).code == "same_window"
    assert refused(hall.act, 26, "transfer-window", one, to=28).code == "window_not_open"
    assert refused(hall.act, 26, "transfer-window", one, to=21).code == "wrong_window"
    assert refused(hall.act, 26, "transfer-window", one, to=999).code == "window_not_found"
    moved = hall.act(26, "transfer-window", one, to=27)
    assert moved["released"]["state"] == "waiting" and moved["released"]["window"] == 27
    # Window 26 serves the same service, yet the transferred ticket waits for 27 alone.
    assert hall.act(26, "call-next", one)["ticket"]["number"] == b["number"]
    hall.issue("tax-general")
    assert hall.act(27, "call-next", two)["ticket"]["number"] == a["number"]
    [e] = log(hall, "ticket.transferred_to_window")
    assert e["data"] | {"id": 0} == {
        "id": 0,
        "number": a["number"],
        "window": 26,
        "state": "waiting",
        "from": "tax-general",
        "service": "tax-general",
        "to_window": 27,
    }


def test_a_window_closing_sends_its_transfers_to_every_window(hall):
    a = hall.issue("tax-general")
    one, two = hall.person("clerk1"), hall.person("clerk2")
    hall.act(26, "open", one)
    hall.act(27, "open", two)
    hall.act(26, "call-next", one)
    hall.act(26, "transfer-window", one, to=27)
    hall.act(27, "close", two)
    assert hall.act(26, "call-next", one)["ticket"]["number"] == a["number"]


def test_finish_and_call_next_is_one_step(hall):
    a, b = hall.issue("tax-general"), hall.issue("tax-general")
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    assert refused(hall.act, 26, "finish-next", clerk).code == "no_current_ticket"
    hall.act(26, "call-next", clerk)
    assert refused(hall.act, 26, "finish-next", clerk, result="unresolved").code == "reason_required"
    # The refusal wrote nothing: the first ticket is still at the window.
    assert queries.window_detail(hall.store, "demo", 26)["current"]["number"] == a["number"]
    step = hall.act(26, "finish-next", clerk, result="unresolved", reason="材料不全")
    assert step["released"]["number"] == a["number"] and step["released"]["matters"][0]["state"] == "unresolved"
    assert step["ticket"]["number"] == b["number"] and step["queue_empty"] is False
    last = hall.act(26, "finish-next", clerk)
    assert last["ticket"] is None and last["queue_empty"] is True and last["released"]["state"] == "done"
    assert [e["type"] for e in log(hall, "ticket.done", "ticket.called")] == [
        "ticket.called",
        "ticket.done",
        "ticket.called",
        "ticket.done",
    ]


def test_a_priority_is_raised_with_its_reason(hall):
    a, b = hall.issue("tax-general"), hall.issue("tax-general")
    guide = hall.person("guide1")
    raise_ = followup.raise_priority
    assert refused(raise_, hall.store, "demo", b["number"], "vip", "x", guide).code == "class_not_found"
    assert refused(raise_, hall.store, "demo", b["number"], "normal", "x", guide).code == "not_higher"
    raised = raise_(hall.store, "demo", b["number"], "elderly", " 78 岁，行动不便 ", guide)
    assert raised["klass"] == "elderly" and raised["position"] == 0
    assert refused(raise_, hall.store, "demo", b["number"], "elderly", "again", guide).code == "not_higher"
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    assert hall.act(26, "call-next", clerk)["ticket"]["number"] == b["number"]
    assert refused(raise_, hall.store, "demo", b["number"], "green", "x", guide).code == "invalid_transition"
    [e] = log(hall, "ticket.priority_raised")
    assert (
        e["data"]["from"] == "normal" and e["data"]["klass"] == "elderly" and e["data"]["reason"] == "78 岁，行动不便"
    )
    assert e["actor"]["id"] == "guide1"
    assert a["number"] != b["number"]


def test_the_recall_count_and_its_limit_are_on_the_result(hall):
    hall.issue("tax-general")
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    called = hall.act(26, "call-next", clerk)
    assert called["ticket"]["recalls"] == 0 and called["max_recalls"] == 2
    assert hall.act(26, "recall", clerk)["ticket"]["recalls"] == 1
