"""The announcement audio the board plays: the server's voice pack, addressed by the call's event."""

from __future__ import annotations

import array
import io
import math
import shutil
import sys
import wave

import pytest

from devices.voice import EspeakEngine, VoiceUnavailable
from tests.conftest import need


def samples(data: bytes) -> tuple[array.array, int]:
    with wave.open(io.BytesIO(data)) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        pcm = array.array("h")
        pcm.frombytes(w.readframes(w.getnframes()))
        if sys.byteorder == "big":
            pcm.byteswap()
        return pcm, w.getframerate()


def rms(values) -> float:
    return math.sqrt(sum(v * v for v in values) / max(1, len(values)))


def test_the_announcement_of_a_call_is_audible_speech(hall):
    need(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    hall.issue("tax-general")
    hall.act(26, "open", "clerk1")
    hall.act(26, "call-next", "clerk1")
    [called] = hall.events("ticket.called")
    url = called["data"]["audio_url"]
    assert url == f"/api/halls/demo/announcements/{called['seq']}.wav"
    r = hall.http.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    pcm, rate = samples(r.content)
    seconds = len(pcm) / rate
    assert 2.0 < seconds <= 5.0, seconds  # the chime and "请 E 零零一 号 到 二十六 号窗口": a sentence, not a blip
    assert rms(pcm) > 800, "the audio is (nearly) silent"
    # speech all along: most 100 ms stretches carry sound (pauses between words are short)
    step = rate // 10
    loud = [rms(pcm[i : i + step]) > 300 for i in range(0, len(pcm) - step, step)]
    assert sum(loud) / len(loud) > 0.5
    assert sum(abs(v) >= 32767 for v in pcm) < len(pcm) * 0.001  # not clipped

    again = hall.http.get(url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304  # the board's cache revalidates cheaply
    assert hall.http.get(url).content == r.content  # the same words always sound the same

    # free text is not spoken any more: only the hall's own calls are
    assert hall.http.get("/api/halls/demo/announcements.wav", params={"text": "请"}).status_code == 404
    assert hall.http.get(f"/api/halls/nowhere/announcements/{called['seq']}.wav").status_code == 404


def test_without_an_engine_there_is_no_audio():
    with pytest.raises(VoiceUnavailable):
        EspeakEngine("hallq-no-such-speech-engine").synthesize("请")


@pytest.fixture
def no_tts(monkeypatch):
    """The next server starts without a speech engine."""
    monkeypatch.setenv("HALLQ_TTS_COMMAND", "hallq-no-such-speech-engine")


def test_without_server_speech_the_board_still_chimes(no_tts, hall, pages):
    hall.issue("tax-general")
    hall.act(26, "open", "clerk1")
    board = pages(
        f"/board.html?hall=demo&repeat=1#token={hall.token('display')}", allow=(r"status of 503",)
    )  # the board asks once, then remembers there is no server voice
    board.click("#voice-btn")
    hall.act(26, "call-next", "clerk1")
    board.wait_for_function(
        "window.hallq.announcer.log.length === 1 && window.hallq.announcer.log[0].end !== null", timeout=20000
    )
    [entry] = board.evaluate("window.hallq.announcer.log")
    # headless Chromium has no speech voices either: the chime alone
    assert entry["mode"] == "chime" and entry["number"] == "E001" and "error" not in entry, entry
