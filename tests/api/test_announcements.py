"""The board's audio is the hall's own calls only: addressed by the call's event seq, assembled from
the voice pack, so no request, however many and however varied, adds to the data directory."""

from __future__ import annotations

import io
import shutil
import wave
from pathlib import Path

import httpx
import pytest

from queue_server.halls import DEMO, read_hall
from queue_server.settings import Settings
from queue_server.tts import HallVoice
from queue_server.usecases.announce import Call
from tests.conftest import need


def data_bytes(data_dir: Path) -> int:
    # The harness's own server log lives there too; it is not the server's data.
    return sum(f.stat().st_size for f in data_dir.rglob("*") if f.is_file() and not f.name.startswith("server-"))


@pytest.fixture
def srv(sqlite_url, server_factory):
    need(shutil.which("espeak-ng") is not None, "espeak-ng is not installed")
    return server_factory(sqlite_url)


def kiosk(srv) -> dict:
    return {"Authorization": f"Bearer {srv.tokens['kiosk']}"}


def call(c: httpx.Client, srv, window: int = 26, clerk: str = "clerk1") -> dict:
    assert c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk(srv)).status_code == 201
    headers = srv.login(clerk)
    c.post(f"/api/halls/demo/windows/{window}/open", headers=headers)
    r = c.post(f"/api/halls/demo/windows/{window}/call-next", headers=headers)
    assert r.status_code == 200, r.text
    return [
        e
        for e in c.get("/api/halls/demo/events", headers=srv.login("manager1")).json()["events"]
        if e["type"] == "ticket.called"
    ][-1]


def test_a_calls_audio_is_addressed_by_its_event(srv, tmp_path):
    c = httpx.Client(base_url=srv.url, timeout=30)
    ev = call(c, srv)
    assert ev["data"]["audio_url"] == f"/api/halls/demo/announcements/{ev['seq']}.wav"
    assert ev["data"]["speech"] == "请E 零零一号 到二十六号窗口"
    r = c.get(ev["data"]["audio_url"])
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav", r.text
    with wave.open(io.BytesIO(r.content)) as w:
        full = w.getnframes() / w.getframerate()
    brief = c.get(ev["data"]["audio_url"], params={"form": "brief"})
    with wave.open(io.BytesIO(brief.content)) as w:
        short = w.getnframes() / w.getframerate()
    assert 2.0 < full <= 5.0, full  # the demo hall: the chime and the call once
    assert 1.0 < short < full - 1.0, (short, full)
    assert c.get(ev["data"]["audio_url"], headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    assert c.get(ev["data"]["audio_url"]).content == r.content  # the same words always sound the same
    # ... and it is the demo hall's announcement made here from a fresh pack: the clips
    # tests/voice/test_mandarin.py checks, joined in the announcement's order
    fresh = HallVoice(Settings(data_dir=tmp_path / "fresh"))
    assert r.content == fresh.wav(Call("demo", ev["seq"], "E001", 26, False, read_hall(DEMO).voice))

    # only calls: another event, one not yet made, a bad seq, another hall
    not_call = c.get(f"/api/halls/demo/announcements/{ev['seq'] - 1}.wav")
    assert not_call.status_code == 404 and not_call.json()["code"] == "announcement_not_found"
    assert c.get(f"/api/halls/demo/announcements/{ev['seq'] + 100}.wav").json()["code"] == "announcement_not_found"
    assert c.get("/api/halls/demo/announcements/0.wav").status_code == 422
    assert c.get(f"/api/halls/demo/announcements/{ev['seq']}.wav", params={"form": "loud"}).status_code == 422
    assert c.get(f"/api/halls/nowhere/announcements/{ev['seq']}.wav").status_code == 404

    recall = c.post("/api/halls/demo/windows/26/recall", headers=srv.login("clerk1"))
    assert recall.status_code == 200
    rev = [
        e
        for e in c.get("/api/halls/demo/events", headers=srv.login("manager1")).json()["events"]
        if e["type"] == "ticket.recalled"
    ][-1]
    assert rev["data"]["speech"].startswith("再次呼叫")
    assert c.get(rev["data"]["audio_url"]).status_code == 200


def test_a_thousand_distinct_requests_leave_the_data_directory_as_it_was(srv):
    c = httpx.Client(base_url=srv.url, timeout=30)
    ev = call(c, srv)
    assert c.get(ev["data"]["audio_url"]).status_code == 200  # the first announcement makes the voice pack
    before = data_bytes(srv.data_dir)
    codes = set()
    for i in range(1000):  # free text, as the old address took it, and every seq there could be
        text = f"请 {i} 号到 {i % 31} 号窗口 " + "测" * (i % 150)
        codes.add(c.get("/api/halls/demo/announcements.wav", params={"text": text}).status_code)
        codes.add(
            c.get(f"/api/halls/demo/announcements/{i + 1}.wav", params={"form": ("full", "brief")[i % 2]}).status_code
        )
    assert codes <= {200, 404, 405}, codes
    assert data_bytes(srv.data_dir) == before
    r = c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk(srv))
    assert r.status_code == 201, r.text


def test_a_broken_recording_or_no_engine_is_a_clear_503(sqlite_url, server_factory, tmp_path, monkeypatch):
    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "hao.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEnot a clip")
    monkeypatch.setenv("HALLQ_VOICE_CLIPS_DIR", str(clips))
    srv = server_factory(sqlite_url)
    c = httpx.Client(base_url=srv.url, timeout=30)
    ev = call(c, srv)
    r = c.get(ev["data"]["audio_url"])
    assert r.status_code == 503, r.text
    assert r.json()["code"] == "tts_unavailable" and "hao.wav" in r.json()["message_en"]
    assert set(r.json()) == {"code", "message", "message_en"}
