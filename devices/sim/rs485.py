"""Rating pads and LED screens sharing one simulated RS-485 bus."""

from __future__ import annotations

from collections import deque

from devices.rs485.frame import Frame, FrameReader, encode
from devices.rs485.led import ACK, BEEP, BLANK, SHOW, TEXT
from devices.rs485.pad import ASK, CANCEL, KEY_CODES, POLL, REPORT
from devices.sim.endpoint import Simulator


class PadSim:
    def __init__(self) -> None:
        self.pending: deque[int] = deque()
        self.silent = False
        self.asking = False  # the rating keys are lit (请评价)
        self.asks = 0  # requests to rate received

    def rate(self, score: int) -> None:
        if not 1 <= score <= 4:
            raise ValueError("ratings are 1..4")
        self.pending.append(score)

    def press(self, key: str) -> None:
        """A clerk key: "call", "recall", "pause" or "evaluate"."""
        self.pending.append(KEY_CODES[key])

    def answer(self, frame: Frame) -> Frame | None:
        if frame.command in (ASK, CANCEL) and not frame.data:
            self.asking = frame.command == ASK
            self.asks += frame.command == ASK
            return Frame(frame.address, frame.command | ACK)
        if frame.command != POLL:
            return None
        data = bytes([self.pending.popleft()]) if self.pending else b""
        if data and 1 <= data[0] <= 4:
            self.asking = False  # a rating key pressed puts the pad back to rest
        return Frame(frame.address, REPORT, data)


class LedSim:
    """A screen; `text` is what it shows (decoded from GBK for a text frame), `history` every
    change of it in order."""

    def __init__(self, text: bool = True) -> None:
        self.text = ""
        self.beeps = 0
        self.history: list[str] = []
        self.silent = False
        self.speaks_text = text  # False: an old digits-only screen, which ignores CMD 0x04

    def answer(self, frame: Frame) -> Frame | None:
        if frame.command == SHOW and all(b <= 9 or b == BLANK for b in frame.data):
            self._shown("".join(" " if b == BLANK else str(b) for b in frame.data))
        elif frame.command == TEXT and self.speaks_text:
            try:
                self._shown(frame.data.decode("gbk"))
            except UnicodeDecodeError:
                return None
        elif frame.command == BEEP and len(frame.data) == 1:
            self.beeps += frame.data[0]
        else:
            return None
        return Frame(frame.address, frame.command | ACK)

    def _shown(self, text: str) -> None:
        self.text = text
        self.history.append(text)


Device = PadSim | LedSim


class BusSim(Simulator):
    """The wire: every frame reaches every device; only the addressed one answers."""

    def __init__(self) -> None:
        super().__init__()
        self.devices: dict[int, Device] = {}
        self.noise = False  # spoil each reply's checksum, as a bad termination resistor would
        self.garbage = b""  # bytes on the line before each reply (a chattering neighbour, a bad cable)
        self._reader = FrameReader()

    def add_pad(self, address: int) -> PadSim:
        pad = self.devices[address] = PadSim()
        return pad

    def add_led(self, address: int) -> LedSim:
        led = self.devices[address] = LedSim()
        return led

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
                reply += self.garbage + (raw[:-2] + bytes([raw[-2] ^ 0x5A]) + raw[-1:] if self.noise else raw)
        return reply
