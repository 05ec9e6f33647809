"""Anonymous clients cannot lock the hall out: connections that never finish their headers, huge
request bodies, websockets by the hundred, expensive QR codes. Each against a live server on loopback."""

from __future__ import annotations

import asyncio
import resource
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import websockets

SLOW = 1150  # more than the usual 1,024-file limit
ISSUE = {"services": ["tax-general"]}


def raise_own_file_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < SLOW + 200 <= hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if resource.getrlimit(resource.RLIMIT_NOFILE)[0] < SLOW + 200:
        pytest.skip(f"this test process may open only {soft} files")


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def issue(srv, client: httpx.Client) -> httpx.Response:
    return client.post(
        f"{srv.url}/api/halls/demo/tickets", json=ISSUE, headers={"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    )


def test_slow_connections_leave_the_hall_served_and_are_closed(sqlite_url, server_factory):
    raise_own_file_limit()
    srv = server_factory(sqlite_url, file_limit=1024, settings={"HALLQ_HEADER_TIMEOUT_SECONDS": "20"})
    slow = []
    try:
        for _ in range(SLOW):
            s = socket.create_connection(("127.0.0.1", srv.port), timeout=10)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # and never the blank line
            slow.append(s)
        with httpx.Client(timeout=10) as c:
            assert c.get(f"{srv.url}/healthz").status_code == 200
            r = issue(srv, c)
            assert r.status_code == 201, r.text
        # The header deadline ends every one of them (generous: a busy machine).
        deadline = time.monotonic() + 90
        for s in slow:
            s.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                assert s.recv(100) == b""
            except ConnectionResetError:
                pass  # aborted: as good as closed
    finally:
        for s in slow:
            s.close()
    with httpx.Client(timeout=10) as c:
        assert issue(srv, c).status_code == 201


def _post_huge(port: int, chunked: bool, size: int = 50 * 1024 * 1024) -> bytes:
    """Sends a 50 MB body to the sign-in route as fast as the server takes it; returns the answer.

    A plain blocking socket, not an asyncio stream: the server answers 413 and closes with the
    body unread, so the kernel resets the connection, and an asyncio transport drops the answer
    it has not read yet when its next write fails. The kernel keeps it: `recv` after the failed
    send still returns it."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        framing = b"Transfer-Encoding: chunked" if chunked else b"Content-Length: %d" % size
        s.sendall(
            b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + framing + b"\r\n\r\n"
        )
        piece = b" " * (1 << 20)
        try:
            for _ in range(size // len(piece)):
                s.sendall(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
        except (TimeoutError, ConnectionError):
            pass  # the server answered and stopped reading
        return s.recv(4096)


def test_huge_bodies_are_refused_before_they_are_read(sqlite_url, server_factory):
    srv = server_factory(sqlite_url)
    with httpx.Client(timeout=10) as c:  # warm: the first requests load what later ones reuse
        for _ in range(3):
            c.post(f"{srv.url}/api/auth/login", json={"username": "nobody", "password": "x" * 10})
    before = rss_kb(srv.proc.pid)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda i: _post_huge(srv.port, chunked=i % 2 == 1), range(8)))
    grown = rss_kb(srv.proc.pid) - before
    for a in answers:
        assert a.startswith(b"HTTP/1.1 413"), a[:300]
        assert b'"code":"body_too_large"' in a, a
    assert grown < 8 * 1024, f"the server grew by {grown} kB"
    with httpx.Client(timeout=10) as c:
        assert issue(srv, c).status_code == 201


async def _close_code(ws) -> int:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), 30)
    except websockets.ConnectionClosed as e:
        return e.rcvd.code if e.rcvd else 1006


def test_websockets_are_capped_per_ticket_and_per_address(sqlite_url, server_factory):
    srv = server_factory(sqlite_url, settings={"HALLQ_WS_FOLLOWERS_PER_TICKET": "3", "HALLQ_WS_PER_ADDRESS": "5"})
    with httpx.Client(timeout=10) as c:
        tokens = [issue(srv, c).json()["token"] for _ in range(2)]
    base = srv.url.replace("http", "ws")

    async def scenario():
        followers = [await websockets.connect(f"{base}/ws/tickets/{tokens[0]}") for _ in range(3)]
        for ws in followers:
            assert '"type":"ticket"' in (await asyncio.wait_for(ws.recv(), 30)).replace(" ", "")
        fourth = await websockets.connect(f"{base}/ws/tickets/{tokens[0]}")
        assert await _close_code(fourth) == 4429  # the ticket has its followers
        others = [await websockets.connect(f"{base}/ws/tickets/{tokens[1]}") for _ in range(2)]
        sixth = await websockets.connect(f"{base}/ws/tickets/{tokens[1]}")
        assert await _close_code(sixth) == 4429  # this address has its five
        await followers[0].close()
        deadline = time.monotonic() + 30
        while True:  # the freed place is taken again (once the server has seen the close)
            again = await websockets.connect(f"{base}/ws/tickets/{tokens[0]}")
            try:
                first = await asyncio.wait_for(again.recv(), 30)
                break
            except websockets.ConnectionClosed:
                assert time.monotonic() < deadline, "a closed follower's place was not freed"
                await asyncio.sleep(0.2)
        assert '"type":"ticket"' in first.replace(" ", "")
        for ws in followers[1:] + others + [again]:
            await ws.close()

    asyncio.run(scenario())


def test_qr_codes_are_bounded(sqlite_url, server_factory):
    srv = server_factory(sqlite_url)
    with httpx.Client(base_url=srv.url, timeout=10) as c:
        r = c.get("/qr.svg", params={"data": "x" * 500})
        assert r.status_code == 422 and r.json()["code"] == "invalid_request", r.status_code
        link = f"{srv.url}/t/{'a' * 40}"
        first, again = c.get("/qr.svg", params={"data": link}), c.get("/qr.svg", params={"data": link})
        assert first.status_code == again.status_code == 200
        assert first.content == again.content and first.content.startswith(b"<?xml")
