"""Rating pads and LED screens sharing one simulated RS-485 bus."""
from __future__ import annotations

from collections import deque
from typing import Optional, Union

from devices.rs485.frame import Frame, FrameReader, encode
from devices.rs485.led import ACK, BEEP, BLANK, SHOW
from devices.rs485.pad import KEY_CODES, POLL, REPORT
from devices.sim.endpoint import Simulator


class PadSim:
    def __init__(self) -> None:
        self.pending: deque[int] = deque()
        self.silent = False

    def rate(self, score: int) -> None:
        if not 1 <= score <= 4:
            raise ValueError("ratings are 1..4")
        self.pending.append(score)

    def press(self, key: str) -> None:
        """A clerk key: "call", "recall" or "evaluate"."""
        self.pending.append(KEY_CODES[key])

    def answer(self, frame: Frame) -> Optional[Frame]:
        if frame.command != POLL:
            return None
        data = bytes([self.pending.popleft()]) if self.pending else b""
        return Frame(frame.address, REPORT, data)


class LedSim:
    def __init__(self) -> None:
        self.text = ""
        self.beeps = 0
        self.history: list[str] = []
        self.silent = False

    def answer(self, frame: Frame) -> Optional[Frame]:
        if frame.command == SHOW and all(b <= 9 or b == BLANK for b in frame.data):
            self.text = "".join(" " if b == BLANK else str(b) for b in frame.data)
            self.history.append(self.text)
        elif frame.command == BEEP and len(frame.data) == 1:
            self.beeps += frame.data[0]
        else:
            return None
        return Frame(frame.address, frame.command | ACK)


Device = Union[PadSim, LedSim]


class BusSim(Simulator):
    """The wire: every frame reaches every device; only the addressed one answers."""

    def __init__(self) -> None:
        super().__init__()
        self.devices: dict[int, Device] = {}
        self.noise = False  # spoil each reply's checksum, as a bad termination resistor would
        self._reader = FrameReader()

    def add_pad(self, address: int) -> PadSim:
        self.devices[address] = PadSim()
        return self.devices[address]

    def add_led(self, address: int) -> LedSim:
        self.devices[address] = LedSim()
        return self.devices[address]

    def handle(self, data: bytes) -> bytes:
        self._reader.feed(data)
        reply = b""
        while (frame := self._reader.next_frame()) is not None:
            device = self.devices.get(frame.address)
            if device is None or device.silent:
                continue
            answer = device.answer(frame)
            if answer is not None:
                raw = encode(answer)
                reply += raw[:-2] + bytes([raw[-2] ^ 0x5A]) + raw[-1:] if self.noise else raw
        return reply
