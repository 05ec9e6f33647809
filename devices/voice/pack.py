"""A voice pack: one short clip per word, from a hall's recordings or made once by an engine.

    pack = VoicePack.build({"qing": "请", "hao": "号", ...}, EspeakEngine(speed=1.15),
                           cache_dir=data / "voice", recorded_dir=data / "voice-clips")
    pcm = pack.assemble(["chime", "qing", "A", "_pause", "0", "1", "2", "hao"], silences={"_pause": 0.12})

A recorded clip is `<recorded_dir>/<name>.wav` (16-bit PCM WAV, mono or stereo, any rate from 8 to
96 kHz); it replaces the engine's clip of that name. Engine clips are cached under
`<cache_dir>/<engine key digest>/`, so the engine runs once per word and machine; a cache that
cannot be written (a full disk) only costs making them again after a restart."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from devices.voice.errors import BadClip, VoiceUnavailable
from devices.voice.pcm import Pcm, chime, join

log = logging.getLogger(__name__)

SOUNDS: dict[str, Callable[[], Pcm]] = {"chime": chime}  # clips that are sounds, not words


class Engine(Protocol):
    @property
    def key(self) -> str: ...

    def synthesize(self, text: str, speed: float = 1.0) -> Pcm: ...

    def phonemes(self, text: str) -> str: ...


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _dir_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


class VoicePack:
    def __init__(self, clips: dict[str, Pcm], origin: dict[str, str], texts: dict[str, str]):
        self.clips = clips
        self.origin = origin  # name -> "recorded" | "engine" | "sound"
        self.texts = texts  # name -> what the engine was asked to say (words only)

    @classmethod
    def build(
        cls,
        words: Mapping[str, str],
        engine: Engine | None,
        *,
        cache_dir: Path | None = None,
        recorded_dir: Path | None = None,
        speeds: Mapping[str, float] | None = None,
        cap_bytes: int | None = None,
    ) -> VoicePack:
        """Every word's clip, plus the sounds (the chime). Raises VoiceUnavailable when a word has
        neither a recording nor an engine to say it, BadClip for an unusable recording."""
        speeds = speeds or {}
        clips: dict[str, Pcm] = {}
        origin: dict[str, str] = {}
        pack_dir = cache_dir / _digest(engine.key) if cache_dir is not None and engine is not None else None
        wrote = False
        for name in [*SOUNDS, *words]:
            recorded = recorded_dir / f"{name}.wav" if recorded_dir is not None else None
            if recorded is not None and recorded.is_file():
                try:
                    clips[name] = Pcm.from_wav(recorded.read_bytes()).trimmed()
                except BadClip as e:
                    raise BadClip(f"{recorded}: {e}") from None
                origin[name] = "recorded"
            elif name in SOUNDS:
                clips[name], origin[name] = SOUNDS[name](), "sound"
            else:
                if engine is None:
                    raise VoiceUnavailable(f"no recording {name}.wav and no speech engine")
                speed = speeds.get(name, 1.0)
                cached = pack_dir / f"{name}-{_digest(f'{words[name]}|{speed}')}.wav" if pack_dir else None
                clip = _read(cached)
                if clip is None:
                    clip = engine.synthesize(words[name], speed).trimmed()
                    if not clip.samples:
                        raise VoiceUnavailable(f"the engine said nothing for {name!r} ({words[name]!r})")
                    wrote |= _write(cached, clip)
                clips[name], origin[name] = clip, "engine"
        if wrote and cache_dir is not None and cap_bytes is not None:
            _prune(cache_dir, keep=pack_dir, cap_bytes=cap_bytes)
        return cls(clips, origin, {n: words[n] for n in words if origin[n] == "engine"})

    def assemble(self, names: list[str], silences: Mapping[str, float] | None = None, gain: float = 1.0) -> Pcm:
        """The clips in order; a name in `silences` is that many seconds of silence."""
        silences = silences or {}
        parts = []
        for name in names:
            if name in silences:
                parts.append(Pcm.silence(silences[name]))
            else:
                try:
                    parts.append(self.clips[name])
                except KeyError:
                    raise KeyError(f"the voice pack has no clip {name!r}") from None
        return join(parts).gained(gain)


_write_lock = threading.Lock()


def _read(path: Path | None) -> Pcm | None:
    if path is None:
        return None
    try:
        return Pcm.from_wav(path.read_bytes())
    except (OSError, BadClip):
        return None


def _write(path: Path | None, clip: Pcm) -> bool:
    if path is None:
        return False
    try:
        with _write_lock:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(clip.wav())
                os.replace(tmp, path)  # whole files only: a reader never sees half a clip
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return True
    except OSError as e:
        log.warning("voice clip not cached in %s: %s", path.parent, e)
        return False


def _prune(cache_dir: Path, keep: Path | None, cap_bytes: int) -> None:
    """Older packs (another engine, speed or voice) go, oldest first, while the cache is over its cap."""
    try:
        others = sorted((d for d in cache_dir.iterdir() if d.is_dir() and d != keep), key=lambda d: d.stat().st_mtime)
        total = _dir_bytes(cache_dir)
        for d in others:
            if total <= cap_bytes:
                break
            size = _dir_bytes(d)
            shutil.rmtree(d, ignore_errors=True)
            total -= size
    except OSError as e:
        log.warning("voice cache %s not pruned: %s", cache_dir, e)
