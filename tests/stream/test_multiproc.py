"""Several server processes on one PostgreSQL database share one event sequence: a call made on
one process reaches the stream clients of the other, in seq order, once. On SQLite the server
refuses to run more than one process."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter

import httpx
import pytest

from tests.conftest import need
from tests.stream.conftest import Api, Collector, run
from tests.support import live


@pytest.fixture
def pg_url():
    need(live.postgres_available(), f"PostgreSQL is not reachable at {live.PG_ADMIN_URL}")
    url = live.create_pg_database()
    yield url
    live.drop_pg_database(url)


def test_two_processes_deliver_each_others_events(pg_url, servers):
    a = servers(pg_url)
    b = servers(pg_url, tokens=a.tokens)

    async def scenario() -> None:
        api_a, api_b = Api(a), Api(b)
        for _ in range(40):
            await api_a.issue("biz-setup")
        start = await api_a.last_seq()
        async with Collector(a.hall_stream(since=start)) as on_a, Collector(b.hall_stream(since=start)) as on_b:
            # Windows 21-25 call biz-setup; clerks click on both processes at once, twice each.
            clerks = {21: "clerk1", 22: "clerk2", 23: "clerk3", 25: "clerk5"}
            for i, (window, clerk) in enumerate(clerks.items()):
                api = api_a if i % 2 else api_b
                assert (await api.window(window, "open", clerk)).status_code == 200
            called: list[str] = []

            async def clerk_at(window: int, clerk: str) -> None:
                while True:
                    clicks = [api.window(window, "call-next", clerk) for api in (api_a, api_b, api_a, api_b)]
                    answers = await asyncio.gather(*clicks)
                    ok = [r for r in answers if r.status_code == 200]
                    assert len(ok) <= 1, [r.text for r in answers]
                    if not ok:
                        assert {r.json()["code"] for r in answers} <= {"queue_empty", "ticket_in_progress"}
                        if all(r.json()["code"] == "queue_empty" for r in answers):
                            return
                        continue
                    called.append(ok[0].json()["ticket"]["number"])
                    finish = await (api_b if len(called) % 2 else api_a).window(
                        window, "finish", clerk, {"result": "done"}
                    )
                    assert finish.status_code == 200, finish.text

            await asyncio.gather(*(clerk_at(w, c) for w, c in clerks.items()))
            last = await api_a.last_seq()
            await on_a.until_seq(last)
            await on_b.until_seq(last)

        assert sorted(called) == sorted(set(called)) and len(called) == 40  # nobody called twice
        stored = [(e["seq"], e["type"], e["data"]) for e in await api_b.events(start)]
        for display in (on_a, on_b):
            assert display.seqs == list(range(start + 1, last + 1))
            assert [(e["seq"], e["type"], e["data"]) for e in display.events] == stored
        shown = Counter(e["data"]["number"] for e in on_b.events if e["type"] == "ticket.called")
        assert set(shown) == set(called) and set(shown.values()) == {1}
        statuses = [await api_a.stream_status(), await api_b.stream_status()]
        assert statuses[0]["pid"] != statuses[1]["pid"] and statuses[0]["last_seq"] == statuses[1]["last_seq"] == last
        await api_a.close()
        await api_b.close()

    run(scenario())


def test_workers_share_the_stream(pg_url, servers):
    srv = servers(pg_url, workers=2)

    async def scenario() -> None:
        api = Api(srv)
        start = await api.last_seq()
        pids = set()
        for _ in range(20):  # a new connection each time: the kernel hands it to either worker
            async with httpx.AsyncClient(base_url=srv.url) as http:
                r = await http.get("/api/halls/demo/stream", headers=await api.user("manager1"))
                assert r.status_code == 200, r.text
                pids.add(r.json()["pid"])
        streams = [Collector(srv.hall_stream(since=start)) for _ in range(6)]
        for c in streams:
            await c.__aenter__()
        try:
            assert (await api.window(26, "open", "clerk1")).status_code == 200
            for _ in range(5):
                await api.issue("tax-general")
                await api.call_and_finish(26, "clerk1")
            last = await api.last_seq()
            for c in streams:
                await c.until_seq(last)
                assert c.seqs == list(range(start + 1, last + 1))
        finally:
            for c in streams:
                await c.__aexit__(None, None, None)
        await api.close()
        return pids

    pids = run(scenario())
    print("worker pids", pids)


def test_sqlite_refuses_several_workers(tmp_path):
    env = os.environ | {"HALLQ_DATABASE_URL": f"sqlite:///{tmp_path / 'hallq.db'}", "HALLQ_DATA_DIR": str(tmp_path)}
    r = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "serve", "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert "on SQLite the server runs as one process" in r.stderr and "PostgreSQL" in r.stderr


def test_a_commit_whose_notification_never_left_still_reaches_the_others(pg_url, servers):
    """The notification leaves after the commit: a writer that dies in between sent none. The other
    processes read the event from the log at the hall's next notification, or at their poll."""
    from queue_server.domain.events import HallNotice
    from queue_server.store.db import make_engine
    from queue_server.store.store import Store
    from queue_server.usecases.principal import SYSTEM

    a = servers(pg_url)
    next_notice = servers(pg_url, tokens=a.tokens, event_poll_seconds=600)  # only a notification tells it
    polling = servers(pg_url, tokens=a.tokens, event_poll_seconds=0.3)
    dying = Store(make_engine(pg_url))
    dying.notices = None  # as if the process had died right after its commit

    async def scenario() -> None:
        api_a = Api(a)
        start = await api_a.last_seq()
        async with (
            Collector(next_notice.hall_stream(since=start)) as told,
            Collector(polling.hall_stream(since=start)) as polled,
        ):
            # Notifications reach both (their listeners have connected: a connection reads the log).
            await api_a.issue("biz-setup")
            start = await api_a.last_seq()  # the ticket's events, all of them (a queue.stats follows it)
            await told.until_seq(start, timeout=10)
            await polled.until_seq(start, timeout=10)
            told.messages.clear()
            polled.messages.clear()
            with dying.write("demo") as tx:
                tx.emit(HallNotice(notice="系统维护", live=True), SYSTEM)
            silent = start + 1
            await polled.until_seq(silent, timeout=5)
            await asyncio.sleep(1)
            assert told.seqs == []  # nothing announced it yet
            await api_a.issue("biz-setup")
            await told.until_seq(silent + 1, timeout=5)
            await polled.until_seq(silent + 1, timeout=5)
            for display in (told, polled):  # (an alert may follow the ticket)
                assert display.seqs == list(range(silent, silent + len(display.seqs)))
                assert [e["type"] for e in display.events[:2]] == ["hall.notice", "ticket.issued"]
        await api_a.close()

    try:
        run(scenario())
    finally:
        dying.close()
