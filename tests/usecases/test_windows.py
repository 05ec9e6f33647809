"""What a window clerk does, and what a manager may do at someone else's window."""

from __future__ import annotations

from queue_server.usecases import followup, queries, windows
from queue_server.usecases.principal import Principal
from queue_server.usecases.windows import CallerKey

from .conftest import GUIDE_DESK, KIOSK, refused


def test_window_sign_in_rules(hall):
    one, two = hall.person("clerk1"), hall.person("clerk2")
    assert hall.act(21, "open", one)["state"] == "open"
    assert refused(hall.act, 21, "open", two).code == "window_taken"
    assert refused(hall.act, 22, "open", one).code == "clerk_elsewhere"
    assert refused(hall.act, 21, "call-next", two).code == "not_your_window"
    assert refused(hall.act, 21, "call-next", KIOSK).code == "clerk_only"
    assert refused(hall.act, 99, "open", one).code == "window_not_found"
    paused = hall.act(21, "pause", one, reason="午间交接")
    assert paused["state"] == "paused" and paused["pause_reason"] == "午间交接"
    assert refused(hall.act, 21, "call-next", one).code == "window_not_open"
    assert hall.act(21, "close", one)["state"] == "closed"
    assert hall.act(22, "open", one)["state"] == "open"


def test_an_empty_queue_and_a_second_call_are_refused(hall):
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    assert refused(hall.act, 26, "call-next", clerk).code == "queue_empty"
    hall.issue("tax-general")
    hall.issue("tax-general")
    assert hall.act(26, "call-next", clerk)["ticket"]["number"].endswith("001")
    # A double click on "call next" finds the first call's ticket still at the window.
    assert refused(hall.act, 26, "call-next", clerk).code == "ticket_in_progress"
    assert refused(hall.act, 26, "close", clerk).code == "ticket_in_progress"


def test_calling_a_number_checks_it(hall):
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    a = hall.issue("biz-setup")
    assert refused(hall.act, 26, "call", clerk).code == "number_required"
    assert refused(hall.act, 26, "call", clerk, number="X999").code == "ticket_not_found"
    assert refused(hall.act, 26, "call", clerk, number=a["number"]).code == "wrong_window"
    t = hall.issue("tax-general")
    assert hall.act(26, "call", clerk, number=t["number"].lower())["ticket"]["number"] == t["number"]


def test_transfer_recall_no_show_and_reactivate(hall):
    a = hall.issue("biz-setup")
    for _ in range(4):
        hall.issue("tax-general")
    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    hall.act(21, "call-next", clerk)
    hall.act(21, "transfer", clerk, service="tax-general")
    status = followup.status(hall.store, a["token"])
    assert status["service"] == "tax-general" and status["position"] == 0 and status["number"] == a["number"]
    assert [m["state"] for m in status["matters"]] == ["transferred", "waiting"]

    tax = hall.person("clerk2")
    hall.act(26, "open", tax)
    assert hall.act(26, "call-next", tax)["ticket"]["number"] == a["number"]  # transferred tickets go first
    for _ in range(2):
        hall.act(26, "recall", tax)
    assert refused(hall.act, 26, "recall", tax).code == "recall_limit"
    hall.act(26, "no-show", tax)
    assert followup.status(hall.store, a["token"])["state"] == "no_show"

    back = followup.reactivate(hall.store, "demo", a["number"], hall.person("guide1"))
    assert back["state"] == "waiting" and back["position"] == 3  # behind 3 people

    hall.act(26, "call-next", tax)
    assert refused(hall.act, 26, "finish", tax, result="unresolved").code == "reason_required"
    done = hall.act(26, "finish", tax, result="unresolved", reason="缺少营业执照原件")
    assert done["ticket"] is None and done["released"]["matters"][-1]["state"] == "unresolved"


def test_a_transfer_needs_a_known_service(hall):
    hall.issue("biz-setup")
    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    hall.act(21, "call-next", clerk)
    assert refused(hall.act, 21, "transfer", clerk, service="nowhere").code == "service_not_found"


def test_a_ticket_of_several_matters_goes_on_to_the_next(hall):
    t = hall.issue("biz-setup", "tax-general")
    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    hall.act(21, "call-next", clerk)
    hall.act(21, "start", clerk)
    hall.act(21, "finish", clerk, result="done")
    status = followup.status(hall.store, t["token"])
    assert status["state"] == "waiting" and status["service"] == "tax-general"
    assert [m["state"] for m in status["matters"]] == ["done", "waiting"]


def test_a_manager_ends_what_a_clerk_left_at_a_window(hall):
    t = hall.issue("tax-general")
    clerk, other, manager = hall.person("clerk1"), hall.person("clerk2"), hall.person("manager1")
    hall.act(26, "open", clerk)
    hall.act(26, "call-next", clerk)
    # The clerk leaves with a ticket at the window: nobody else can sign in there.
    assert refused(hall.act, 26, "open", other).code == "window_taken"
    hall.issue("tax-general")
    # A manager may clear the window but not call anyone to it.
    assert refused(hall.act, 26, "call-next", manager).code == "not_your_window"
    assert refused(hall.act, 26, "close", manager).code == "ticket_in_progress"
    hall.act(26, "no-show", manager)
    assert hall.act(26, "close", manager)["state"] == "closed"
    assert hall.act(26, "open", other)["state"] == "open"
    assert followup.status(hall.store, t["token"])["state"] == "no_show"


def test_a_window_device_presses_only_its_own_clerks_keys(hall):
    pad = Principal(kind="window", hall="demo", window=26)
    assert refused(windows.press, hall.store, "demo", 26, CallerKey.call_next, pad).code == "no_clerk"
    clerk = hall.person("clerk1")
    hall.act(26, "open", clerk)
    hall.issue("tax-general")
    assert refused(windows.press, hall.store, "demo", 26, CallerKey.open, pad).code == "not_paused"
    other_pad = Principal(kind="window", hall="demo", window=21)
    assert refused(windows.press, hall.store, "demo", 26, CallerKey.call_next, other_pad).code == "other_window"
    called = windows.press(hall.store, "demo", 26, CallerKey.call_next, pad)
    assert called["ticket"]["state"] == "called"
    # The call is the clerk's, through the pad.
    log = queries.events(hall.store, "demo", 0, 1000)["events"]
    call = next(e for e in log if e["type"] == "ticket.called")
    assert call["actor"]["id"] == "clerk1" and call["actor"]["via"] == {"kind": "device", "id": "window", "window": 26}


def test_the_guide_desk_cannot_work_a_window(hall):
    assert refused(hall.act, 21, "open", GUIDE_DESK).code == "clerk_only"
    assert refused(hall.act, 21, "open", hall.person("guide1")).code == "clerk_only"
