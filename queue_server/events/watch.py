"""Followers of single tickets (a citizen's phone): a ticket's view is recomputed when an event
touches its service or the ticket itself.

Per hall, the recomputations are coalesced: while one read runs, further events only mark
tickets dirty, and the next read covers them all, however many phones follow the hall."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from ..domain.events import QueueStats, Recorded, WindowState
from .hub import Hub

log = logging.getLogger(__name__)

# compute(hall, ticket ids) -> {ticket id: view}; runs on the event log's threads.
Compute = Callable[[str, list[int]], dict[int, dict]]


class Follower:
    """One follower of one ticket: the latest view and a flag raised when it changed."""

    def __init__(self, ticket_id: int):
        self.ticket_id = ticket_id
        self.service: str | None = None  # unknown until the first view: every event touches it
        self.view: dict | None = None
        self.seq = 0
        self.changed = asyncio.Event()

    def offer(self, view: dict, seq: int) -> None:
        self.service = view.get("service")
        if view != self.view:
            self.view, self.seq = view, seq
            self.changed.set()


def touched_services(ev: Recorded) -> set[str] | None:
    """The services whose queue an event may change; None: all of them."""
    if ev.kind is WindowState:  # windows opening or closing change every ETA they serve
        return None
    data = ev.data
    services: set[str] = {s for s in (data.get("service"), data.get("next_service")) if s is not None}
    if ev.kind is QueueStats:
        services.update(data)
    return services


class _HallFollowers:
    def __init__(self, hall: str, hub: Hub, compute: Compute):
        self.hall = hall
        self.hub = hub
        self.compute = compute
        self.by_ticket: dict[int, set[Follower]] = {}
        self.dirty: set[int] = set()
        self.task: asyncio.Task | None = None

    def on_event(self, ev: Recorded) -> None:
        if not self.by_ticket:
            return
        services = touched_services(ev)
        ticket = ev.data.get("id")
        for tid, followers in self.by_ticket.items():
            service = next(iter(followers)).service
            if services is None or service is None or service in services or tid == ticket:
                self.dirty.add(tid)
        self.schedule()

    def mark_all(self) -> None:
        self.dirty.update(self.by_ticket)
        self.schedule()

    def schedule(self) -> None:
        if self.dirty and (self.task is None or self.task.done()):
            self.task = asyncio.get_running_loop().create_task(self._recompute())

    async def _recompute(self) -> None:
        while self.dirty:
            ids = sorted(tid for tid in self.dirty if tid in self.by_ticket)
            self.dirty.clear()
            if not ids:
                return
            seq = self.hub.channels[self.hall].last
            try:
                views = await self.hub.log.run(self.compute, self.hall, ids)
            except Exception:  # noqa: BLE001 - the next event or refresh tries again
                log.warning("hall %s: recomputing ticket views failed", self.hall, exc_info=True)
                return
            for tid in ids:
                view = views.get(tid)
                for f in self.by_ticket.get(tid, ()):
                    if view is not None:
                        f.offer(view, seq)


class TooManyFollowers(Exception):
    pass


class TicketWatch:
    def __init__(self, hub: Hub, compute: Compute, refresh: float = 30.0):
        self.hub = hub
        self.compute = compute
        self.refresh = refresh  # appointment windows open with time alone: look again now and then
        self.halls: dict[str, _HallFollowers] = {}
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._refreshes())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for hf in self.halls.values():
            if hf.task:
                hf.task.cancel()

    async def follow(self, hall: str, ticket_id: int, limit: int | None = None) -> Follower:
        """Registers a follower; its first view arrives like any later one (`changed`). At most
        `limit` followers per ticket: a printed token would otherwise admit any number."""
        hf = self.halls.get(hall)
        if limit is not None and hf is not None and len(hf.by_ticket.get(ticket_id, ())) >= limit:
            raise TooManyFollowers(limit)
        channel = await self.hub.channel(hall)
        hf = self.halls.get(hall)
        if hf is None:
            hf = self.halls[hall] = _HallFollowers(hall, self.hub, self.compute)
            channel.listeners.append(hf.on_event)
        f = Follower(ticket_id)
        hf.by_ticket.setdefault(ticket_id, set()).add(f)
        hf.dirty.add(ticket_id)
        hf.schedule()
        return f

    def unfollow(self, hall: str, f: Follower) -> None:
        hf = self.halls.get(hall)
        if hf is None:
            return
        followers = hf.by_ticket.get(f.ticket_id)
        if followers is not None:
            followers.discard(f)
            if not followers:
                del hf.by_ticket[f.ticket_id]

    def count(self, hall: str) -> int:
        hf = self.halls.get(hall)
        return sum(len(fs) for fs in hf.by_ticket.values()) if hf else 0

    async def _refreshes(self) -> None:
        while True:
            await asyncio.sleep(self.refresh)
            for hf in self.halls.values():
                hf.mark_all()
