"""The board's voice on the server: a call's announcement assembled from the voice pack.

The pack (devices/voice) is the hall's recorded clips (`HALLQ_VOICE_CLIPS_DIR`, default
data/voice-clips) and, for every word it lacks, a clip the engine makes once and caches under
data/voice (capped at `HALLQ_VOICE_CACHE_BYTES`), at the first announcement after a start (a second
or two; the cached clips are read back later). An announcement is then a join of clips: instant,
the same each time, and nothing per call touches the disk. Assembled announcements are kept in
memory up to `HALLQ_VOICE_MEMORY_BYTES`, so a hall's twenty boards asking for one call cost one join."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import TYPE_CHECKING

from .domain import announcement
from .domain.hall import VoiceRules
from .settings import Settings
from .usecases.announce import Call

if TYPE_CHECKING:
    from devices.voice import Engine, VoicePack

LETTER_SPEED = 0.85  # a letter said a little slower than the words around it: it is spelled, not read


class VoiceError(RuntimeError):
    """The hall has no voice now (no engine, or a recorded clip that is not a usable WAV)."""


class HallVoice:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._packs: dict[float, VoicePack] = {}
        self._lock = threading.Lock()
        self._memory: OrderedDict[tuple, bytes] = OrderedDict()
        self._memory_bytes = 0

    def engine(self, speed: float) -> Engine:
        from devices.voice import open_engine

        s = self.settings
        return open_engine(s.tts_command, piper_model=s.voice_piper_model, speed=speed)

    def pack(self, speed: float) -> VoicePack:
        # Imported here, not with the server: `devices` loads every device driver (python-escpos
        # alone takes a second), which a server process needs only once it speaks.
        from devices.voice import BadClip, VoicePack, VoiceUnavailable

        with self._lock:  # made once per pace, however many boards ask at once
            pack = self._packs.get(speed)
            if pack is None:
                try:
                    pack = VoicePack.build(
                        announcement.WORDS,
                        self.engine(speed),
                        cache_dir=self.settings.data_dir / "voice",
                        recorded_dir=self.settings.resolved_voice_clips_dir(),
                        speeds={ch: LETTER_SPEED for ch in announcement.LETTERS},
                        cap_bytes=self.settings.voice_cache_bytes,
                    )
                except (VoiceUnavailable, BadClip) as e:
                    raise VoiceError(str(e)) from e
                self._packs[speed] = pack
            return pack

    def wav(self, call: Call, brief: bool = False) -> bytes:
        key = (call.hall, call.seq, brief, call.voice)
        with self._lock:
            hit = self._memory.get(key)
            if hit is not None:
                self._memory.move_to_end(key)
                return hit
        data = render(self.pack(call.voice.speed), call, brief)
        with self._lock:
            if key not in self._memory:
                self._memory[key] = data
                self._memory_bytes += len(data)
            while self._memory_bytes > self.settings.voice_memory_bytes and self._memory:
                _, old = self._memory.popitem(last=False)
                self._memory_bytes -= len(old)
        return data


def render(pack: VoicePack, call: Call, brief: bool) -> bytes:
    rules: VoiceRules = call.voice
    words = announcement.announcement(call.number, call.window, repeat=rules.repeat, recall=call.recall, brief=brief)
    silences = {announcement.PAUSE: rules.pause_ms / 1000, announcement.GAP: rules.gap_ms / 1000}
    return pack.assemble(words, silences, gain=rules.volume).wav()
