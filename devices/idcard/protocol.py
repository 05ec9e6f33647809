"""Frames of the SAM security module protocol (GA 467) used by resident ID-card readers.

Command:  AA AA AA 96 69 | LEN (2, big endian) | CMD PARA | DATA | CHK
Response: AA AA AA 96 69 | LEN (2, big endian) | SW1 SW2 SW3 | DATA | CHK
LEN counts the bytes after it, CHK included; CHK is the XOR of LEN through DATA."""

from __future__ import annotations

from dataclasses import dataclass

from devices.errors import ChecksumError, FrameLengthError, UnknownStatus

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER = len(PREAMBLE) + 2
MAX_LENGTH = 4096  # the longest real response (text, photo and fingerprints) is about 2.3 KB

FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_BASE = (0x30, 0x01)

# SW3 values defined by GA 467.
OK = 0x90
CARD_FOUND = 0x9F
STATUS_TEXT = {
    0x90: "operation succeeded",
    0x91: "the card has no content for this item",
    0x9F: "card found",
    0x10: "reader received a bad checksum",
    0x11: "reader received a bad length",
    0x21: "reader received an unknown or malformed command",
    0x23: "operation not authorised",
    0x24: "unrecognised error",
    0x31: "card failed to authenticate the reader",
    0x32: "reader failed to authenticate the card",
    0x33: "information verification error",
    0x40: "unrecognised card type",
    0x41: "card read failed",
    0x47: "could not get a random number",
    0x60: "security module self-test failed",
    0x66: "security module not authorised",
    0x80: "no card found",
    0x81: "card selection failed",
}


@dataclass(frozen=True)
class Response:
    sw1: int
    sw2: int
    status: int
    data: bytes

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]


def checksum(body: bytes) -> int:
    value = 0
    for byte in body:
        value ^= byte
    return value


def _frame(payload: bytes) -> bytes:
    body = (len(payload) + 1).to_bytes(2, "big") + payload
    return PREAMBLE + body + bytes([checksum(body)])


def encode_command(cmd: int, para: int, data: bytes = b"") -> bytes:
    return _frame(bytes([cmd, para]) + data)


def encode_response(status: int, data: bytes = b"") -> bytes:
    return _frame(b"\x00\x00" + bytes([status]) + data)


def _body(frame: bytes, minimum: int) -> bytes:
    """Check preamble, length and checksum; return the payload between LEN and CHK."""
    if len(frame) < HEADER + 1 or not frame.startswith(PREAMBLE):
        raise FrameLengthError(f"not a SAM frame: {frame[:12].hex(' ')}")
    length = int.from_bytes(frame[5:7], "big")
    if length != len(frame) - HEADER:
        raise FrameLengthError(f"length field says {length} bytes, frame has {len(frame) - HEADER}")
    if length < minimum + 1:
        raise FrameLengthError(f"frame too short for its header: {length} bytes")
    if checksum(frame[5:-1]) != frame[-1]:
        raise ChecksumError(f"checksum 0x{frame[-1]:02x}, computed 0x{checksum(frame[5:-1]):02x}")
    return frame[HEADER:-1]


def decode_response(frame: bytes) -> Response:
    payload = _body(frame, 3)
    if payload[2] not in STATUS_TEXT:
        raise UnknownStatus(f"reader status 0x{payload[2]:02x} is not defined")
    return Response(payload[0], payload[1], payload[2], payload[3:])


def decode_command(frame: bytes) -> tuple[int, int, bytes]:
    payload = _body(frame, 2)
    return payload[0], payload[1], payload[2:]


class FrameSplitter:
    """Cuts a byte stream into frames: skips noise before a preamble and waits for the bytes its
    length field announces."""

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> None:
        self.buffer += data

    def needed(self) -> int:
        """How many more bytes the frame at the head of the buffer needs (at least 1)."""
        self._sync()
        if len(self.buffer) < HEADER:
            return HEADER - len(self.buffer)
        return max(1, HEADER + self._length() - len(self.buffer))

    def next_frame(self) -> bytes | None:
        """The next complete frame, or None. Raises FrameLengthError for an impossible length
        (and drops that header so the stream can resynchronise)."""
        self._sync()
        if len(self.buffer) < HEADER:
            return None
        length = self._length()
        if not 1 <= length <= MAX_LENGTH:
            self.buffer = self.buffer[len(PREAMBLE) :]
            raise FrameLengthError(f"length field {length} is out of range")
        if len(self.buffer) < HEADER + length:
            return None
        frame, self.buffer = self.buffer[: HEADER + length], self.buffer[HEADER + length :]
        return frame

    def _length(self) -> int:
        return int.from_bytes(self.buffer[5:7], "big")

    def _sync(self) -> None:
        start = self.buffer.find(PREAMBLE)
        if start < 0:
            # Keep a tail that may be the beginning of a preamble split across reads.
            keep = next((k for k in range(len(PREAMBLE) - 1, 0, -1) if self.buffer.endswith(PREAMBLE[:k])), 0)
            self.buffer = self.buffer[len(self.buffer) - keep :] if keep else b""
        elif start:
            self.buffer = self.buffer[start:]
