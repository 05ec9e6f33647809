"""The hall's voice says Mandarin: every clip of the default pack and every announcement form of the
demo hall, as espeak-ng's phoneme trace shows it, with no switch to another language; and a call's
audio is exactly those clips joined, so what is heard is what was checked.

The check is shown to fail for espeak-ng's plain `cmn` voice, which reads characters like 请 and 号
through English rules on 1.51 (`(en)kI55NTr'i:55`, "king three")."""

from __future__ import annotations

import re
import shutil

import pytest

from devices.voice import EspeakEngine, Pcm, VoicePack, choose_voice, mandarin_voices
from queue_server.domain import announcement as a
from queue_server.domain.hall import VoiceRules
from queue_server.halls import DEMO, read_hall
from queue_server.tts import LETTER_SPEED, render
from queue_server.usecases.announce import Call
from tests.conftest import need

SWITCH = re.compile(r"\(([a-z]{2,3}(?:-[a-z0-9]+)*)\)")  # espeak-ng marks a change of language as (en) ... (cmn)


def demo_forms() -> list[a.Form]:
    hall = read_hall(DEMO)
    return a.forms({s.prefix: [w.number for w in hall.windows_for(s.code)] for s in hall.services})


def problems(engine: EspeakEngine) -> list[str]:
    """Every clip and every demo form whose trace leaves Mandarin, with the trace."""
    out = []
    for name, text in a.WORDS.items():
        trace = engine.phonemes(text)
        if SWITCH.search(trace) or not trace.strip():
            out.append(f"clip {name} {text!r}: {trace}")
    sentences = sorted({a.spoken(f.words()) for f in demo_forms()})
    # One engine run for all the sentences (one per line); then the first few bad ones, each on its own.
    if SWITCH.search(engine.phonemes("\n".join(s + "。" for s in sentences))):
        bad = (f"form {s!r}: {t}" for s in sentences if SWITCH.search(t := engine.phonemes(s)))
        out += [p for _, p in zip(range(3), bad)] or ["the forms together leave Mandarin"]
    return out


@pytest.fixture(scope="module")
def voices():
    need(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    return mandarin_voices()


def test_the_chosen_voice_speaks_every_clip_and_form_in_mandarin(voices):
    engine = EspeakEngine(voice=choose_voice(voices))
    assert problems(engine) == []
    # and it is really reading them, not passing letters through: 请 is qing (tS;h'i...), 号 is hao (X'Au)
    assert engine.phonemes("请").startswith("tS;h'i") and "X'Au" in engine.phonemes("号")


def test_the_old_cmn_voice_fails_the_check(voices):
    names = [n for n, _ in voices]
    need("cmn" in names, "this espeak-ng has no plain cmn voice")
    if choose_voice(voices) == "cmn":
        pytest.skip("this espeak-ng offers no pinyin voice: plain cmn is all there is")
    found = problems(EspeakEngine(voice="cmn"))
    assert any(p.startswith("clip qing ") and "(en)" in p for p in found), found
    assert any(p.startswith("form ") for p in found), found


def test_voice_choice_follows_what_the_installed_version_offers():
    assert choose_voice([("cmn", "sit/cmn"), ("cmn-latn-pinyin", "sit/cmn-Latn-pinyin")]) == "cmn-latn-pinyin"
    assert choose_voice([("cmn", "sit/cmn"), ("cmn-Latn-pinyin", "sit/cmn-Latn-pinyin")]) == "cmn-Latn-pinyin"
    assert choose_voice([("cmn", "sit/cmn")]) == "cmn"


def test_a_calls_audio_is_the_checked_clips_joined(voices, tmp_path):
    """The clips are what the engine says for the checked texts (made here afresh, without any cache),
    and the call's WAV is those clips and silences in the announcement's order, nothing else."""
    rules = VoiceRules(speed=1.3, repeat=2)
    engine = EspeakEngine(voice=choose_voice(voices), speed=rules.speed)
    speeds = {ch: LETTER_SPEED for ch in a.LETTERS}
    pack = VoicePack.build(a.WORDS, engine, cache_dir=tmp_path / "cache", speeds=speeds)
    for name in ("qing", "E", "0", "1", "hao-chuangkou"):
        assert pack.clips[name] == engine.synthesize(a.WORDS[name], speeds.get(name, 1.0)).trimmed()
        assert pack.origin[name] == "engine"
    again = VoicePack.build(a.WORDS, engine, cache_dir=tmp_path / "cache", speeds=speeds)  # from the cache
    assert again.clips == pack.clips

    wav = render(pack, Call("demo", 7, "E001", 26, False, rules), brief=False)
    words = a.announcement("E001", 26, repeat=2)
    expected = b"".join(
        pack.clips[w].samples.tobytes()
        if w in pack.clips
        else bytes(2 * int((rules.gap_ms if w == a.GAP else rules.pause_ms) / 1000 * 22050))
        for w in words
    )
    assert Pcm.from_wav(wav).samples.tobytes() == expected
    assert a.spoken(words) == "请E 零零一号 到二十六号窗口 请E 零零一号 到二十六号窗口"
