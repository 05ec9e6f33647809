"""Rating pad on the RS-485 bus. Polled with CMD 0x10; it answers CMD 0x11 with no data when no
key was pressed, or one byte: a rating 1..4 or a clerk key (呼叫器: call next, recall, pause,
evaluate). CMD 0x12 asks the citizen to rate (the pad lights its keys and says 请评价; data: none),
CMD 0x13 ends the request unanswered; the pad acknowledges both with the command | 0x80."""

from __future__ import annotations

from devices.errors import UnknownStatus
from devices.interfaces import PadEvent
from devices.rs485.bus import BusDevice

POLL, REPORT, ASK, CANCEL, ACK = 0x10, 0x11, 0x12, 0x13, 0x80
KEYS = {0x0B: "evaluate", 0x0C: "call", 0x0D: "recall", 0x0E: "pause"}
KEY_CODES = {kind: code for code, kind in KEYS.items()}


class Rs485Pad(BusDevice):
    kind = "pad"

    def poll(self) -> PadEvent | None:
        reply = self._exchange(POLL, b"", REPORT)
        if not reply.data:
            return None
        key = reply.data[0]
        if 1 <= key <= 4:
            return PadEvent(self.address, "rating", key)
        if key in KEYS:
            return PadEvent(self.address, KEYS[key])
        raise UnknownStatus(f"pad at address {self.address} sent unknown key 0x{key:02x}")

    def ask(self) -> None:
        """Light the rating keys: the citizen at the counter is asked to rate."""
        self._exchange(ASK, b"", ASK | ACK)

    def cancel(self) -> None:
        self._exchange(CANCEL, b"", CANCEL | ACK)
