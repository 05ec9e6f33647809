"""espeak-ng, the default engine: offline, on every Debian-like system (`apt install espeak-ng`).

Its Mandarin voice is chosen from what the installed espeak-ng offers: the one that reads Latin
letters as pinyin (`cmn-latn-pinyin` on 1.51), never plain `cmn` there, which reads many characters
through English rules (请 as "king three")."""

from __future__ import annotations

import shutil
import subprocess
from functools import cached_property

from devices.voice.errors import VoiceUnavailable
from devices.voice.pcm import Pcm

NORMAL_WPM = 175  # espeak-ng's own default pace
TIMEOUT = 15.0


def _run(args: list[str], text: str | None = None) -> bytes:
    try:
        done = subprocess.run(
            args, input=text.encode() if text is not None else None, capture_output=True, timeout=TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        raise VoiceUnavailable(f"{args[0]} failed: {e}") from e
    if done.returncode != 0:
        raise VoiceUnavailable(f"{args[0]} exited {done.returncode}: {done.stderr[-300:]!r}")
    return done.stdout


def mandarin_voices(command: str = "espeak-ng") -> list[tuple[str, str]]:
    """(voice name, voice file) of the installed espeak-ng's Mandarin voices."""
    exe = shutil.which(command)
    if exe is None:
        raise VoiceUnavailable(f"{command} is not installed")
    out = []
    for line in _run([exe, "--voices=cmn"]).decode(errors="replace").splitlines()[1:]:
        cols = line.split()
        if len(cols) >= 5 and (cols[1].startswith("cmn") or "(zh-cmn" in line):
            out.append((cols[1], cols[4]))
    return out


def choose_voice(voices: list[tuple[str, str]]) -> str:
    """The voice that reads Mandarin with Mandarin rules throughout: the pinyin one where it exists
    (its name differs between versions: cmn-latn-pinyin, cmn-Latn-pinyin), else plain cmn."""
    for name, file in voices:
        if "pinyin" in name.lower() or "pinyin" in file.lower():
            return name
    for name, _ in voices:
        if name == "cmn":
            return name
    raise VoiceUnavailable("the installed espeak-ng has no Mandarin voice")


class EspeakEngine:
    """Speaks text with espeak-ng. `voice=None` picks the Mandarin voice the installed version offers."""

    def __init__(self, command: str = "espeak-ng", voice: str | None = None, speed: float = 1.0, amplitude: int = 160):
        self.command = command
        self._voice = voice
        self.wpm = max(80, min(450, round(NORMAL_WPM * speed)))
        self.amplitude = amplitude

    @cached_property
    def exe(self) -> str:
        exe = shutil.which(self.command)
        if exe is None:
            raise VoiceUnavailable(f"{self.command} is not installed")
        return exe

    @cached_property
    def voice(self) -> str:
        return self._voice or choose_voice(mandarin_voices(self.command))

    @cached_property
    def version(self) -> str:
        return _run([self.exe, "--version"]).decode(errors="replace").split("Data at")[0].strip()

    @property
    def key(self) -> str:
        """Changes whenever the same text could sound different: the pack cached under it is then redone."""
        return f"{self.version}|{self.voice}|{self.wpm}|{self.amplitude}"

    def available(self) -> bool:
        try:
            return bool(self.voice)
        except VoiceUnavailable:
            return False

    def synthesize(self, text: str, speed: float = 1.0) -> Pcm:
        wpm = max(80, min(450, round(self.wpm * speed)))
        raw = _run(
            [self.exe, "-v", self.voice, "-s", str(wpm), "-a", str(self.amplitude), "-b", "1", "--stdin", "--stdout"],
            text,
        )
        return Pcm.from_wav(raw)

    def phonemes(self, text: str) -> str:
        """espeak-ng's phoneme trace (`-x`); a switch to another language shows as `(en)`…"""
        return _run([self.exe, "-v", self.voice, "-b", "1", "-x", "-q", "--stdin"], text).decode().strip()
