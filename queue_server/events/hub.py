"""The live fan-out of one server process.

Per hall, the hub keeps one gap-free stream of committed events in strict seq order (a
`Channel`). Events come from this process's own writes (handed over from the threadpool) and
from the stored log, which is read when PostgreSQL notifies that another process wrote, when a
periodic poll finds something new, or when an event arrives ahead of a gap. An event that
arrives early waits until the gap is filled, so subscribers always get seq n+1 right after n.

Each event is serialised once and the same text is offered to every subscriber (see
subscriber.py: written at once, or queued in the client's bounded queue; a client that falls
too far behind is dropped). Everything here runs on the event loop, without locks."""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Coroutine, Iterable
from typing import Any

from ..domain.events import Recorded
from .fastsend import text_frame
from .log import EventLog
from .subscriber import PING, Subscriber, Subscription

log = logging.getLogger(__name__)

PAGE = 500  # events per read of the stored log


def dumps(obj: dict) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class Channel:
    """One hall's delivered stream: the last seq, the subscribers and the recent events."""

    def __init__(self, hall: str, last: int, ring: int):
        self.hall = hall
        self.last = last
        self.subs: set[Subscriber] = set()
        self.listeners: list[Callable[[Recorded], None]] = []
        self.ring: deque[tuple[int, str, str]] = deque(maxlen=ring)  # (seq, type, text), contiguous, ends at last
        self.pending: dict[int, Recorded] = {}  # arrived ahead of a gap
        self.reader: asyncio.Task | None = None
        self.again = False
        self.snapshot: tuple[int, str] | None = None  # (seq, text) of the last board sent
        self.snapshotting: asyncio.Future | None = None

    def covers(self, since: int) -> bool:
        """Whether every delivered event after `since` is still in memory."""
        return since >= self.last or (bool(self.ring) and self.ring[0][0] <= since + 1)

    def replay(self, since: int, sub: Subscriber) -> list[tuple[int, str]]:
        if since >= self.last:
            return []
        start = len(self.ring) - (self.last - since)
        return [(seq, text) for seq, type_, text in itertools.islice(self.ring, start, None) if sub.wants(type_)]


class Hub:
    def __init__(
        self,
        log: EventLog,
        snapshot: Callable[[str], dict],
        *,
        buffer: int = 1000,
        snapshot_after: int = 500,
        ring: int = 2000,
        heartbeat: float = 15.0,
        poll: float = 1.0,
        gap_grace: float = 0.01,
    ):
        self.log = log
        self.snapshot = snapshot
        self.buffer = buffer
        self.snapshot_after = snapshot_after
        self.ring = ring
        self.heartbeat = heartbeat
        self.poll = poll
        self.gap_grace = gap_grace
        self.channels: dict[str, Channel] = {}
        # Told of every notification of another process's commit, in any hall (None: some may have
        # been missed); the alert engine follows the whole deployment's changes with it.
        self.remote: list[Callable[[str | None, list[Recorded]], None]] = []
        self.dropped = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task] = []

    # -- lifecycle --------------------------------------------------------------------------
    async def start(self, listener: Callable[[Hub], Coroutine[Any, Any, None]] | None = None) -> None:
        self._loop = asyncio.get_running_loop()
        self._tasks = [asyncio.create_task(self._heartbeats()), asyncio.create_task(self._polls())]
        if listener is not None:
            self._tasks.append(asyncio.create_task(listener(self)))

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for ch in self.channels.values():
            if ch.reader:
                ch.reader.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._loop = None
        self.log.close()

    # -- events in --------------------------------------------------------------------------
    def publish(self, events: list[Recorded]) -> None:
        """From any thread (the store calls it after each commit)."""
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(self.offer, events)
        except RuntimeError:  # the loop is closing: the log keeps the events
            pass

    def offer(self, events: Iterable[Recorded]) -> None:
        for ev in events:
            ch = self.channels.get(ev.hall)
            if ch is not None:
                self._accept(ch, ev)

    def notified(self, hall: str, seq: int, pid: int, events: Iterable[Recorded] = ()) -> None:
        """A NOTIFY from PostgreSQL: another process committed up to `seq`, maybe with its events;
        whatever they do not bring in order is read from the log."""
        if pid == os.getpid():
            return  # this process's own events come through publish()
        events = list(events)
        self._tell_remote(hall, events)
        ch = self.channels.get(hall)
        if ch is None or seq <= ch.last:
            return
        for ev in events:
            self._accept(ch, ev)
        if ch.last < seq:
            self.catch_up(ch)

    def resync(self) -> None:
        """Read every hall's log: after a (re)connection notifications may have been missed."""
        self._tell_remote(None, [])
        for ch in self.channels.values():
            self.catch_up(ch)

    def _tell_remote(self, hall: str | None, events: list[Recorded]) -> None:
        for fn in self.remote:
            try:
                fn(hall, events)
            except Exception:  # noqa: BLE001 - a listener must not stop the stream
                log.exception("notification listener failed")

    def _accept(self, ch: Channel, ev: Recorded) -> None:
        if ev.seq <= ch.last:
            return  # already delivered (a local event also read from the log, or a duplicate)
        if ev.seq != ch.last + 1:
            ch.pending[ev.seq] = ev
            self.catch_up(ch, self.gap_grace, forced=False)
            return
        self._deliver(ch, ev)
        if ch.pending:
            while (nxt := ch.pending.pop(ch.last + 1, None)) is not None:
                self._deliver(ch, nxt)
            for seq in [s for s in ch.pending if s <= ch.last]:
                del ch.pending[seq]

    def _deliver(self, ch: Channel, ev: Recorded) -> None:
        text = dumps(ev.to_dict())  # once, for every subscriber
        ch.last = ev.seq
        ch.ring.append((ev.seq, ev.type, text))
        if not ch.subs:
            return self._tell_listeners(ch, ev)
        frame = text_frame(text)  # once as well
        behind = None
        for sub in list(ch.subs):
            if (sub.topics is None or sub.wants(ev.type)) and not sub.offer(ev.seq, text, frame):
                behind = (behind or []) + [sub]
        for sub in behind or ():
            self._drop(ch, sub)
        self._tell_listeners(ch, ev)

    @staticmethod
    def _tell_listeners(ch: Channel, ev: Recorded) -> None:
        for fn in ch.listeners:
            try:
                fn(ev)
            except Exception:  # noqa: BLE001 - a listener must not stop the stream
                log.exception("event listener failed")

    def _drop(self, ch: Channel, sub: Subscriber) -> None:
        ch.subs.discard(sub)
        sub.end("slow")
        self.dropped += 1
        log.info("hall %s: a stream client fell %d messages behind and was dropped", ch.hall, self.buffer)

    # -- reading the stored log -------------------------------------------------------------
    def catch_up(self, ch: Channel, delay: float = 0.0, forced: bool = True) -> None:
        if ch.reader is not None and not ch.reader.done():
            ch.again = ch.again or forced or bool(ch.pending)
            return
        ch.reader = asyncio.get_running_loop().create_task(self._read_log(ch, delay, forced))

    async def _read_log(self, ch: Channel, delay: float, forced: bool) -> None:
        if delay:
            await asyncio.sleep(delay)
            if not forced and not ch.pending and not ch.again:
                return  # the gap was filled by the late local event
        while True:
            ch.again = False
            try:
                events = await self.log.after(ch.hall, ch.last, PAGE)
            except Exception:  # noqa: BLE001 - the next poll tries again
                log.warning("hall %s: reading the event log failed", ch.hall, exc_info=True)
                return
            for ev in events:
                self._accept(ch, ev)
            if len(events) < PAGE and not ch.again:
                return

    async def _polls(self) -> None:
        while True:
            await asyncio.sleep(self.poll)
            for ch in list(self.channels.values()):
                if ch.subs or ch.listeners:
                    self.catch_up(ch)

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            for ch in list(self.channels.values()):
                if not ch.subs:
                    continue
                # The ping's seq is safe to resume from: every event up to it went out before it.
                text = dumps({"type": "ping", "hall": ch.hall, "seq": ch.last})
                frame = text_frame(text)
                for sub in list(ch.subs):
                    if not sub.busy:
                        sub.offer(PING, text, frame)
                    sub.busy = False

    # -- subscribers ------------------------------------------------------------------------
    async def channel(self, hall: str) -> Channel:
        """The hall's channel, created on first use (NotFound for an unknown hall)."""
        ch = self.channels.get(hall)
        if ch is None:
            last = await self.log.last_seq(hall)
            ch = self.channels.get(hall)
            if ch is None:
                ch = self.channels[hall] = Channel(hall, last, self.ring)
                # Events committed between that read and now were not offered to anybody yet.
                self.catch_up(ch)
        return ch

    async def subscribe(self, hall: str, since: int | None, topics: tuple[str, ...] | None = None) -> Subscription:
        """Events after `since`, then live ones; `since=None` or far behind: a snapshot first."""
        ch = await self.channel(hall)
        if since is not None and since > ch.last and since > await self.log.last_seq(hall):
            since = None  # seqs this hall never had: the client knows another database
        snapshot = None
        if since is None or ch.last - since > self.snapshot_after:
            since, snapshot = await self._snapshot(ch)
        sub = Subscriber(self.buffer, topics, since)
        # From here to the end nothing awaits: the replay and the subscription meet exactly.
        if ch.covers(since):
            backlog, replay_from = ch.replay(since, sub), None
        else:
            backlog, replay_from = [], since
        ch.subs.add(sub)
        return Subscription(
            ch, sub, snapshot, backlog, replay_from, lambda cursor: self.log.after(hall, cursor, PAGE), PAGE, dumps
        )

    async def _snapshot(self, ch: Channel) -> tuple[int, str]:
        """The board as a snapshot message, shared by the clients that ask for it at once and
        reused while no event happened (a hall's screens all reconnect after a restart)."""
        if ch.snapshot is not None and ch.snapshot[0] == ch.last:
            return ch.snapshot
        if ch.snapshotting is None or ch.snapshotting.done():
            ch.snapshotting = asyncio.ensure_future(self._board(ch))
        return await asyncio.shield(ch.snapshotting)

    async def _board(self, ch: Channel) -> tuple[int, str]:
        board = await self.log.run(self.snapshot, ch.hall)
        ch.snapshot = (board["seq"], dumps({"type": "snapshot", "hall": ch.hall, "seq": board["seq"], "board": board}))
        return ch.snapshot

    def status(self, hall: str) -> dict:
        ch = self.channels.get(hall)
        return {
            "hall": hall,
            "clients": len(ch.subs) if ch else 0,
            "written_directly": sum(1 for s in ch.subs if s.raw is not None) if ch else 0,
            "last_seq": ch.last if ch else None,
            "dropped": self.dropped,
            "pid": os.getpid(),
        }
