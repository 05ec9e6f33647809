"""A rating comes from the citizen (by the ticket's token, which staff never see) or from the rating
device of the window that served the matter; the event's actor says which."""

from __future__ import annotations

import asyncio

import httpx
from websockets.asyncio.client import connect

from tests.support import live


def collect_stream(srv, token: str, since: int) -> list[str]:
    async def read() -> list[str]:
        out = []
        url = srv.url.replace("http://", "ws://") + f"/ws/halls/demo?since={since}"
        async with connect(url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=20) as ws:
            while True:
                try:
                    out.append(await asyncio.wait_for(ws.recv(), 2))
                except TimeoutError:
                    return out

    return asyncio.run(read())


def test_staff_never_see_a_tickets_token_and_only_the_citizen_or_the_windows_pad_rates(server_factory, db_url):
    srv = server_factory(db_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    clerk, guide = srv.login("clerk1"), srv.login("guide1")
    pad26 = {"Authorization": f"Bearer {live.device_token(db_url, 'rating', 26)}"}
    pad27 = {"Authorization": f"Bearer {live.device_token(db_url, 'rating', 27)}"}
    seen: list[str] = []
    with httpx.Client(base_url=srv.url, timeout=30) as c:

        def staff(method: str, path: str, who: dict, **kw) -> httpx.Response:
            r = c.request(method, path, headers=who, **kw)
            assert r.status_code == 200, (path, r.text)
            seen.append(r.text)
            return r

        a = c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk).json()
        b = c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk).json()
        assert a["token"] and a["status_url"].endswith(a["token"])  # the issuer (kiosk) prints it
        staff("POST", "/api/halls/demo/windows/26/open", clerk, json={})
        staff("POST", "/api/halls/demo/windows/26/call-next", clerk, json={})
        staff("GET", "/api/halls/demo/windows/26", clerk)
        staff("GET", f"/api/halls/demo/tickets/{a['number']}", guide)
        staff("POST", "/api/halls/demo/windows/26/start", clerk, json={})
        staff("POST", "/api/halls/demo/windows/26/finish", clerk, json={"result": "done"})
        staff("GET", f"/api/halls/demo/tickets/{a['number']}", clerk)
        staff("POST", "/api/halls/demo/windows/26/call-next", clerk, json={})
        staff("POST", "/api/halls/demo/windows/26/no-show", clerk, json={})
        staff("POST", f"/api/halls/demo/tickets/{b['number']}/reactivate", guide)
        staff("POST", f"/api/halls/demo/tickets/{b['number']}/cancel", guide)
        staff("GET", "/api/halls/demo/board", clerk)
        staff("GET", "/api/halls/demo/events", srv.login("manager1"), params={"limit": 5000})
        seen += collect_stream(srv, clerk["Authorization"][7:], 0)
        for text in seen:
            assert a["token"] not in text and b["token"] not in text, text[:300]

        # The clerk (or any signed-in staff) cannot rate at a window; nor another window's pad.
        body = {"number": a["number"], "score": 4}
        assert c.post("/api/halls/demo/windows/26/rating", json=body, headers=clerk).status_code == 403
        assert c.post("/api/halls/demo/windows/26/rating", json=body, headers=pad27).status_code == 403
        assert c.post("/api/halls/demo/windows/27/rating", json=body, headers=pad27).status_code == 403
        assert c.post("/api/halls/demo/windows/26/rating", json=body, headers=kiosk).status_code == 403
        r = c.post("/api/halls/demo/windows/26/rating", json=body, headers=pad26)
        assert r.status_code == 200, r.text
        again = c.post(f"/api/tickets/{a['token']}/rating", json={"score": 1, "matter": 0})
        assert again.status_code == 409 and again.json()["code"] == "already_rated"

        # The citizen rates a second ticket's matter by its token.
        d = c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk).json()
        for action in ("call-next", "start", "finish"):
            staff("POST", f"/api/halls/demo/windows/26/{action}", clerk, json={})
        assert c.post(f"/api/tickets/{d['token']}/rating", json={"score": 3}).status_code == 200
        events = c.get("/api/halls/demo/events", params={"limit": 5000}, headers=srv.login("manager1")).json()["events"]
    ratings = {e["data"]["number"]: e["actor"] for e in events if e["type"] == "rating.submitted"}
    assert ratings == {
        a["number"]: {"kind": "device", "id": "rating", "window": 26},
        d["number"]: {"kind": "citizen", "id": "ticket"},
    }
