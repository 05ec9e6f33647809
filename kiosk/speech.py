"""Spoken guidance (适老化): the kiosk reads each screen's title, the button just pressed and the
ticket aloud, offline, with the hall board's own voice (`devices.voice`: espeak-ng's Mandarin voice
as the installed version names it). One small interface, `speak(text)`, so the voice behind it can
change:

    espeak-ng://          said on the sound card (through `aplay`, alsa-utils)
    espeak-ng:///DIR      each utterance written to DIR/NNNN.wav instead (no sound card)
    record://             kept in memory only (`spoken`), for tests
    off://                silent

Speaking never blocks the screen: utterances queue in one background thread, and a new screen's
words drop what an older screen had still to say."""

from __future__ import annotations

import logging
import queue
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Protocol
from urllib.parse import urlparse

from devices.voice import EspeakEngine, VoiceUnavailable
from devices.voice.pack import Engine

log = logging.getLogger(__name__)

# Slower than espeak-ng's own pace, for older listeners.
SPEED = 0.86


class Speaker(Protocol):
    def speak(self, text: str, lang: str = "zh") -> None: ...
    def interrupt(self) -> None: ...
    def close(self) -> None: ...


class SilentSpeaker:
    def speak(self, text: str, lang: str = "zh") -> None:
        pass

    def interrupt(self) -> None:
        pass

    def close(self) -> None:
        pass


class RecordingSpeaker(SilentSpeaker):
    def __init__(self) -> None:
        self.spoken: list[tuple[str, str]] = []  # (lang, text)
        self._lock = threading.Lock()

    def speak(self, text: str, lang: str = "zh") -> None:
        with self._lock:
            self.spoken.append((lang, text))

    def texts(self) -> list[str]:
        with self._lock:
            return [text for _, text in self.spoken]


class VoiceSpeaker:
    """Says each utterance with the engine of its language (the board's Mandarin voice for Chinese)
    and plays it with `aplay`, or writes it to `out_dir`."""

    def __init__(self, engines: dict[str, Engine], out_dir: Path | None = None, player: str = "aplay"):
        self.engines = engines
        self.out_dir = out_dir
        self.player = shutil.which(player) if out_dir is None else None
        if out_dir is None and self.player is None:
            log.error(
                "%s is not installed: the kiosk cannot speak (scripts/system-deps.sh installs alsa-utils)", player
            )
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._current: subprocess.Popen | None = None
        self._count = 0
        self._thread = threading.Thread(target=self._run, name="kiosk-speech", daemon=True)
        self._thread.start()

    def speak(self, text: str, lang: str = "zh") -> None:
        if text.strip() and (self.out_dir is not None or self.player is not None):
            self._queue.put((lang, text))

    def interrupt(self) -> None:
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        current = self._current
        if current is not None and current.poll() is None:
            current.terminate()

    def close(self) -> None:
        self.interrupt()
        self._queue.put(None)
        self._thread.join(timeout=5)

    def _play(self, wav: bytes) -> None:
        self._current = subprocess.Popen(
            [str(self.player), "-q", "-"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            self._current.communicate(wav, timeout=60)
        except BrokenPipeError:
            pass  # interrupted: a new screen has its own words

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            lang, text = item
            try:
                wav = self.engines.get(lang, self.engines["zh"]).synthesize(text, SPEED).wav()
                if self.out_dir is not None:
                    self._count += 1
                    part = self.out_dir / f"{self._count:04d}.wav.part"
                    part.write_bytes(wav)
                    part.rename(part.with_suffix(""))  # whole or absent, for whoever reads the folder
                else:
                    self._play(wav)
            except (OSError, subprocess.TimeoutExpired, VoiceUnavailable) as exc:
                log.warning("speaking failed: %s", exc)
            finally:
                self._current = None


def board_voices() -> dict[str, Engine]:
    """The board's Mandarin voice for Chinese, espeak-ng's English one for English."""
    return {"zh": EspeakEngine(), "en": EspeakEngine(voice="en")}


def open_speaker(url: str) -> Speaker:
    parsed = urlparse(url)
    if parsed.scheme == "espeak-ng":
        out_dir = Path(parsed.path) if parsed.path not in ("", "/") else None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        return VoiceSpeaker(board_voices(), out_dir)
    if parsed.scheme == "record":
        return RecordingSpeaker()
    if parsed.scheme == "off":
        return SilentSpeaker()
    raise ValueError(f"speech_url {url!r}: use espeak-ng://, espeak-ng:///DIR, record:// or off://")
