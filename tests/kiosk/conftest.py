"""Kiosk tests: the real Kivy app in an Xvfb display started here, against a live queue server on
loopback, with the printer and ID-card simulators on ptys (`sim://` devices).

Screenshots go to --screenshots-dir (default: a temporary folder), under kiosk/: every test leaves
one in kiosk/tests/, and the `screenshots` tests save every screen in kiosk/portrait-* (1080x1920)
and kiosk/landscape-* (1920x1080)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import need
from tests.support import live

PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)
# The behaviour tests run on a smaller portrait screen (the same layout, scaled): a software-rendered
# 1080x1920 frame costs about 0.1 s, and they draw many frames. The screenshot tests use full size.
SMALL = (720, 1280)
PIN = "2468"
# A server process starting on a machine whose cores are saturated can take a minute to import.
SERVER_START_SECONDS = 120


def _free_display() -> int:
    for n in range(90, 190):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number between :90 and :189")


@pytest.fixture(scope="session")
def fonts(tmp_path_factory):
    from kiosk.fonts import FontMissing, find_cjk_font

    try:
        return find_cjk_font(cache_dir=tmp_path_factory.getbasetemp().parent / "hallq-kiosk-fonts")
    except FontMissing as exc:
        need(False, str(exc))


@pytest.fixture(scope="session")
def window(tmp_path_factory, fonts):
    """One X display and one Kivy window for the whole session (Kivy has one window per process)."""
    need(shutil.which("Xvfb") is not None, "Xvfb is not installed (scripts/system-deps.sh installs it)")
    # Only look: importing Kivy now would fix its settings before the environment below is set.
    need(importlib.util.find_spec("kivy") is not None, "Kivy is not installed (pip install -e '.[kiosk]')")
    number = _free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", f":{number}", "-screen", "0", "1920x1920x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if xvfb.poll() is not None or time.monotonic() > deadline:
            xvfb.kill()
            need(False, f"Xvfb :{number} did not start")
        time.sleep(0.05)
    home = tmp_path_factory.mktemp("kivy-home")
    os.environ.update(
        {
            "DISPLAY": f":{number}",
            "KIVY_NO_ARGS": "1",
            "KIVY_WINDOW": "sdl2",
            "KIVY_HOME": str(home),
            "KIVY_LOG_MODE": "PYTHON",
            "KIVY_NO_FILELOG": "1",
            "KIVY_NO_CONSOLELOG": "1",
            "KIVY_METRICS_DENSITY": "1",
        }
    )
    from kiosk.launch import configure_kivy

    configure_kivy(*PORTRAIT, fullscreen=False)
    from kivy.base import EventLoop
    from kivy.core.window import Window

    EventLoop.ensure_window()
    yield Window
    Window.close()
    xvfb.terminate()
    try:
        xvfb.wait(10)
    except subprocess.TimeoutExpired:
        xvfb.kill()


def set_window_size(size: tuple[int, int]) -> None:
    from kivy.base import EventLoop
    from kivy.core.window import Window

    if tuple(Window.size) != size:
        Window.size = size
        deadline = time.monotonic() + 5
        while tuple(Window.size) != size and time.monotonic() < deadline:
            EventLoop.idle()
        assert tuple(Window.size) == size, f"the window stays at {Window.size}, not {size}"


def start_server(tmp_path: Path, clock: str = live.CLOCK) -> live.LiveServer:
    url = f"sqlite:///{tmp_path / 'hallq.db'}"
    tokens = live.prepare(url)
    srv = live.LiveServer(db_url=url, data_dir=tmp_path, clock=clock).start(SERVER_START_SECONDS)
    srv.tokens = tokens
    return srv


@pytest.fixture(scope="session")
def hall_server(tmp_path_factory):
    """A server shared by the kiosk tests that do not stop it; tests use different people and
    services where a per-person cap could make them depend on each other."""
    srv = start_server(tmp_path_factory.mktemp("kiosk-server"))
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def evening_server(tmp_path_factory):
    """Wednesday 19:00 (政务夜办): evening services open, the others closed. The outage test
    stops and starts it, and leaves it running."""
    srv = start_server(tmp_path_factory.mktemp("kiosk-evening"), clock="2026-11-25T19:00:00+08:00")
    yield srv
    srv.stop()


def events(srv, since: int = 0) -> list[dict]:
    """The server's audit trail (as the hall manager reads it)."""
    import httpx

    if getattr(srv, "manager", None) is None:
        srv.manager = srv.login("manager1")
    return httpx.get(
        f"{srv.url}/api/halls/demo/events", params={"since": since, "limit": 5000}, headers=srv.manager
    ).json()["events"]


@pytest.fixture
def make_kiosk(window, fonts, tmp_path, screenshots_dir, request):
    """make_kiosk(server, **settings) -> a Driver of a running kiosk app, configured through a
    TOML file as `hallq kiosk --config` reads it. The app is stopped after the test."""
    from kiosk.config import dump_config, load_config

    apps = []

    def make(srv, size=SMALL, wait_devices=True, first_screen="attract", **settings):
        from kiosk.app import KioskApp

        from .driver import Driver

        set_window_size(size)
        values = dict(
            server_url=srv.url,
            hall="demo",
            token=srv.tokens["kiosk"],
            kiosk_id="kiosk-t1",
            printer_url="sim://",
            id_reader_url="sim://",
            admin_pin=PIN,
            fullscreen=False,
            idle_seconds=600,
            ticket_seconds=600,
            refresh_seconds=2,
            retry_min_seconds=0.2,
            retry_max_seconds=1.0,
            issue_retry_seconds=1.0,
            printer_poll_seconds=5,
            speech_url="record://",
        )
        values.update(settings)
        path = tmp_path / "kiosk.toml"
        path.write_text(dump_config(values), encoding="utf-8")
        app = KioskApp(load_config(path), fonts)
        app._run_prepare()
        apps.append(app)
        driver = Driver(app, screenshots_dir / "kiosk" / "tests")
        driver.wait(lambda: app.sm.current == first_screen, 20, "the kiosk to connect")
        if wait_devices:
            driver.wait(
                lambda: app.kiosk.devices.printer is not None and app.kiosk.devices.watcher is not None,
                10,
                "the simulated devices to open",
            )
        driver.pump(frames=3)
        return driver

    yield make
    from kivy.base import EventLoop
    from kivy.core.window import Window

    for app in apps:
        app.shutdown()
        for child in list(Window.children):
            Window.remove_widget(child)
        EventLoop.touches.clear()
    from kivy.app import App

    App._running_app = None
