"""Every kind of alert on a live server (SQLite and PostgreSQL), each raised once per episode,
cleared when its condition ends, acknowledged by a manager, and not repeated after a restart."""

from __future__ import annotations

import time

import httpx

from tests.support import live

SHORT = 2.0  # seconds: the test hall's time thresholds


def wait_for(fn, timeout: float = 8.0, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(every)


def keys(events: list[dict]) -> list[str]:
    return [e["data"]["key"] for e in events]


def test_each_kind_raised_once_cleared_and_acknowledged(db_url, alert_server):
    api = alert_server(
        db_url,
        wait_minutes=60,
        queue_waiting=2,
        idle_minutes=SHORT / 60,
        break_minutes=SHORT / 60,
        service_minutes={"tax-general": SHORT / 60},
    )
    t0 = time.monotonic()

    # queue_unstaffed: three waiting for property-query (more than 2) and no window open for it.
    tickets = [api.issue("property-query") for _ in range(3)]
    raised = wait_for(lambda: api.alerts("queue_unstaffed"), 5)
    assert keys(raised) == ["queue:property-query"] and raised[0]["data"]["waiting"] == 3
    assert time.monotonic() - t0 < 5

    # window_idle: window 4 (property-query) opens and does not call for SHORT seconds. The queue alert
    # ends at once: a window is open for property-query now.
    opened = time.monotonic()
    api.window(4, "open", "clerk1")
    assert keys(wait_for(lambda: api.alerts(type_="alert.cleared"), 5)) == ["queue:property-query"]
    idle = wait_for(lambda: api.alerts("window_idle"))
    assert keys(idle) == ["idle:4"] and time.monotonic() - opened >= SHORT
    api.window(4, "call-next", "clerk1")
    assert "idle:4" in keys(
        wait_for(lambda: [e for e in api.alerts(type_="alert.cleared") if e["data"]["key"] == "idle:4"])
    )

    # service_long: window 26 serves a tax ticket for longer than its SHORT limit, then finishes.
    tax = api.issue("tax-general")
    api.window(26, "open", "clerk2")
    api.window(26, "call-next", "clerk2")
    started = time.monotonic()
    api.window(26, "start", "clerk2")
    long_ = wait_for(lambda: api.alerts("service_long"))
    assert keys(long_) == [f"service:26:{tax['id']}"] and time.monotonic() - started >= SHORT - 0.05
    api.window(26, "finish", "clerk2", {"result": "done"})

    # rating_low: a 2 (不满意, a 差评 with its reason); it stays until acknowledged.
    r = api.http.post(f"/api/tickets/{tax['token']}/rating", json={"score": 2, "reason": "slow"})
    assert r.status_code == 200, r.text
    low = wait_for(lambda: api.alerts("rating_low"), 3)
    assert keys(low) == [f"rating:{tax['id']}:0"] and low[0]["data"]["clerk"] == "clerk2"

    # break_long: window 4 pauses (after finishing its ticket) for longer than SHORT.
    api.window(4, "finish", "clerk1", {"result": "done"})
    api.window(4, "pause", "clerk1", {"reason": "休息"})
    brk = wait_for(lambda: api.alerts("break_long"))
    assert keys(brk) == ["break:4"] and brk[0]["data"]["reason"] == "休息"

    # device_trouble: the kiosk's printer runs out of paper, then gets a new roll.
    api.device("kiosk-1.printer", "paper_out", "缺纸")
    dev = wait_for(lambda: api.alerts("device_trouble"), 3)
    assert keys(dev) == ["device:kiosk-1.printer"] and dev[0]["data"]["level"] == "critical"
    api.device("kiosk-1.printer", "ok")
    assert wait_for(
        lambda: [e for e in api.alerts(type_="alert.cleared") if e["data"]["key"] == "device:kiosk-1.printer"], 3
    )

    # Each episode once, however many checks ran meanwhile.
    time.sleep(2.5)
    raised = api.alerts()
    assert sorted(keys(raised)) == sorted(
        [
            "queue:property-query",
            "idle:4",
            f"service:26:{tax['id']}",
            f"rating:{tax['id']}:0",
            "break:4",
            "device:kiosk-1.printer",
        ]
    )
    cleared = {e["data"]["key"] for e in api.alerts(type_="alert.cleared")}
    assert f"service:26:{tax['id']}" in cleared and "break:4" not in cleared  # still paused
    assert f"rating:{tax['id']}:0" not in cleared  # a rating is never "over"

    # The alert list and acknowledgement.
    manager = api.user("manager1")
    listed = api.http.get("/api/halls/demo/alerts", params={"only": "active"}, headers=manager).json()["alerts"]
    assert {a["key"] for a in listed} == {"break:4", f"rating:{tax['id']}:0"}
    rating_alert = next(a for a in listed if a["kind"] == "rating_low")
    ack = api.http.post(f"/api/halls/demo/alerts/{rating_alert['id']}/ack", json={"note": "已回访"}, headers=manager)
    assert ack.status_code == 200 and ack.json()["acknowledged"] and ack.json()["note"] == "已回访"
    again = api.http.post(f"/api/halls/demo/alerts/{rating_alert['id']}/ack", headers=manager)
    assert again.status_code == 200 and again.json()["acknowledged_at"] == ack.json()["acknowledged_at"]
    assert len(api.alerts(type_="alert.acknowledged")) == 1
    unacked = api.http.get("/api/halls/demo/alerts", params={"only": "unacknowledged"}, headers=manager).json()[
        "alerts"
    ]
    assert rating_alert["id"] not in {a["id"] for a in unacked} and len(unacked) == 5
    missing = api.http.post(f"/api/halls/demo/alerts/{tickets[0]['id'] + 10_000}/ack", headers=manager)
    assert missing.status_code == 404 and missing.json()["code"] == "alert_not_found"
    not_alert = api.http.post("/api/halls/demo/alerts/1/ack", headers=manager)  # seq 1 is a ticket.issued
    assert not_alert.status_code == 404
    clerk = api.http.post(f"/api/halls/demo/alerts/{rating_alert['id']}/ack", headers=api.user("clerk1"))
    assert clerk.status_code == 403

    # A restart forgets nothing and repeats nothing: the open alerts are read back from the log.
    before = len(api.events())
    api.srv.clock = api.http.get("/healthz").json()["now"]  # the hall's clock runs on across the restart
    api.srv.stop()
    api.srv.start()
    api.http = httpx.Client(base_url=api.srv.url, timeout=30)
    api._users.clear()
    time.sleep(2.5)
    after = api.events()
    assert [e["type"] for e in after[before:] if e["type"].startswith("alert.")] == []
    assert sorted(keys(api.alerts())) == sorted(keys(raised))


def test_dashboard_figures_and_manager_only(sqlite_url, alert_server):
    api = alert_server(sqlite_url)
    api.window(26, "open", "clerk2")
    first = api.issue("tax-general")
    api.issue("tax-general")
    api.window(26, "call-next", "clerk2")
    api.window(26, "start", "clerk2")
    time.sleep(1.1)
    api.window(26, "finish", "clerk2", {"result": "unresolved", "reason": "材料不全"})
    api.http.post(f"/api/tickets/{first['token']}/rating", json={"score": 4})
    for who in ("clerk1", "guide1"):
        assert api.http.get("/api/halls/demo/supervision", headers=api.user(who)).status_code == 403
    assert api.http.get("/api/halls/demo/supervision").status_code == 401
    assert (
        api.http.get(
            "/api/halls/demo/supervision", headers={"Authorization": f"Bearer {api.tokens['display']}"}
        ).status_code
        == 403
    )
    d = api.http.get("/api/halls/demo/supervision", headers=api.user("manager1")).json()
    tax = next(s for s in d["services"] if s["code"] == "tax-general")
    assert tax["waiting"] == 1 and tax["served"] == 1 and tax["unresolved"] == 1 and tax["windows_open"] == 1
    assert tax["longest_wait_s"] >= 1 and tax["eta_seconds"] is not None
    assert tax["service_avg_s"] >= 1.0 and tax["satisfaction"] == 1.0
    w26 = next(w for w in d["windows"] if w["number"] == 26)
    assert w26["state"] == "open" and w26["clerk"] == "测试员2" and w26["served"] == 1 and w26["ticket"] is None
    assert d["totals"]["tickets"] == 2 and d["totals"]["waiting"] == 1 and d["totals"]["windows_open"] == 1
    assert d["hours"] == [
        {
            "hour": 10,
            "issued": 2,
            "called": 1,
            "served": 1,
            "wait_avg_s": d["hours"][0]["wait_avg_s"],
            "wait_max_s": d["hours"][0]["wait_max_s"],
        }
    ]
    assert d["day"] == "2026-11-24" and d["seq"] >= 8 and d["thresholds"]["wait_minutes"] == 30
    assert live.CLOCK[:10] == d["now"][:10]
