"""A manager changes the hall's notice while it runs: the boards, the hall info and the audit
trail follow; blank text goes back to the configured notice."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def srv(db_url, server_factory):
    return server_factory(db_url)


def test_a_manager_sets_and_clears_the_live_notice(srv):
    c = httpx.Client(base_url=srv.url, timeout=10)
    configured = c.get("/api/halls/demo/board").json()["notice"]
    assert "政务夜办" in configured
    manager = srv.login("manager1")
    assert c.get("/api/halls/demo/notice", headers=manager).json() == {"notice": configured, "live": False}

    text = "系统升级：不动产登记暂停受理至 15:00 / Property registration paused until 15:00"
    r = c.put("/api/halls/demo/notice", json={"text": f"  {text} "}, headers=manager)
    assert r.status_code == 200, r.text
    assert r.json() == {"notice": text, "live": True}
    assert c.get("/api/halls/demo/board").json()["notice"] == text
    assert c.get("/api/halls/demo").json()["notice"] == text  # the hall info the kiosk reads
    assert c.get("/api/halls/demo/notice", headers=manager).json() == {"notice": text, "live": True}

    cleared = c.put("/api/halls/demo/notice", json={"text": ""}, headers=manager)
    assert cleared.status_code == 200 and cleared.json() == {"notice": configured, "live": False}
    assert c.get("/api/halls/demo/board").json()["notice"] == configured

    events = [
        e for e in c.get("/api/halls/demo/events", headers=manager).json()["events"] if e["type"] == "hall.notice"
    ]
    assert [e["data"] for e in events] == [{"notice": text, "live": True}, {"notice": configured, "live": False}]
    assert all(e["actor"]["kind"] == "manager" and e["actor"]["id"] == "manager1" for e in events)


def test_only_a_manager_may_and_the_text_is_limited(srv):
    c = httpx.Client(base_url=srv.url, timeout=10)
    for headers in (
        srv.login("clerk1"),
        {"Authorization": f"Bearer {srv.tokens['kiosk']}"},
        {"Authorization": f"Bearer {srv.tokens['display']}"},
    ):
        r = c.put("/api/halls/demo/notice", json={"text": "闭馆"}, headers=headers)
        assert r.status_code == 403 and r.json()["code"] == "forbidden"
    assert c.put("/api/halls/demo/notice", json={"text": "闭馆"}).status_code == 401

    manager = srv.login("manager1")
    for body in ({"text": "长" * 201}, {"text": "a\x00b"}, {}, {"text": "ok", "extra": 1}):
        r = c.put("/api/halls/demo/notice", json=body, headers=manager)
        assert r.status_code == 422, (body, r.text)
        err = r.json()
        assert err["code"] == "invalid_request" and err["message"] and err["message_en"]
    assert c.put("/api/halls/demo/notice", json={"text": "长" * 200}, headers=manager).status_code == 200
    events = c.get("/api/halls/demo/events", headers=manager).json()["events"]
    assert [e["data"]["notice"] for e in events if e["type"] == "hall.notice"] == ["长" * 200]
