"""The voice pack: a hall's recordings replace the engine's clips, the engine's are made once and
cached within a byte cap, and a cache that cannot be written costs nothing but the cache."""

from __future__ import annotations

import array
import math
import os
import shutil
import wave
from pathlib import Path

import pytest

from devices.voice import BadClip, EspeakEngine, Pcm, PiperEngine, VoicePack, VoiceUnavailable
from tests.conftest import need

WORDS = {"qing": "请", "hao": "号", "1": "一"}


@pytest.fixture
def engine():
    need(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    return EspeakEngine(speed=1.3)


def tone_wav(path: Path, rate: int, channels: int, seconds: float = 0.3) -> None:
    n = int(rate * seconds)
    frames = array.array(
        "h", (int(8000 * math.sin(2 * math.pi * 440 * i / rate)) for i in range(n) for _ in range(channels))
    )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames.tobytes())


def test_a_recorded_clip_replaces_the_engines_at_any_rate(engine, tmp_path):
    rec = tmp_path / "clips"
    rec.mkdir()
    tone_wav(rec / "hao.wav", 44100, 2)
    tone_wav(rec / "chime.wav", 16000, 1, 0.5)
    pack = VoicePack.build(WORDS, engine, cache_dir=tmp_path / "cache", recorded_dir=rec)
    assert pack.origin == {"chime": "recorded", "qing": "engine", "hao": "recorded", "1": "engine"}
    assert pack.clips["hao"].rate == 22050 and abs(pack.clips["hao"].seconds - 0.3) < 0.01
    assert abs(pack.clips["chime"].seconds - 0.5) < 0.01
    joined = pack.assemble(["qing", "_p", "hao"], silences={"_p": 0.1})
    assert len(joined.samples) == len(pack.clips["qing"].samples) + 2205 + len(pack.clips["hao"].samples)
    with pytest.raises(KeyError, match="no clip"):
        pack.assemble(["banli"])


def test_an_unusable_recording_is_named(engine, tmp_path):
    rec = tmp_path / "clips"
    rec.mkdir()
    with wave.open(str(rec / "qing.wav"), "wb") as w:  # 8-bit: not what the pack takes
        w.setnchannels(1)
        w.setsampwidth(1)
        w.setframerate(8000)
        w.writeframes(bytes(800))
    with pytest.raises(BadClip, match="qing.wav.*16-bit"):
        VoicePack.build(WORDS, engine, recorded_dir=rec)


def test_a_recording_for_every_word_needs_no_engine(tmp_path):
    for name in WORDS:
        tone_wav(tmp_path / f"{name}.wav", 22050, 1)
    pack = VoicePack.build(WORDS, None, recorded_dir=tmp_path)
    assert set(pack.origin.values()) == {"recorded", "sound"}
    with pytest.raises(VoiceUnavailable):
        VoicePack.build(WORDS | {"dao": "到"}, None, recorded_dir=tmp_path)


def test_the_engine_runs_once_per_word_and_the_cache_keeps_to_its_cap(engine, tmp_path):
    cache = tmp_path / "cache"
    first = VoicePack.build(WORDS, engine, cache_dir=cache)
    [pack_dir] = list(cache.iterdir())
    stamps = {p.name: p.stat().st_mtime_ns for p in pack_dir.iterdir()}
    assert len(stamps) == len(WORDS)
    again = VoicePack.build(WORDS, engine, cache_dir=cache)
    assert again.clips == first.clips
    assert {p.name: p.stat().st_mtime_ns for p in pack_dir.iterdir()} == stamps  # read, not made again

    one_pack = sum(p.stat().st_size for p in pack_dir.iterdir())
    os.utime(pack_dir, (1, 1))  # the older pack
    VoicePack.build(WORDS, EspeakEngine(speed=1.0), cache_dir=cache, cap_bytes=int(one_pack * 1.5))
    remaining = list(cache.iterdir())
    assert len(remaining) == 1 and remaining[0] != pack_dir


def test_a_cache_that_cannot_be_written_still_gives_the_pack(engine, tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the cache folder should be")  # mkdir fails as on a full or read-only disk
    pack = VoicePack.build(WORDS, engine, cache_dir=blocked)
    assert pack.clips["qing"].seconds > 0.1
    assert blocked.read_text().startswith("a file")


def test_wav_from_an_engine_pipe_with_unfixed_sizes():
    pcm = Pcm(array.array("h", [0, 1000, -1000, 0] * 100))
    data = bytearray(pcm.wav())
    data[4:8] = data[40:44] = (0x7FFFFFFF).to_bytes(4, "little")  # what espeak-ng leaves on a pipe
    assert Pcm.from_wav(bytes(data)).samples == pcm.samples
    with pytest.raises(BadClip):
        Pcm.from_wav(b"not a wav at all")


def test_piper_with_a_hall_provided_model(tmp_path):
    """Runs where a hall's Piper model is at HALLQ_TEST_PIPER_MODEL; nothing is ever downloaded."""
    model = os.environ.get("HALLQ_TEST_PIPER_MODEL")
    missing = PiperEngine(tmp_path / "none.onnx")
    assert not missing.available()
    if not model:
        pytest.skip("no Piper voice model (set HALLQ_TEST_PIPER_MODEL to a .onnx file with its .onnx.json)")
    try:
        import piper  # noqa: F401
    except ImportError:
        pytest.skip("piper-tts is not installed (pip install 'hallq[voice]')")
    engine = PiperEngine(Path(model))
    assert engine.available()
    pack = VoicePack.build(WORDS, engine)
    assert all(c.seconds > 0.05 for c in pack.clips.values())
    assert "(" not in engine.phonemes("请")
