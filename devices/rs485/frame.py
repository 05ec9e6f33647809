"""Frames of the window devices' RS-485 bus:

    FF 68 L L 68 ADDR CMD DATA... CS 16

FF wakes the receivers; L (sent twice, as a guard) counts ADDR, CMD and DATA; CS is the sum of
ADDR, CMD and DATA mod 256. The host polls; a device answers only frames carrying its address, so
several devices share one pair of wires."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ChecksumError, FrameLengthError, ProtocolError

WAKE, START, END = 0xFF, 0x68, 0x16
MAX_DATA = 253


@dataclass(frozen=True)
class Frame:
    address: int
    command: int
    data: bytes = b""


def encode(frame: Frame) -> bytes:
    if not 0 <= frame.address <= 0xFF or not 0 <= frame.command <= 0xFF:
        raise ValueError("address and command are single bytes")
    if len(frame.data) > MAX_DATA:
        raise ValueError(f"at most {MAX_DATA} data bytes")
    body = bytes([frame.address, frame.command]) + frame.data
    return bytes([WAKE, START, len(body), len(body), START]) + body + bytes([sum(body) & 0xFF, END])


def decode(raw: bytes) -> Frame:
    """One complete frame, wake byte optional."""
    if raw[:1] == bytes([WAKE]):
        raw = raw[1:]
    if len(raw) < 8 or raw[0] != START or raw[3] != START:
        raise ProtocolError(f"not a bus frame: {raw[:8].hex(' ')}")
    if raw[1] != raw[2] or raw[1] < 2:
        raise FrameLengthError(f"length bytes {raw[1]} and {raw[2]} disagree or are too small")
    if len(raw) != raw[1] + 6:
        raise FrameLengthError(f"length byte says {raw[1]}, frame carries {len(raw) - 6}")
    body = raw[4:-2]
    if raw[-1] != END:
        raise ProtocolError(f"frame ends with 0x{raw[-1]:02x}, not 0x16")
    if sum(body) & 0xFF != raw[-2]:
        raise ChecksumError(f"checksum 0x{raw[-2]:02x}, computed 0x{sum(body) & 0xFF:02x}")
    return Frame(body[0], body[1], bytes(body[2:]))


class FrameReader:
    """Finds frames in a byte stream. A corrupt frame is dropped (and counted) so the next one is
    still found: on a shared bus, noise must not silence the other devices."""

    def __init__(self) -> None:
        self.buffer = b""
        self.dropped = 0
        self.last_error: ProtocolError | None = None

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def needed(self) -> int:
        start = self.buffer.find(START)
        if start < 0 or len(self.buffer) - start < 3:
            return 3
        return max(1, self.buffer[start + 1] + 6 - (len(self.buffer) - start))

    def next_frame(self) -> Frame | None:
        while True:
            start = self.buffer.find(START)
            if start < 0:
                self.buffer = b""
                return None
            self.buffer = self.buffer[start:]
            if len(self.buffer) < 4:
                return None
            length = self.buffer[1]
            if self.buffer[2] != length or self.buffer[3] != START or length < 2:
                self.buffer = self.buffer[1:]  # a stray 0x68 in noise; look for the next one
                continue
            if len(self.buffer) < length + 6:
                return None
            raw = self.buffer[: length + 6]
            try:
                frame = decode(raw)
            except ProtocolError as exc:
                # Noise that looked like a header may have swallowed the start of a real frame:
                # look again from the next byte rather than past the whole false length.
                self.dropped += 1
                self.last_error = exc
                self.buffer = self.buffer[1:]
                continue
            self.buffer = self.buffer[length + 6 :]
            return frame
