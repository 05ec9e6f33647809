"""What an ESC/POS printer makes of a byte stream: text lines (GBK while Kanji mode is on),
QR codes stored with GS ( k, raster images from GS v 0, and cuts. The printer simulator uses it
to answer real-time queries at command boundaries and to record jobs; tests use it to read a
rendered ticket back without trusting the renderer."""

from __future__ import annotations

from dataclasses import dataclass, field

from PIL import Image

ESC, FS, GS, DLE = 0x1B, 0x1C, 0x1D, 0x10

# Fixed-length commands: total length including the prefix and command byte.
_FIXED = {
    (ESC, ord("@")): 2,
    (ESC, ord("!")): 3,
    (ESC, ord("E")): 3,
    (ESC, ord("-")): 3,
    (ESC, ord("a")): 3,
    (ESC, ord("d")): 3,
    (ESC, ord("t")): 3,
    (ESC, ord("M")): 3,
    (ESC, ord("G")): 3,
    (ESC, ord("2")): 2,
    (ESC, ord("3")): 3,
    (ESC, ord("R")): 3,
    (ESC, ord("J")): 3,
    (ESC, ord("V")): 3,
    (ESC, ord("{")): 3,
    (ESC, ord("p")): 5,
    (FS, ord("&")): 2,
    (FS, ord(".")): 2,
    (FS, ord("!")): 3,
    (FS, ord("C")): 3,
    (FS, ord("W")): 3,
    (FS, ord("S")): 4,
    (GS, ord("!")): 3,
    (GS, ord("B")): 3,
    (GS, ord("H")): 3,
    (GS, ord("h")): 3,
    (GS, ord("w")): 3,
    (GS, ord("f")): 3,
    (GS, ord("r")): 3,
    (GS, ord("a")): 3,
    (GS, ord("I")): 3,
    (GS, ord("L")): 4,
    (GS, ord("W")): 4,
    (DLE, 0x04): 3,
    (DLE, 0x14): 5,
}


@dataclass(frozen=True)
class Token:
    kind: str  # "text", "lf", "command", "realtime"
    raw: bytes


def next_token(buf: bytes, pos: int) -> tuple[Token, int] | None:
    """The token starting at `pos` and the position after it, or None if `buf` ends inside it."""
    first = buf[pos]
    if first == 0x0A:
        return Token("lf", buf[pos : pos + 1]), pos + 1
    if first not in (ESC, FS, GS, DLE):
        end = pos
        while end < len(buf) and buf[end] not in (ESC, FS, GS, DLE, 0x0A):
            end += 1
        return Token("text", buf[pos:end]), end
    if pos + 1 >= len(buf):
        return None
    key = (first, buf[pos + 1])
    length = _FIXED.get(key) or _variable_length(buf, pos)
    if length is None or pos + length > len(buf):
        return None
    kind = "realtime" if first == DLE else "command"
    return Token(kind, buf[pos : pos + length]), pos + length


def _variable_length(buf: bytes, pos: int) -> int | None:
    first, second = buf[pos], buf[pos + 1]

    def have(n: int) -> bool:
        return pos + n <= len(buf)

    if first == GS and second == ord("V"):
        if not have(3):
            return None
        return 4 if buf[pos + 2] in (65, 66, 97, 98, 103, 104) else 3
    if first == GS and second == ord("v"):  # GS v 0 m xL xH yL yH data
        if not have(8):
            return None
        width, height = buf[pos + 4] | buf[pos + 5] << 8, buf[pos + 6] | buf[pos + 7] << 8
        return 8 + width * height
    if first == GS and second == ord("("):  # GS ( fn pL pH data
        if not have(5):
            return None
        return 5 + (buf[pos + 3] | buf[pos + 4] << 8)
    if first == ESC and second == ord("*"):  # ESC * m nL nH data
        if not have(5):
            return None
        columns = buf[pos + 3] | buf[pos + 4] << 8
        return 5 + columns * (3 if buf[pos + 2] in (32, 33) else 1)
    return 2  # an unknown command: assume it has no parameters, as a printer would ignore it


@dataclass
class Paper:
    """The readable content of one job."""

    lines: list[str] = field(default_factory=list)
    qr_codes: list[bytes] = field(default_factory=list)
    images: list[Image.Image] = field(default_factory=list)
    cut: bool = False

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def read_paper(data: bytes) -> Paper:
    """Decode a complete job. Raises ValueError if the stream ends inside a command."""
    paper = Paper()
    kanji = False
    line = b""

    def flush_line() -> None:
        nonlocal line
        paper.lines.append(line.decode("gbk" if kanji else "latin-1", errors="replace"))
        line = b""

    pos = 0
    while pos < len(data):
        found = next_token(data, pos)
        if found is None:
            raise ValueError(f"stream ends inside a command at byte {pos}")
        token, pos = found
        raw = token.raw
        if token.kind == "text":
            line += raw
        elif token.kind == "lf":
            flush_line()
        elif raw[:2] == b"\x1c&":
            kanji = True
        elif raw[:2] == b"\x1c.":
            kanji = False
        elif raw[:2] == b"\x1dV":
            paper.cut = True
        elif raw[:3] == b"\x1dv0":
            if line:
                flush_line()
            paper.images.append(_raster_image(raw))
        elif raw[:3] == b"\x1d(k" and raw[5:8] == b"1P0":  # QR: store symbol data
            paper.qr_codes.append(raw[8:])
    if line:
        flush_line()
    return paper


def _raster_image(raw: bytes) -> Image.Image:
    width_bytes, height = raw[4] | raw[5] << 8, raw[6] | raw[7] << 8
    # GS v 0 bits are 1 for black; PIL's mode "1" uses 1 for white, hence the inversion.
    inverted = bytes(b ^ 0xFF for b in raw[8:])
    return Image.frombytes("1", (width_bytes * 8, height), inverted)


def is_cut(token: Token) -> bool:
    return token.raw[:2] == b"\x1dV"
