"""The subscriber's write path without a server: direct writes while the socket takes them, a
queue in order while it does not, overflow, and a socket that fails."""
from __future__ import annotations

import asyncio

from queue_server.events.subscriber import PING, Subscriber
from tests.stream.conftest import run


class Socket:
    """A send() that completes at once while `open` is set, and waits otherwise."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.open = asyncio.Event()
        self.open.set()
        self.fail = False

    async def send(self, text: str) -> None:
        await self.open.wait()
        if self.fail:
            raise RuntimeError("gone")
        self.sent.append(text)


def test_direct_then_queued_then_direct_again_in_order():
    async def scenario() -> None:
        sock = Socket()
        sub = Subscriber(maxsize=10, topics=None, cursor=0)
        sub.send = sock.send
        assert sub.offer(1, "e1") and sock.sent == ["e1"]  # written during offer(), no task switch
        assert sub.offer(1, "e1 again") and sock.sent == ["e1"]  # at or below the cursor: not again
        sock.open.clear()
        for seq in (2, 3, 4):
            assert sub.offer(seq, f"e{seq}")
        assert sub.offer(PING, "ping")
        assert sock.sent == ["e1"] and sub.flusher is not None
        sock.open.set()
        await asyncio.sleep(0.01)
        assert sock.sent == ["e1", "e2", "e3", "e4", "ping"] and sub.flusher is None
        sub.offer(5, "e5")
        assert sock.sent[-1] == "e5" and sub.cursor == 5

    run(scenario())


def test_overflow_and_failure():
    async def scenario() -> None:
        sock = Socket()
        sub = Subscriber(maxsize=3, topics=("ticket.called",), cursor=0)
        sub.send = sock.send
        assert sub.wants("ticket.called") and not sub.wants("queue.stats") and not sub.wants("ticket")
        sock.open.clear()
        assert sub.offer(1, "e1")  # being written
        assert all(sub.offer(seq, f"e{seq}") for seq in (2, 3, 4))
        assert not sub.offer(5, "e5")  # a fourth one waiting: too far behind
        sub.end("slow")
        await asyncio.sleep(0)
        assert sub.ended.is_set() and sub.reason == "slow" and sub.flusher is None

        broken = Socket()
        broken.fail = True
        other = Subscriber(maxsize=3, topics=None, cursor=0)
        other.send = broken.send
        other.offer(1, "e1")
        assert other.ended.is_set() and other.reason == "gone"

    run(scenario())
