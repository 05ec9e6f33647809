"""A client that stops reading is dropped once its buffer is full, without holding up the others;
it then resumes with `since` and misses nothing."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import socket
import struct
import time

import httpx

from tests.stream.conftest import Api, Collector, run


def open_raw_stream(port: int, path: str, token: str) -> socket.socket:
    """A websocket handshake on a socket with a tiny receive buffer, after which nobody reads."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nAuthorization: Bearer {token}\r\n\r\n"
        ).encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert head.startswith(b"HTTP/1.1 101"), head
    return s


def read_frames(s: socket.socket) -> tuple[list[dict], int | None]:
    """Everything the server sent: the text messages, and the close code if a close frame came."""
    s.settimeout(5)
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    messages, close, i = [], None, 0
    while i + 2 <= len(data):
        opcode, size = data[i] & 0x0F, data[i + 1] & 0x7F
        i += 2
        if size == 126:
            size, i = struct.unpack(">H", data[i : i + 2])[0], i + 2
        elif size == 127:
            size, i = struct.unpack(">Q", data[i : i + 8])[0], i + 8
        if i + size > len(data):
            break  # cut off by the drop
        payload, i = data[i : i + size], i + size
        if opcode == 1:
            messages.append(json.loads(payload))
        elif opcode == 8:
            close = struct.unpack(">H", payload[:2])[0]
    return messages, close


def test_a_slow_client_is_dropped_without_delaying_the_others(sqlite_url, servers):
    srv = servers(sqlite_url, ws_client_buffer=20, socket_send_buffer=8192)

    async def scenario() -> None:
        api = Api(srv)
        start = await api.last_seq()
        slow = open_raw_stream(srv.port, f"/ws/halls/demo?since={start}", srv.tokens["display"])
        answered: dict[str, float] = {}  # ticket number -> when its issue request was answered
        stop = asyncio.Event()

        async def kiosk() -> None:
            async with httpx.AsyncClient(base_url=srv.url, timeout=10) as http:
                while not stop.is_set():
                    r = await http.post("/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=api.kiosk)
                    assert r.status_code == 201, r.text
                    answered[r.json()["number"]] = time.monotonic()

        async with Collector(srv.hall_stream(since=start)) as fast:
            kiosks = [asyncio.create_task(kiosk()) for _ in range(4)]
            deadline = time.monotonic() + 90
            while (await api.stream_status())["dropped"] == 0:
                assert time.monotonic() < deadline, "the slow client was never dropped"
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.5)  # a little more traffic after the drop
            stop.set()
            await asyncio.gather(*kiosks)
            last = await api.last_seq()
            await fast.until_seq(last)
            assert (await api.stream_status())["clients"] == 1  # only the fast one is left

        # The fast client: every event, in order, once, on its first connection, and promptly.
        assert fast.seqs == list(range(start + 1, last + 1))
        assert fast.stream.connects == 1
        issued_at = {e["data"]["number"]: fast.received[e["seq"]] for e in fast.events if e["type"] == "ticket.issued"}
        lag = max(issued_at[n] - t for n, t in answered.items())
        assert lag < 2.0, f"the fast client got an event {lag:.2f}s after its request was answered"

        # The slow client: an in-order prefix, then the server let go of it.
        got, close = read_frames(slow)
        slow.close()
        seqs = [m["seq"] for m in got if "seq" in m and m.get("type") != "ping"]
        assert seqs == list(range(start + 1, start + 1 + len(seqs)))
        assert seqs[-1] < last and close in (4008, None)
        # ... and resuming from where it stopped gives it the rest.
        async with Collector(srv.hall_stream(since=seqs[-1])) as resumed:
            await resumed.until_seq(last)
        assert resumed.seqs == list(range(seqs[-1] + 1, last + 1))
        await api.close()

    run(scenario())
