"""No credential in a URL, none in the server's log: websocket clients give their token in the
handshake (a header, or a browser's subprotocol), pages take theirs from the address's fragment, and
every line the server writes has tokens cut out. The server runs at INFO, access log on."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest
from websockets.asyncio.client import connect

from queue_server.client import HallStream


@pytest.fixture
def logging_server(server_factory, sqlite_url):
    return server_factory(sqlite_url, settings={"HALLQ_LOG_LEVEL": "INFO"})


async def first_message(url: str, **kw) -> dict:
    async with connect(url, open_timeout=20, **kw) as ws:
        return json.loads(await asyncio.wait_for(ws.recv(), 20))


def test_tokens_travel_in_the_handshake_and_never_reach_the_log(logging_server):
    srv = logging_server
    ws = srv.url.replace("http://", "ws://") + "/ws/halls/demo"
    display, kiosk = srv.tokens["display"], srv.tokens["kiosk"]
    session = srv.login("clerk1")
    user_token = session["Authorization"].split()[1]
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        ticket = c.post(
            "/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers={"Authorization": f"Bearer {kiosk}"}
        ).json()
        assert c.get(f"/api/tickets/{ticket['token']}").status_code == 200
        assert c.get(f"/t/{ticket['token']}").status_code == 200
        assert c.get("/board.html", params={"hall": "demo", "token": display}).status_code == 200  # a careless link
        assert c.get("/api/auth/me", headers=session).status_code == 200

    async def streams() -> None:
        # A Python client: the Authorization header.
        assert (await first_message(ws, additional_headers={"Authorization": f"Bearer {display}"}))[
            "type"
        ] == "snapshot"
        # A browser: the subprotocols, and the server picks 'hallq'.
        async with connect(ws, subprotocols=["hallq", f"bearer.{user_token}"], open_timeout=20) as conn:
            assert conn.subprotocol == "hallq"
            assert json.loads(await asyncio.wait_for(conn.recv(), 20))["type"] == "snapshot"
        # The address no longer carries a credential: ?token= is refused.
        refused = await first_message(f"{ws}?token={display}")
        assert refused["type"] == "error" and refused["code"] == "unauthorized"
        async with HallStream(srv.url, "demo", token=kiosk, since=0) as stream:
            async for msg in stream:
                assert "seq" in msg
                break

    asyncio.run(streams())
    time.sleep(0.5)
    srv.stop()
    text = srv.log_path.read_text(errors="replace")
    assert '"WebSocket /ws/halls/demo' in text and "GET /api/tickets/" in text  # the log was written at all
    for secret in (display, kiosk, user_token, ticket["token"]):
        assert secret not in text, (
            f"a credential in the log: …{text[max(0, text.find(secret) - 200) : text.find(secret) + 50]}"
        )
