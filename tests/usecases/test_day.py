"""The day boundary: yesterday's open tickets expire, windows left open close, numbering restarts."""

from __future__ import annotations

from datetime import datetime

from queue_server.usecases import followup, queries


def test_the_next_business_day_starts_clean(hall):
    hall.clock.at = datetime.fromisoformat("2026-11-24T16:00:00+08:00")
    t = hall.issue("biz-setup")
    # Two clerks go home without closing their windows: one open, one paused.
    hall.act(21, "open", hall.person("clerk1"))
    clerk2 = hall.person("clerk2")
    hall.act(22, "open", clerk2)
    hall.act(22, "pause", clerk2, reason="会议")

    hall.clock.at = datetime.fromisoformat("2026-11-25T10:00:00+08:00")
    assert followup.expire_past_days(hall.store, "demo") == 1
    assert followup.status(hall.store, t["token"])["state"] == "expired"
    assert hall.issue("biz-setup")["number"] == "A001"
    board = queries.board(hall.store, "demo")
    assert {w["number"]: w["state"] for w in board["windows"] if w["number"] in (21, 22)} == {
        21: "closed",
        22: "closed",
    }
    log = queries.events(hall.store, "demo", 0, 5000)["events"]
    closed = [e for e in log if e["type"] == "window.state" and e["actor"]["kind"] == "system"]
    assert sorted(e["data"]["window"] for e in closed) == [21, 22]
    # The morning's clerk signs in at the window yesterday's clerk left open.
    assert hall.act(21, "open", hall.person("clerk3"))["state"] == "open"
    assert followup.expire_past_days(hall.store, "demo") == 0
