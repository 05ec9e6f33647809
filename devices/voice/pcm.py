"""Mono 16-bit PCM: read and write WAV, trim an engine's padding, join clips, change level and rate."""

from __future__ import annotations

import array
import io
import math
import sys
import wave
from dataclasses import dataclass

from devices.voice.errors import BadClip

RATE = 22050  # what espeak-ng writes; clips at other rates are converted to it once, when loaded
SILENCE_LEVEL = 300  # |sample| at or below this is silence when trimming


def _samples(raw: bytes) -> array.array:
    out = array.array("h")
    out.frombytes(raw[: len(raw) - len(raw) % 2])
    if sys.byteorder == "big":
        out.byteswap()
    return out


def _raw(samples: array.array) -> bytes:
    if sys.byteorder == "big":
        samples = array.array("h", samples)
        samples.byteswap()
    return samples.tobytes()


@dataclass(frozen=True)
class Pcm:
    samples: array.array  # 'h'
    rate: int = RATE

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.rate

    @classmethod
    def silence(cls, seconds: float, rate: int = RATE) -> Pcm:
        return cls(array.array("h", bytes(2 * int(seconds * rate))), rate)

    @classmethod
    def from_wav(cls, data: bytes) -> Pcm:
        """A WAV file's audio as mono 16-bit at RATE. Also reads what an engine writes to a pipe,
        where it could not seek back to fix the RIFF sizes (espeak-ng leaves 0x7fffffff)."""
        if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
            raise BadClip("not a WAV file (RIFF/WAVE)")
        pos, fmt = 12, None
        while pos + 8 <= len(data):
            cid, size = data[pos : pos + 4], int.from_bytes(data[pos + 4 : pos + 8], "little")
            if cid == b"fmt ":
                fmt = data[pos + 8 : pos + 24]
            elif cid == b"data":
                if fmt is None:
                    raise BadClip("WAV data before its format")
                body = data[pos + 8 :] if size >= 0x7FFFFFF0 else data[pos + 8 : pos + 8 + size]
                return cls._decode(fmt, body)
            pos += 8 + size + (size & 1)
        raise BadClip("WAV file without audio data")

    @classmethod
    def _decode(cls, fmt: bytes, body: bytes) -> Pcm:
        tag, channels = int.from_bytes(fmt[0:2], "little"), int.from_bytes(fmt[2:4], "little")
        rate, bits = int.from_bytes(fmt[4:8], "little"), int.from_bytes(fmt[14:16], "little")
        if tag not in (1, 0xFFFE) or bits != 16 or channels not in (1, 2) or not 8000 <= rate <= 96000:
            raise BadClip(
                f"WAV must be 16-bit PCM, mono or stereo, 8-96 kHz (got format {tag}, {bits} bits, "
                f"{channels} channels, {rate} Hz)"
            )
        s = _samples(body)
        if channels == 2:
            s = array.array("h", ((a + b) // 2 for a, b in zip(s[0::2], s[1::2])))
        return cls(s, rate).resampled(RATE)

    def wav(self) -> bytes:
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(_raw(self.samples))
        return out.getvalue()

    def resampled(self, rate: int) -> Pcm:
        if rate == self.rate or not self.samples:
            return Pcm(self.samples, rate)
        s, n = self.samples, max(1, round(len(self.samples) * rate / self.rate))
        step = (len(s) - 1) / max(1, n - 1)
        out = array.array("h", bytes(2 * n))
        for i in range(n):  # linear interpolation: clips are short and converted once
            x = i * step
            j = int(x)
            k = min(j + 1, len(s) - 1)
            out[i] = int(s[j] + (s[k] - s[j]) * (x - j))
        return Pcm(out, rate)

    def trimmed(self, margin: float = 0.02) -> Pcm:
        """Without the leading and trailing silence engines pad with, keeping `margin` seconds."""
        s = self.samples
        first = next((i for i, v in enumerate(s) if abs(v) > SILENCE_LEVEL), None)
        if first is None:
            return Pcm(array.array("h"), self.rate)
        last = next(i for i in range(len(s) - 1, -1, -1) if abs(s[i]) > SILENCE_LEVEL)
        m = int(margin * self.rate)
        return Pcm(s[max(0, first - m) : last + 1 + m], self.rate)

    def gained(self, factor: float) -> Pcm:
        if factor == 1:
            return self
        return Pcm(array.array("h", (max(-32767, min(32767, int(v * factor))) for v in self.samples)), self.rate)

    def peak(self) -> int:
        return max((abs(v) for v in self.samples), default=0)

    def rms(self) -> float:
        return math.sqrt(sum(v * v for v in self.samples) / max(1, len(self.samples)))


def join(parts: list[Pcm]) -> Pcm:
    out = array.array("h")
    for p in parts:
        out.extend(p.samples if p.rate == RATE else p.resampled(RATE).samples)
    return Pcm(out, RATE)


def chime(rate: int = RATE) -> Pcm:
    """A two-tone "ding-dong" (E5 then C5 with soft harmonics), the pack's chime unless a hall records one."""
    notes = [(659.25, 0.0, 0.55), (523.25, 0.28, 0.6)]
    total = int(rate * 0.9)
    buf = [0.0] * total
    for f, at, length in notes:
        start = int(at * rate)
        for i in range(min(int(length * rate), total - start)):
            t = i / rate
            env = min(1.0, t / 0.01) * math.exp(-5 * t)
            buf[start + i] += (
                (
                    math.sin(2 * math.pi * f * t)
                    + 0.35 * math.sin(4 * math.pi * f * t)
                    + 0.12 * math.sin(6 * math.pi * f * t)
                )
                * env
                * 9000
            )
    return Pcm(array.array("h", (max(-32767, min(32767, int(v))) for v in buf)), rate)
