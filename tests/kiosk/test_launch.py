"""`hallq kiosk --config FILE`: the program itself, started as an operator would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from kiosk.config import dump_config

from .conftest import PIN, events

pytestmark = pytest.mark.kiosk


def run_cli(config, env=None, timeout=30):
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "kiosk", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_a_wrong_configuration_or_no_chinese_font_stops_with_what_to_fix(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(dump_config({"server_url": "127.0.0.1:8000", "admin_pin": PIN}))
    result = run_cli(path)
    assert result.returncode == 2
    assert "server_url" in result.stderr and "token" in result.stderr

    path.write_text(dump_config({"token": "t", "admin_pin": PIN, "font": str(tmp_path / "missing.ttf")}))
    result = run_cli(path)
    assert result.returncode == 2 and "fonts-noto-cjk" in result.stderr


def test_the_demo_starts_a_kiosk_only_where_there_is_a_screen(tmp_path, monkeypatch):
    from kiosk.config import load_config
    from kiosk.launch import spawn_for_demo

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert spawn_for_demo("http://127.0.0.1:8000", "demo", "tok", tmp_path) is None
    monkeypatch.setenv("DISPLAY", ":0")
    import kiosk.launch

    started = []
    monkeypatch.setattr(kiosk.launch.subprocess, "Popen", lambda args, **kw: started.append(args) or "proc")
    assert spawn_for_demo("http://127.0.0.1:8000", "demo", "tok", tmp_path) == "proc"
    config = load_config(tmp_path / "kiosk-demo.toml", env={})
    assert (config.token, config.printer_url, config.fullscreen) == ("tok", "sim://", False)
    assert started[0][-2:] == ["--config", str(tmp_path / "kiosk-demo.toml")]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_hallq_kiosk_runs_the_kiosk_with_simulated_devices_and_stops_on_a_signal(window, hall_server, tmp_path, stop):
    kid = f"kiosk-cli-{stop.name.lower()}"  # its own devices: the server records only changes of state
    path = tmp_path / "kiosk.toml"
    path.write_text(
        dump_config(
            {
                "server_url": hall_server.url,
                "hall": "demo",
                "token": hall_server.tokens["kiosk"],
                "kiosk_id": kid,
                "printer_url": "sim://",
                "id_reader_url": "sim://",
                "admin_pin": PIN,
                "fullscreen": False,
                "window_size": [540, 960],
                "cache_dir": str(tmp_path / "cache"),
            }
        )
    )
    env = os.environ | {"KIVY_HOME": str(tmp_path / "kivy"), "KIVY_NO_FILELOG": "1"}
    since = max([e["seq"] for e in events(hall_server)], default=0)
    proc = subprocess.Popen(
        [sys.executable, "-m", "queue_server.cli", "kiosk", "--config", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 40
        seen = []
        while time.monotonic() < deadline and proc.poll() is None:
            seen = [
                e
                for e in events(hall_server, since)
                if e["type"] == "device.state" and e["data"]["device"].startswith(f"{kid}.")
            ]
            if {e["data"]["device"] for e in seen} == {f"{kid}.printer", f"{kid}.idcard"}:
                break
            time.sleep(0.3)
        assert proc.poll() is None, proc.stdout.read().decode(errors="replace")[-3000:]
        # It connected with its token, opened both simulators and told the server they are ready.
        assert {(e["data"]["device"], e["data"]["state"]) for e in seen} == {
            (f"{kid}.printer", "ok"),
            (f"{kid}.idcard", "ok"),
        }
        assert all(e["actor"] == {"kind": "device", "id": "kiosk"} for e in seen)
        proc.send_signal(stop)  # as a service manager stops it
        assert proc.wait(20) == 0, proc.stdout.read().decode(errors="replace")[-3000:]
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
