"""`hallq ship-log`: carries a hall's event log from the hall's own server (a township's, on its LAN)
to the city's, in seq order and each event once.

The township's log is the only buffer: the shipper keeps nothing but the city's last seq, which it
asks the city for whenever it (re)connects. So a link down for a day loses nothing, a shipper killed
at any moment starts again where the city stands, and a batch sent twice (its answer lost) is
recognised by the city. It follows the township's stream for what happens now and reads the
township's stored log (`/events`) for anything the stream does not replay (far behind, a snapshot
instead, or a gap)."""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any

import httpx

from .client import HallStream, StreamRefused
from .usecases.shipping import MAX_EVENTS

log = logging.getLogger(__name__)

MAX_BYTES = 128 * 1024


class Refused(Exception):
    """A refusal waiting does not cure: a wrong or revoked token, a hall the other side does not
    have, or a city holding other events for this hall than the township. Somebody must look."""


class Shipper:
    def __init__(
        self,
        hall: str,
        source: str,
        source_token: str,
        city: str,
        city_token: str,
        backoff: tuple[float, float] = (0.5, 30.0),
    ):
        self.hall = hall
        self.source, self.city = source.rstrip("/"), city.rstrip("/")
        self.source_token, self.city_token = source_token, city_token
        self.backoff = backoff
        self.shipped = 0  # the city's last seq, as last heard
        self.connected = asyncio.Event()  # the city answered since the last failure

    async def run(self) -> None:
        delay = self.backoff[0]
        while True:
            try:
                await self._ship()
            except (httpx.HTTPError, OSError) as e:
                log.warning("hall %s: link down (%s); shipped up to %d", self.hall, e, self.shipped)
            except (Refused, StreamRefused) as e:
                log.error("hall %s: %s; retrying slowly until it is resolved", self.hall, e)
                delay = self.backoff[1]
            if self.connected.is_set() and delay < self.backoff[1]:
                delay = self.backoff[0]  # it was working: a fresh failure retries soon
            self.connected.clear()
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, self.backoff[1])

    async def _ship(self) -> None:
        async with (
            httpx.AsyncClient(base_url=self.source, headers=_bearer(self.source_token), timeout=30) as source,
            httpx.AsyncClient(base_url=self.city, headers=_bearer(self.city_token), timeout=30) as city,
        ):
            self.shipped = _checked(await city.get(f"/api/halls/{self.hall}/shipped-events"))["last_seq"]
            self.connected.set()
            await self._same_start(source, city)
            await self._catch_up(source, city)
            live: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
            stream = HallStream(self.source, self.hall, token=self.source_token, since=self.shipped)
            follow = asyncio.create_task(_follow(stream, live))
            try:
                while True:
                    batch = [await _next(live, follow)]
                    while not live.empty() and len(batch) < MAX_EVENTS:
                        batch.append(live.get_nowait())
                    new = [e for e in batch if e["seq"] > self.shipped]
                    run = _contiguous(new, self.shipped)
                    if run:
                        await self._post(city, run)
                    if len(run) < len(new):  # a gap the stream skipped: the stored log has it
                        await self._catch_up(source, city)
            finally:
                await stream.close()
                follow.cancel()
                await asyncio.gather(follow, return_exceptions=True)

    async def _same_start(self, source: httpx.AsyncClient, city: httpx.AsyncClient) -> None:
        """The city's last event is the township's too: sent again, the city checks it is the same.
        A township restored from an older backup (or rebuilt) would otherwise go on from the city's
        last seq with other events under the seqs before it."""
        if self.shipped == 0:
            return
        params = {"since": self.shipped - 1, "limit": 1}
        last = _checked(await source.get(f"/api/halls/{self.hall}/events", params=params))["events"]
        if not last or last[0]["seq"] != self.shipped:
            raise Refused(
                f"this hall's log ends before the city's (event {self.shipped}): restored from an older backup?"
            )
        await self._post(city, last)

    async def _catch_up(self, source: httpx.AsyncClient, city: httpx.AsyncClient) -> None:
        """Everything the township has stored after the city's last seq."""
        while True:
            page = _checked(
                await source.get(f"/api/halls/{self.hall}/events", params={"since": self.shipped, "limit": MAX_EVENTS})
            )
            if not page["events"]:
                return
            await self._post(city, page["events"])

    async def _post(self, city: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
        for chunk in _by_size([{k: e[k] for k in ("seq", "type", "ts", "actor", "data")} for e in events]):
            await self._post_chunk(city, chunk)

    async def _post_chunk(self, city: httpx.AsyncClient, events: list[dict[str, Any]]) -> None:
        r = await city.post(f"/api/halls/{self.hall}/shipped-events", json={"events": events})
        if r.status_code == 409:
            code = r.json().get("code")
            if code == "seq_gap":  # the city has less than it said (restored from a backup): ask again
                self.shipped = _checked(await city.get(f"/api/halls/{self.hall}/shipped-events"))["last_seq"]
                raise httpx.HTTPError(f"the city expected another event ({r.json().get('message_en')})")
            raise Refused(r.json().get("message_en", r.text))
        self.shipped = _checked(r)["last_seq"]


async def _follow(stream: HallStream, into: asyncio.Queue) -> None:
    async for msg in stream:
        if msg.get("type") != "snapshot" and "seq" in msg:
            into.put_nowait(msg)


async def _next(live: asyncio.Queue, follow: asyncio.Task) -> dict[str, Any]:
    """The next streamed event; the stream's own failure (refused, say) ends the wait with it."""
    get = asyncio.ensure_future(live.get())
    await asyncio.wait({get, follow}, return_when=asyncio.FIRST_COMPLETED)
    if get.done():
        return get.result()
    get.cancel()
    follow.result()  # raises what ended the stream
    raise httpx.HTTPError("the township's stream ended")


def _by_size(events: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Requests well under the city's body limit (256 KB by default) however long the events'
    texts, and of at most MAX_EVENTS events."""
    chunks: list[list[dict[str, Any]]] = [[]]
    size = 0
    for e in events:
        n = len(json.dumps(e, ensure_ascii=False).encode())
        if chunks[-1] and (size + n > MAX_BYTES or len(chunks[-1]) >= MAX_EVENTS):
            chunks.append([])
            size = 0
        chunks[-1].append(e)
        size += n
    return [c for c in chunks if c]


def _contiguous(events: list[dict[str, Any]], after: int) -> list[dict[str, Any]]:
    run = []
    for e in events:
        if e["seq"] != after + 1:
            break
        run.append(e)
        after = e["seq"]
    return run


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _checked(r: httpx.Response) -> dict[str, Any]:
    if r.status_code in (401, 403, 404):
        raise Refused(f"refused by {r.request.url.host}: {r.status_code} {r.text[:200]}")
    r.raise_for_status()
    return r.json()
