"""A citizen's phone follows one ticket: position and ETA go down as the tickets ahead are
called, then the call itself arrives with the window."""

from __future__ import annotations

import asyncio

from queue_server.client import StreamRefused, TicketStream
from tests.stream.conftest import Api, Collector, run


def test_ticket_stream_follows_position_and_eta(sqlite_url, servers):
    srv = servers(sqlite_url)

    async def scenario() -> None:
        api = Api(srv)
        assert (await api.window(26, "open", "clerk1")).status_code == 200
        tickets = [await api.issue("tax-general") for _ in range(4)]
        mine = tickets[-1]
        other = await api.issue("biz-setup")  # another service: its events do not move this ticket
        async with (
            Collector(TicketStream(srv.url, mine["token"])) as phone,
            Collector(TicketStream(srv.url, other["token"])) as other_phone,
        ):
            await phone.until(lambda c: len(c.messages) >= 1)
            await other_phone.until(lambda c: len(c.messages) >= 1)
            first = phone.messages[0]
            assert (first["number"], first["state"], first["position"]) == (mine["number"], "waiting", 3)
            assert first["status_url"].endswith(mine["token"])
            etas = [first["eta_seconds"]]
            for ahead in (2, 1, 0):
                await api.call_and_finish(26, "clerk1")
                await phone.until(lambda c, ahead=ahead: c.messages[-1]["position"] == ahead)
                etas.append(phone.messages[-1]["eta_seconds"])
            assert all(e is not None for e in etas) and etas == sorted(etas, reverse=True) and etas[0] > etas[-1]
            r = await api.window(26, "call-next", "clerk1")
            assert r.json()["ticket"]["number"] == mine["number"]
            await phone.until(lambda c: c.messages[-1]["state"] == "called")
            assert phone.messages[-1]["window"] == 26 and phone.messages[-1]["position"] is None
            await asyncio.sleep(0.3)
            assert len(other_phone.messages) == 1  # nothing of biz-setup changed
        async with TicketStream(srv.url, "x" * 20) as unknown:
            try:
                async for _ in unknown:
                    pass
                raise AssertionError("not refused")
            except StreamRefused as e:
                assert e.code == 4404
        await api.close()

    run(scenario())
