"""The hall's voice, for the board's announcements and any device that speaks (the kiosk's guidance).

Imports nothing of the server. An engine says text; a pack holds one clip per word (a hall's own
recordings where it has them) and assembles sentences from them, instantly and identically each time.

    engine = open_engine(speed=1.15)                     # espeak-ng's Mandarin voice, or
    engine = open_engine(piper_model=Path("zh_CN-huayan-medium.onnx"))
    pack = VoicePack.build({"qing": "请", "hao": "号"}, engine, cache_dir=..., recorded_dir=...)
    wav = pack.assemble(["chime", "qing", "_pause", "hao"], silences={"_pause": 0.12}).wav()
    engine.phonemes("请")                                 # the phoneme trace of what it says
"""

from __future__ import annotations

from pathlib import Path

from devices.voice.errors import BadClip, VoiceUnavailable
from devices.voice.espeak import EspeakEngine, choose_voice, mandarin_voices
from devices.voice.pack import SOUNDS, Engine, VoicePack
from devices.voice.pcm import RATE, Pcm, chime, join
from devices.voice.piper import PiperEngine


def open_engine(command: str = "espeak-ng", *, piper_model: Path | None = None, speed: float = 1.0) -> Engine:
    """Piper when a model is given, espeak-ng otherwise (neither is checked until first used)."""
    if piper_model is not None:
        return PiperEngine(piper_model, speed=speed)
    return EspeakEngine(command, speed=speed)


__all__ = [
    "BadClip",
    "Engine",
    "EspeakEngine",
    "PiperEngine",
    "Pcm",
    "RATE",
    "SOUNDS",
    "VoicePack",
    "VoiceUnavailable",
    "chime",
    "choose_voice",
    "join",
    "mandarin_voices",
    "open_engine",
]
