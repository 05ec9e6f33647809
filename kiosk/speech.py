"""Spoken guidance (适老化): the kiosk reads each screen's title, the button just pressed and the
ticket aloud, offline. One small interface, `speak(text)`, so the voice behind it can change:

    espeak-ng://          espeak-ng on the sound card (Mandarin: the `cmn-latn-pinyin` voice, which
                          reads Chinese characters as Mandarin; plain `cmn` reads them by English rules)
    espeak-ng:///DIR      the same voice, each utterance written to DIR/NNNN.wav (no sound card)
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

log = logging.getLogger(__name__)

VOICES = {"zh": "cmn-latn-pinyin", "en": "en"}


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
    def __init__(self):
        self.spoken: list[tuple[str, str]] = []  # (lang, text)
        self._lock = threading.Lock()

    def speak(self, text: str, lang: str = "zh") -> None:
        with self._lock:
            self.spoken.append((lang, text))

    def texts(self) -> list[str]:
        with self._lock:
            return [text for _, text in self.spoken]


class EspeakSpeaker:
    def __init__(self, out_dir: Path | None = None, rate: int = 150):
        self.binary = shutil.which("espeak-ng")
        if self.binary is None:
            log.error("espeak-ng is not installed: the kiosk cannot speak (scripts/system-deps.sh installs it)")
        self.out_dir = out_dir
        self.rate = rate  # words a minute: slower than espeak's 175, for older listeners
        self._queue: queue.Queue[tuple[str, str] | None] = queue.Queue()
        self._current: subprocess.Popen | None = None
        self._count = 0
        self._thread = threading.Thread(target=self._run, name="kiosk-speech", daemon=True)
        self._thread.start()

    def speak(self, text: str, lang: str = "zh") -> None:
        if self.binary is not None and text.strip():
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

    def command(self, text: str, lang: str, wav: Path | None = None) -> list[str]:
        args = [self.binary or "espeak-ng", "-v", VOICES.get(lang, VOICES["zh"]), "-s", str(self.rate)]
        if wav is not None:
            args += ["-w", str(wav)]
        return args + ["--", text]

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            lang, text = item
            wav = None
            if self.out_dir is not None:
                self._count += 1
                wav = self.out_dir / f"{self._count:04d}.wav"
            try:
                self._current = subprocess.Popen(self.command(text, lang, wav), stdout=subprocess.DEVNULL,
                                                 stderr=subprocess.DEVNULL)
                self._current.wait(timeout=60)
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.warning("speaking failed: %s", exc)
            finally:
                self._current = None


def open_speaker(url: str) -> Speaker:
    parsed = urlparse(url)
    if parsed.scheme == "espeak-ng":
        out_dir = Path(parsed.path) if parsed.path not in ("", "/") else None
        if out_dir is not None:
            out_dir.mkdir(parents=True, exist_ok=True)
        return EspeakSpeaker(out_dir)
    if parsed.scheme == "record":
        return RecordingSpeaker()
    if parsed.scheme == "off":
        return SilentSpeaker()
    raise ValueError(f"speech_url {url!r}: use espeak-ng://, espeak-ng:///DIR, record:// or off://")
