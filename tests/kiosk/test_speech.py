"""Spoken guidance (适老化) and touch targets in large text: the real app with a recording voice, and
the real espeak-ng Mandarin voice writing what it says to WAV files."""

from __future__ import annotations

import shutil
import subprocess
import time
import wave

import pytest

from devices.voice import EspeakEngine
from kiosk.speech import VoiceSpeaker, board_voices
from tests.conftest import need

from .conftest import PORTRAIT
from .test_kiosk import confirm_and_wait_printed, start

pytestmark = pytest.mark.kiosk

# 15 mm at the density assumed for a kiosk's screen: 1080x1920 on a 21.5" panel is 102 DPI, so 60.5
# pixels (bigger panels have fewer pixels per millimetre, so this is the strictest common case).
DPI = 102.5
MIN_TARGET_PX = 15 / 25.4 * DPI


def test_large_text_speaks_titles_pressed_buttons_and_the_ticket(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    voice = d.app.speaker
    start(d)
    d.tap("dept:gcjs")
    d.wait_screen("services")
    assert voice.texts() == []  # normal text: silent unless the hall says always
    d.tap("back")
    d.wait_screen("home")
    d.tap("elderly")  # 长辈模式: the voice comes on and says where the visitor is
    assert voice.texts()[-1] == "示范区政务服务中心"
    d.tap("dept:gcjs")
    d.wait_screen("services")
    name = "工程建设项目审批（区住建局、规划和自然资源局）"
    d.wait(lambda: voice.texts()[-2:] == [name, name], 5, "the tile pressed, then the screen's title")
    d.tap("svc:build-permit:take")
    d.wait_screen("confirm")
    assert voice.texts()[-2:] == ["取号", "确认取号"]
    ticket = confirm_and_wait_printed(d)
    spoken = voice.texts()[-1]
    assert spoken.startswith("您的号码 " + " ".join(ticket["number"]))
    assert f"前面还有 {ticket['position']} 人" in spoken and "二楼H区" in spoken
    assert all(lang == "zh" for lang, _ in voice.spoken)


def test_the_kiosk_app_speaks_aloud_with_the_real_voice(make_kiosk, hall_server, tmp_path):
    need(shutil.which("espeak-ng") is not None, "espeak-ng is not installed (scripts/system-deps.sh installs it)")
    out = tmp_path / "voice"
    d = make_kiosk(hall_server, speech_url=f"espeak-ng://{out}")  # each utterance a WAV file, not the sound card
    start(d)
    d.tap("elderly")  # says where the visitor is: the hall's name
    first = out / "0001.wav"
    d.wait(first.exists, 60, "the spoken hall name")  # renamed into place whole
    with wave.open(str(first)) as w:
        assert w.getnframes() / w.getframerate() > 1.0


def test_touch_targets_in_large_text_are_at_least_15_mm(make_kiosk, hall_server):
    from kiosk.screens.widgets import unit

    d = make_kiosk(hall_server, size=PORTRAIT)
    start(d)
    d.tap("elderly")

    def small_targets() -> list[str]:
        d.pump(frames=3)
        smallest = MIN_TARGET_PX * unit()
        return [
            f"{w.kid} {w.width:.0f}x{w.height:.0f}"
            for w in d.widgets()
            if getattr(w, "kid", "")
            and hasattr(w, "on_release")
            and w.get_root_window() is not None
            and w.width > 1
            and min(w.width, w.height) < smallest
        ]

    assert small_targets() == []
    d.tap("dept:gcjs")
    d.wait_screen("services")
    assert small_targets() == []
    d.tap("svc:build-permit:guide")
    d.wait_screen("guide")
    d.wait(lambda: d.has("guide_materials"), 5)
    assert small_targets() == []
    d.tap("guide_take")
    d.wait_screen("confirm")
    assert small_targets() == []
    confirm_and_wait_printed(d)
    assert small_targets() == []
    d.tap("ticket_done")
    d.wait_screen("home")
    d.tap("elderly")  # the finished visit went back to normal text
    for action, screen in (
        ("search_box", "search"),
        ("action:card", "card"),
        ("action:status", "status"),
        ("action:appointment", "appointment"),
    ):
        d.tap(action)
        d.wait_screen(screen)
        assert small_targets() == [], screen
        d.tap("home")
        d.wait_screen("home")


def test_the_kiosk_speaks_with_the_boards_mandarin_voice(tmp_path):
    need(shutil.which("espeak-ng") is not None, "espeak-ng is not installed (scripts/system-deps.sh installs it)")
    voices = subprocess.run(["espeak-ng", "--voices=cmn"], capture_output=True, text=True).stdout
    need("cmn-latn-pinyin" in voices, "espeak-ng has no cmn-latn-pinyin voice")
    engines = board_voices()
    # The voice the board announces with, which reads characters by Mandarin rules (plain cmn does not).
    assert engines["zh"].voice == EspeakEngine().voice == "cmn-latn-pinyin"
    assert "(en)" not in engines["zh"].phonemes("请到二楼等候")
    speaker = VoiceSpeaker(engines, out_dir=tmp_path)
    try:
        speaker.speak("您的号码 T 0 0 1。前面还有 3 人。请到 二楼H区 等候叫号")
        path = tmp_path / "0001.wav"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not path.exists():
            time.sleep(0.2)
    finally:
        speaker.close()
    with wave.open(str(path)) as w:
        assert w.getnframes() / w.getframerate() > 2.0  # a sentence of Mandarin, not a click
