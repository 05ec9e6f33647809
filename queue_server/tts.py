"""Speech for the hall board: espeak-ng's Mandarin voice, rendered to WAV and cached per text.

The board plays `ticket.called` announcements from `/api/halls/{hall}/announcements.wav?text=...`.
A text is rendered once; later requests come from memory or from the cache directory, so a board
that replays a recall, or twenty boards in one hall, cost one synthesis. Without an engine the
endpoint answers 503 and the page falls back to the browser's speech, then to the chime alone."""
from __future__ import annotations

import array
import hashlib
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import wave
from collections import OrderedDict
from pathlib import Path

log = logging.getLogger(__name__)

VOICE = "cmn"  # espeak-ng's Mandarin; Latin letters are read as English letter names ("A" -> "ei")
SPEED = 160  # words per minute; the default 175 is hurried for a hall of people listening for a number
AMPLITUDE = 160  # 0..200
MAX_TEXT = 200
SYNTH_TIMEOUT = 15.0
EDGE_SILENCE = 0.08  # seconds kept before and after the speech when trimming the engine's padding
MEMORY_ITEMS = 128
DISK_ITEMS = 4000  # one hall-day is a few thousand distinct texts at most


class TtsUnavailable(RuntimeError):
    """No speech engine on this machine (or it failed): the page falls back by itself."""


def valid_text(text: str) -> bool:
    return 0 < len(text) <= MAX_TEXT and text.strip() != "" and all(ch.isprintable() for ch in text)


def normalise(text: str) -> str:
    return " ".join(text.split())


def _wav_bytes(pcm: bytes, rate: int, channels: int = 1, width: int = 2) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(pcm)
    return out.getvalue()


def _parse_engine_wav(raw: bytes) -> tuple[bytes, int, int]:
    """espeak-ng writing to a pipe cannot seek back to fix the RIFF sizes (it leaves 0x7fffffff):
    find the `fmt ` and `data` chunks by hand and take everything after `data` as samples."""
    if raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise TtsUnavailable("the speech engine did not write a WAV")
    pos, rate, channels, width = 12, 22050, 1, 2
    while pos + 8 <= len(raw):
        cid, size = raw[pos:pos + 4], int.from_bytes(raw[pos + 4:pos + 8], "little")
        if cid == b"fmt ":
            fmt = raw[pos + 8:pos + 8 + 16]
            channels = int.from_bytes(fmt[2:4], "little")
            rate = int.from_bytes(fmt[4:8], "little")
            width = int.from_bytes(fmt[14:16], "little") // 8
            pos += 8 + size
        elif cid == b"data":
            pcm = raw[pos + 8:]
            if width != 2 or channels != 1:
                raise TtsUnavailable(f"unexpected engine output: {channels} channels, {width * 8} bits")
            return pcm[: len(pcm) - len(pcm) % 2], rate, channels
        else:
            pos += 8 + size
    raise TtsUnavailable("the speech engine wrote no samples")


def _trim(pcm: bytes, rate: int) -> bytes:
    """Cuts the engine's long leading and trailing silence, keeping a short margin."""
    samples = array.array("h")
    samples.frombytes(pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    threshold = 300
    first = next((i for i, s in enumerate(samples) if abs(s) > threshold), None)
    if first is None:
        return pcm
    last = next(i for i in range(len(samples) - 1, -1, -1) if abs(samples[i]) > threshold)
    margin = int(EDGE_SILENCE * rate)
    start, end = max(0, first - margin), min(len(samples), last + margin)
    return pcm[start * 2: end * 2]


class Tts:
    """Renders text with the engine command; thread-safe; caches in memory and on disk."""

    def __init__(self, command: str = "espeak-ng", cache_dir: Path | None = None, voice: str = VOICE,
                 speed: int = SPEED, amplitude: int = AMPLITUDE, concurrency: int = 2):
        self.command = command
        self.voice, self.speed, self.amplitude = voice, speed, amplitude
        self.cache_dir = cache_dir
        self._memory: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._keys: dict[str, threading.Lock] = {}
        self._slots = threading.BoundedSemaphore(concurrency)  # at most this many engines at once

    @property
    def engine(self) -> str | None:
        return shutil.which(self.command)

    def available(self) -> bool:
        return self.engine is not None

    def key(self, text: str) -> str:
        spec = f"{self.command}|{self.voice}|{self.speed}|{self.amplitude}|{normalise(text)}"
        return hashlib.sha256(spec.encode()).hexdigest()

    def wav(self, text: str) -> bytes:
        """The WAV of `text` (mono 16-bit PCM). Raises ValueError for unusable text and
        TtsUnavailable when there is no engine or it failed."""
        if not valid_text(text):
            raise ValueError("text must be 1..200 printable characters")
        key = self.key(text)
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                self._memory.move_to_end(key)
                return hit
            key_lock = self._keys.setdefault(key, threading.Lock())
        with key_lock:  # one synthesis per text, however many boards ask at once
            data = self._memory.get(key) or self._read_disk(key)
            if data is None:
                data = self._synthesise(normalise(text))
                self._write_disk(key, data)
            with self._lock:
                self._memory[key] = data
                self._memory.move_to_end(key)
                while len(self._memory) > MEMORY_ITEMS:
                    self._memory.popitem(last=False)
                self._keys.pop(key, None)
            return data

    def _synthesise(self, text: str) -> bytes:
        engine = self.engine
        if engine is None:
            raise TtsUnavailable(f"{self.command} is not installed")
        args = [engine, "-v", self.voice, "-s", str(self.speed), "-a", str(self.amplitude), "-b", "1",
                "--stdin", "--stdout"]
        with self._slots:
            try:
                done = subprocess.run(args, input=text.encode("utf-8"), capture_output=True, timeout=SYNTH_TIMEOUT,
                                      check=False)
            except (OSError, subprocess.TimeoutExpired) as e:
                raise TtsUnavailable(f"{self.command} failed: {e}") from e
        if done.returncode != 0:
            raise TtsUnavailable(f"{self.command} exited {done.returncode}: {done.stderr[-300:]!r}")
        pcm, rate, channels = _parse_engine_wav(done.stdout)
        pcm = _trim(pcm, rate)
        if len(pcm) < rate // 5:
            raise TtsUnavailable("the speech engine produced no audible speech")
        return _wav_bytes(pcm, rate, channels)

    # -- the disk cache ------------------------------------------------------------------------
    def _path(self, key: str) -> Path | None:
        return self.cache_dir / key[:2] / f"{key}.wav" if self.cache_dir else None

    def _read_disk(self, key: str) -> bytes | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def _write_disk(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)  # whole files only: a reader never sees half a WAV
            self._prune()
        except OSError:
            log.warning("could not cache speech in %s", path, exc_info=True)

    def _prune(self) -> None:
        assert self.cache_dir is not None
        files = list(self.cache_dir.glob("*/*.wav"))
        if len(files) <= DISK_ITEMS:
            return
        files.sort(key=lambda p: p.stat().st_mtime)
        for old in files[: len(files) - DISK_ITEMS]:
            try:
                old.unlink()
            except OSError:
                pass
