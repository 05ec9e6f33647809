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


def test_prebuilt_frames_are_the_frames_websockets_builds():
    from websockets.frames import Frame, Opcode

    from queue_server.events.fastsend import text_frame

    for text in ("", "号" * 41, "x" * 125, "x" * 126, "叫号" * 20000, "y" * 70000):
        assert text_frame(text) == Frame(Opcode.TEXT, text.encode()).serialize(mask=False, extensions=[])


def test_offer_uses_the_raw_writer_and_falls_back_to_send():
    async def scenario() -> None:
        sock = Socket()
        written: list[bytes] = []
        accept = [True]

        def raw(frame: bytes) -> bool:
            if accept[0]:
                written.append(frame)
            return accept[0]

        sub = Subscriber(maxsize=10, topics=None, cursor=0)
        sub.send, sub.raw = sock.send, raw
        sub.offer(1, "e1", b"frame-1")
        accept[0] = False
        sub.offer(2, "e2", b"frame-2")
        assert written == [b"frame-1"] and sock.sent == ["e2"] and sub.cursor == 2

    run(scenario())
