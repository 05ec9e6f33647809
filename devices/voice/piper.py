"""Piper, the optional neural engine (`pip install 'hallq[voice]'`), with a voice model the hall
provides (an `.onnx` file and its `.onnx.json`, e.g. a zh_CN voice). Nothing is fetched: without the
package or the model the engine is unavailable and the server keeps espeak-ng."""

from __future__ import annotations

import hashlib
import io
import wave
from functools import cached_property
from pathlib import Path

from devices.voice.errors import VoiceUnavailable
from devices.voice.pcm import Pcm


class PiperEngine:
    def __init__(self, model: Path, speed: float = 1.0):
        self.model = Path(model)
        self.speed = speed

    @cached_property
    def _voice(self):
        try:
            from piper import PiperVoice
        except ImportError as e:
            raise VoiceUnavailable("piper-tts is not installed (pip install 'hallq[voice]')") from e
        if not self.model.is_file() or not Path(f"{self.model}.json").is_file():
            raise VoiceUnavailable(f"no Piper model at {self.model} (with {self.model.name}.json beside it)")
        try:
            return PiperVoice.load(self.model)
        except Exception as e:  # noqa: BLE001 - a broken model file is the hall's to replace, not a crash
            raise VoiceUnavailable(f"the Piper model {self.model} does not load: {e}") from e

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.model.read_bytes()).hexdigest()[:16] if self.model.is_file() else "missing"
        return f"piper|{self.model.name}|{digest}|{self.speed}"

    def available(self) -> bool:
        try:
            return self._voice is not None
        except VoiceUnavailable:
            return False

    def synthesize(self, text: str, speed: float = 1.0) -> Pcm:
        from piper import SynthesisConfig

        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            self._voice.synthesize_wav(text, w, SynthesisConfig(length_scale=1 / (self.speed * speed)))
        return Pcm.from_wav(out.getvalue())

    def phonemes(self, text: str) -> str:
        """Piper's phonemes (espeak-ng's, from the language its model names), sentence by sentence."""
        return " | ".join("".join(s) for s in self._voice.phonemize(text))
