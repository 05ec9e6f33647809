"""A server killed (SIGKILL) and restarted while kiosks issue: the display's client reconnects by
itself and, from the stored log, gets every event once and in order."""

from __future__ import annotations

import asyncio

import httpx

from tests.stream.conftest import Api, Collector, run


def test_restart_in_the_middle_loses_no_stored_event(db_url, servers):
    srv = servers(db_url)

    async def scenario() -> None:
        api = Api(srv)
        start = await api.last_seq()
        acknowledged: list[str] = []
        stop = asyncio.Event()

        async def kiosk() -> None:
            async with httpx.AsyncClient(base_url=srv.url, timeout=5) as http:
                while not stop.is_set():
                    try:
                        r = await http.post(
                            "/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=api.kiosk
                        )
                    except httpx.HTTPError:
                        await asyncio.sleep(0.05)  # the server is down: try again
                        continue
                    if r.status_code == 201:
                        acknowledged.append(r.json()["number"])

        stream = srv.hall_stream(since=start)
        async with Collector(stream) as display:
            kiosks = [asyncio.create_task(kiosk()) for _ in range(3)]
            await display.until(lambda c: len(c.events) >= 30)
            srv.kill()
            await asyncio.sleep(0.3)
            await asyncio.to_thread(srv.start)
            issued_before = len(acknowledged)
            await display.until(lambda c: stream.connects >= 2 and len(acknowledged) >= issued_before + 20)
            stop.set()
            await asyncio.gather(*kiosks)
            last = await api.last_seq()
            await display.until_seq(last)

        stored = await api.events(start)
        assert display.seqs == list(range(start + 1, last + 1))
        assert [(e["seq"], e["type"], e["data"]) for e in display.events] == [
            (e["seq"], e["type"], e["data"]) for e in stored
        ]
        shown = {e["data"]["number"] for e in display.events if e["type"] == "ticket.issued"}
        assert set(acknowledged) <= shown
        assert stream.duplicates == 0
        await api.close()

    run(scenario())
