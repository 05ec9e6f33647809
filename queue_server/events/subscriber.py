"""One client's place in a hall's stream.

Live, the hub writes each event to the client's socket as it delivers it: while the socket
takes the bytes at once (nearly always), that costs one call and no task switch, which is what
keeps a call reaching thousands of screens fast. While the client is still replaying, or when
its socket is full, events wait in the client's own bounded queue, in order, and a task
flushes them; a client whose queue overflows is dropped (it reconnects with `since`), so one
slow client never holds up the others."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from .fastsend import RawWrite

log = logging.getLogger(__name__)

PING = -1  # the seq of a heartbeat: always sent, never moves the cursor

Send = Callable[[str], Coroutine[Any, Any, None]]


def topic_matches(topics: tuple[str, ...], type_: str) -> bool:
    """`ticket` matches ticket.called, ticket.done…; `ticket.called` matches only itself."""
    return any(type_ == t or type_.startswith(t + ".") for t in topics)


async def _finish(coro: Coroutine, blocked: Any) -> None:
    """Drives to its end a coroutine that was stepped by hand and suspended on `blocked`."""
    try:
        while True:
            if blocked is None:  # a bare yield (asyncio.sleep(0))
                await asyncio.sleep(0)
            else:
                blocked._asyncio_future_blocking = False  # what a Task does with what its coroutine yields
                await asyncio.wait({blocked})  # its outcome goes to the coroutine, below
            try:
                blocked = coro.send(None)
            except StopIteration:
                return
    except asyncio.CancelledError:
        coro.close()
        raise


class Subscriber:
    __slots__ = ("queue", "maxsize", "topics", "cursor", "send", "raw", "flusher", "busy", "ended", "reason", "_wants")

    def __init__(self, maxsize: int, topics: tuple[str, ...] | None, cursor: int):
        self.queue: deque[tuple[int, str]] = deque()
        self.maxsize = maxsize
        self.topics = topics
        self.cursor = cursor  # the last seq sent or skipped: anything at or below it is not sent again
        self.send: Send | None = None  # set once the replay is over: the hub writes directly
        self.raw: RawWrite | None = None  # writes a prebuilt frame when the connection takes it at once
        self.flusher: asyncio.Task | None = None
        self.busy = False  # something was offered since the last heartbeat
        self.ended = asyncio.Event()
        self.reason: str | None = None  # "slow" (dropped) or "gone" (the socket failed)
        self._wants: dict[str, bool] = {}

    def wants(self, type_: str) -> bool:
        if self.topics is None:
            return True
        wanted = self._wants.get(type_)
        if wanted is None:
            wanted = self._wants[type_] = topic_matches(self.topics, type_)
        return wanted

    # -- from the hub -------------------------------------------------------------------------
    def offer(self, seq: int, text: str, frame: bytes | None = None) -> bool:
        """Sends or queues one message (`frame`: the same, as a websocket frame); False when the
        client is too far behind to keep."""
        self.busy = True
        if self.send is not None and self.flusher is None:
            if seq > self.cursor or seq == PING:
                if seq > self.cursor:
                    self.cursor = seq
                if frame is None or self.raw is None or not self.raw(frame):
                    self._write(self.send, text)
            return True
        if len(self.queue) >= self.maxsize:
            return False
        self.queue.append((seq, text))
        return True

    def _write(self, send: Send, text: str) -> None:
        coro = send(text)
        try:
            blocked = coro.send(None)
        except StopIteration:
            return  # written
        except Exception:  # noqa: BLE001 - the client has gone
            log.debug("stream write failed", exc_info=True)
            self.end("gone")
            return
        # The socket is full: this message and the next ones wait for it in a task.
        self.flusher = asyncio.get_running_loop().create_task(self._flush(coro, blocked))

    async def _flush(self, coro: Coroutine, blocked: Any) -> None:
        try:
            await _finish(coro, blocked)
            if self.send is not None:
                await self.drain(self.send)
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001 - the client has gone
            log.debug("stream flush failed", exc_info=True)
            self.end("gone")
        finally:
            self.flusher = None

    async def drain(self, send: Send) -> None:
        """Sends what is queued, in order, until the queue is empty (it may grow meanwhile)."""
        while self.queue and not self.ended.is_set():
            seq, text = self.queue.popleft()
            if seq > self.cursor or seq == PING:
                if seq > self.cursor:
                    self.cursor = seq
                await send(text)

    def end(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
        self.send = None
        self.queue.clear()
        if self.flusher is not None and self.flusher is not asyncio.current_task():
            self.flusher.cancel()
            self.flusher = None
        self.ended.set()


class Subscription:
    """A subscriber with what it must be sent before going live: a snapshot if needed, the
    events it missed (from memory, or read from the log)."""

    def __init__(
        self,
        channel: Any,
        sub: Subscriber,
        snapshot: str | None,
        backlog: list[tuple[int, str]],
        replay_from: int | None,
        read_log: Callable[[int], Awaitable[list]],
        page: int,
        dumps: Callable[[dict], str],
    ):
        self.channel = channel
        self.sub = sub
        self.snapshot = snapshot
        self.backlog = backlog
        self.replay_from = replay_from
        self._read_log = read_log
        self._page = page
        self._dumps = dumps

    async def run(self, send: Send, raw: RawWrite | None = None) -> None:
        """Replays, then goes live; returns when the subscriber ended (dropped or gone)."""
        sub = self.sub
        if self.snapshot is not None:
            await send(self.snapshot)
        for i, (seq, text) in enumerate(self.backlog):
            sub.cursor = seq
            await send(text)
            if i % 64 == 63:
                await asyncio.sleep(0)  # a long replay must not hold up the live clients
        self.backlog = []
        if self.replay_from is not None:
            # Subscribed before reading: whatever the hub delivers from now on is queued, and the
            # log read afterwards reaches at least as far, so nothing falls between the two.
            while not sub.ended.is_set():
                events = await self._read_log(sub.cursor)
                for i, ev in enumerate(events):
                    sub.cursor = ev.seq
                    if sub.wants(ev.type):
                        await send(self._dumps(ev.to_dict()))
                    if i % 64 == 63:
                        await asyncio.sleep(0)
                if len(events) < self._page:
                    break
        await sub.drain(send)  # what queued up meanwhile
        if not sub.ended.is_set():
            sub.send, sub.raw = send, raw  # right after the queue emptied: from now on the hub writes
        await sub.ended.wait()

    def close(self) -> None:
        self.channel.subs.discard(self.sub)
        self.sub.end(self.sub.reason or "gone")
