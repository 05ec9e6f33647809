"""Invariant 3 for displays: a client that reconnects with `since` gets exactly what it missed,
in order, once; a client too far behind gets a snapshot first; topics filter the stream."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from queue_server.client import HallStream, StreamRefused
from tests.stream.conftest import Api, Collector, run


def strip(events: list[dict]) -> list[dict]:
    return [{k: e[k] for k in ("seq", "type", "data", "actor")} for e in events]


def test_reconnect_with_since_gets_exactly_the_50_missed_calls(db_url, servers):
    # 50 calls and finishes make 200 events: more than the 120 kept in memory, so the client that
    # left before them is replayed from the stored log, one that left later from memory.
    srv = servers(db_url, ws_replay_cache=120)

    async def scenario() -> None:
        api = Api(srv)
        for _ in range(50):
            await api.issue("tax-general")
        start = await api.last_seq()
        async with Collector(srv.hall_stream(since=start)) as first:
            assert (await api.window(26, "open", "clerk1")).status_code == 200
            await first.until_seq(await api.last_seq())
            left_at = first.stream.last_seq
        assert left_at > start and any(e["type"] == "window.state" for e in first.events)

        numbers = [(await api.call_and_finish(26, "clerk1"))["number"] for _ in range(50)]  # while away
        last = await api.last_seq()
        assert last - left_at >= 200, last - left_at

        async with Collector(srv.hall_stream(since=left_at)) as again:
            await again.until_seq(last)
            assert again.stream.connects == 1
        stored = await api.events(left_at)
        assert again.seqs == list(range(left_at + 1, last + 1))  # every one, in order, once
        assert strip(again.events) == strip(stored)  # the very events of the log
        calls = [e["data"]["number"] for e in again.events if e["type"] == "ticket.called"]
        assert calls == numbers and len(set(calls)) == 50  # exactly the 50 calls, in order
        assert again.stream.duplicates == 0
        async with Collector(srv.hall_stream(since=last - 100)) as recent:  # within the memory
            await recent.until_seq(last)
        assert recent.seqs == list(range(last - 99, last + 1))
        assert strip(recent.events) == strip(stored[-100:])
        await api.close()

    run(scenario())


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    """One SQLite server for the tests below (each works from the seq it finds)."""
    from tests.stream.conftest import StreamServer
    from tests.support import live

    tmp = tmp_path_factory.mktemp("stream")
    url = f"sqlite:///{tmp / 'hallq.db'}"
    server = StreamServer(
        db_url=url,
        data_dir=tmp,
        tokens=live.prepare(url),
        extra={"HALLQ_SNAPSHOT_AFTER": "20", "HALLQ_WS_HEARTBEAT_SECONDS": "0.3", "HALLQ_WS_PING_SECONDS": "1"},
    )
    yield server.start()
    server.stop()


def test_far_behind_gets_a_snapshot_then_live_events(srv):

    async def scenario() -> None:
        api = Api(srv)
        for _ in range(15):
            await api.issue("tax-general")  # 30 events
        last = await api.last_seq()
        async with Collector(srv.hall_stream(since=0)) as late, Collector(srv.hall_stream(since=last - 10)) as near:
            await late.until(lambda c: bool(c.messages))
            first = late.messages[0]
            # The alert engine may add events of its own at any moment: everything is relative to the
            # snapshot's seq, and what follows it must be gap-free and without repeats.
            base = first["seq"]
            assert first["type"] == "snapshot" and base >= last
            assert first["board"]["seq"] == base and first["board"]["services"]
            issued = await api.issue("tax-general")
            await late.until(
                lambda c: any(e["type"] == "ticket.issued" and e["data"]["id"] == issued["id"] for e in c.events)
            )
            end = late.seqs[-1]
            await near.until_seq(end)
            assert late.seqs == list(range(base + 1, end + 1))
            assert near.messages[0]["type"] != "snapshot" and near.seqs[: end - last + 10] == list(
                range(last - 9, end + 1)
            )
        async with Collector(srv.hall_stream(since=None)) as fresh:  # no since: the board first
            await fresh.until(lambda c: bool(c.messages))
            assert fresh.messages[0]["type"] == "snapshot" and fresh.messages[0]["seq"] >= end
        await api.close()

    run(scenario())


def test_topics_and_heartbeats(srv):

    async def scenario() -> None:
        api = Api(srv)
        await api.window(26, "open", "clerk1")
        start = await api.last_seq()
        stream = srv.hall_stream(since=start, topics=["ticket.called", "window"])
        async with Collector(stream) as only_calls:
            for _ in range(3):
                await api.issue("tax-general")
            await api.call_and_finish(26, "clerk1")
            await only_calls.until(lambda c: any(e["type"] == "ticket.called" for e in c.events))
            await asyncio.sleep(1.0)  # idle: pings carry the seq to resume from
            assert {e["type"] for e in only_calls.events} == {"ticket.called"}
            assert stream.last_seq == await api.last_seq()  # advanced past the filtered events
        url = srv.url.replace("http://", "ws://") + f"/ws/halls/demo?since={start}"
        async with websockets.connect(
            url, additional_headers={"Authorization": f"Bearer {srv.tokens['display']}"}
        ) as ws:
            await ws.send('{"type": "ping"}')
            kinds = set()
            while "pong" not in kinds:
                kinds.add(json.loads(await asyncio.wait_for(ws.recv(), 5))["type"])
        await api.close()

    run(scenario())


def test_refusals(srv):

    async def refused(**kw) -> int:
        try:
            async for _ in HallStream(srv.url, kw.pop("hall", "demo"), **kw):
                pass
        except StreamRefused as e:
            return e.code
        raise AssertionError("not refused")

    async def scenario() -> None:
        api = Api(srv)
        assert await refused(token="not-a-token") == 4401
        assert await refused(token=srv.tokens["display"], hall="nowhere") == 4403  # a device belongs to its hall
        clerk = (await api.user("clerk1"))["Authorization"][7:]
        async with Collector(HallStream(srv.url, "demo", token=clerk, since=0)) as c:  # a user token is fine
            # This server snapshots a client more than 20 events behind: the ticket must come after
            # the snapshot, or the snapshot holds it and no event of it follows.
            await c.until(lambda c: bool(c.messages))
            await api.issue()
            await c.until(lambda c: len(c.events) >= 2)
            status = await api.stream_status()
            assert status["clients"] == status["written_directly"] == 1  # the hub writes its frames itself
        bad = srv.url.replace("http://", "ws://") + "/ws/halls/demo?since=abc"
        async with websockets.connect(
            bad, additional_headers={"Authorization": f"Bearer {srv.tokens['display']}"}
        ) as ws:
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await ws.recv()
            assert closed.value.rcvd.code == 4400
        await api.close()

    run(scenario())


def test_a_client_that_stops_answering_is_cleaned_up(srv):
    """No pong to the server's pings: the server closes the connection and forgets the client."""
    from tests.stream.test_slow_client import open_raw_stream

    async def scenario() -> None:
        api = Api(srv)
        before = (await api.stream_status())["clients"]
        silent = open_raw_stream(srv.port, f"/ws/halls/demo?since={await api.last_seq()}", srv.tokens["display"])
        try:
            deadline = asyncio.get_running_loop().time() + 20
            seen = set()
            while True:
                clients = (await api.stream_status())["clients"]
                seen.add(clients)
                if before + 1 in seen and clients == before:
                    break
                assert asyncio.get_running_loop().time() < deadline, f"still {clients} clients"
                await asyncio.sleep(0.2)
        finally:
            silent.close()
        await api.close()

    run(scenario())


def test_stream_thread_for_code_without_asyncio(srv):
    """The kiosk's way: a background thread calls back with each message."""
    import threading

    from queue_server.client import StreamThread

    async def current() -> int:
        api = Api(srv)
        seq = await api.last_seq()
        await api.close()
        return seq

    start = run(current())
    got: list[dict] = []
    arrived = threading.Event()

    def on_message(msg: dict) -> None:
        got.append(msg)
        if len(got) >= 2:
            arrived.set()

    follower = StreamThread(
        lambda: HallStream(srv.url, "demo", token=srv.tokens["kiosk"], since=start), on_message
    ).start()
    try:

        async def issue() -> None:
            api = Api(srv)
            await api.issue("tax-general")
            await api.close()

        run(issue())
        assert arrived.wait(15)
    finally:
        follower.stop()
    assert [m["seq"] for m in got[:2]] == [start + 1, start + 2] and got[0]["type"] == "ticket.issued"
