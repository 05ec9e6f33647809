"""Tap to printed ticket: the real kiosk app (Kivy, in an Xvfb display started here) against
`hallq serve` on loopback, with the simulated ESC/POS printer on a pty. Each sample is one tap on
"确认取号" (the finger lifting, as buttons act on release) to the moment the printer simulator has
the whole job, cut included. Prints one JSON line; the target is p95 under 500 ms.

    python bench/kiosk_tap.py [--taps 60] [--warmup 5] [--size 1080x1920]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import Database, Server, emit

ROOT = Path(__file__).resolve().parents[1]
SERVICES = [
    "biz-setup",
    "biz-change",
    "biz-cancel",
    "food-license",
    "tax-general",
    "tax-property",
    "property-transfer",
    "property-mortgage",
    "property-query",
    "gjj-loan",
    "plan-permit",
    "build-permit",
]


def start_xvfb() -> tuple[subprocess.Popen, str]:
    if not shutil.which("Xvfb"):
        sys.exit("Xvfb is not installed (scripts/system-deps.sh installs it)")
    for n in range(200, 300):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            proc = subprocess.Popen(
                ["Xvfb", f":{n}", "-screen", "0", "1920x1920x24", "-nolisten", "tcp"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            deadline = time.monotonic() + 10
            while not Path(f"/tmp/.X11-unix/X{n}").exists():
                if proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"Xvfb :{n} did not start")
                time.sleep(0.05)
            return proc, f":{n}"
    sys.exit("no free X display number")


def percentile(values: list[float], p: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(p * len(v)))] * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--taps", type=int, default=60)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--size", default="1080x1920", help="the kiosk window, WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(x) for x in args.size.lower().split("x"))

    xvfb, display = start_xvfb()
    home = Path(tempfile.mkdtemp(prefix="hallq-kiosk-bench-"))
    os.environ.update(
        {
            "DISPLAY": display,
            "KIVY_NO_ARGS": "1",
            "KIVY_WINDOW": "sdl2",
            "KIVY_HOME": str(home),
            "KIVY_LOG_MODE": "PYTHON",
            "KIVY_NO_FILELOG": "1",
            "KIVY_NO_CONSOLELOG": "1",
        }
    )
    db = Database("sqlite")
    server = Server(db)
    app = None
    try:
        sys.path.insert(0, str(ROOT))
        from kiosk.config import KioskConfig
        from kiosk.fonts import find_cjk_font
        from kiosk.launch import configure_kivy

        configure_kivy(width, height, fullscreen=False)
        from kivy.base import EventLoop
        from kivy.tests.common import UnitTestTouch

        from kiosk.app import KioskApp

        config = KioskConfig(
            server_url=f"http://127.0.0.1:{server.port}",
            hall="demo",
            token=db.tokens["kiosk"],
            kiosk_id="kiosk-bench",
            admin_pin="2468",
            fullscreen=False,
            idle_seconds=3600,
            ticket_seconds=3600,
            printer_url="sim://",
            id_reader_url="sim://",
            cache_dir=home / "fonts",
        )
        app = KioskApp(config, find_cjk_font(cache_dir=home / "fonts"))
        EventLoop.ensure_window()
        app._run_prepare()

        def pump_until(predicate, timeout=20.0):
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise RuntimeError("timed out")
                EventLoop.idle()

        pump_until(lambda: app.sm.current == "attract" and app.kiosk.devices.printer is not None)
        sim = app.kiosk.devices.printer.simulator
        finished: list[float] = []
        original = sim._finish_job

        def finish_job():  # the simulator's thread: the moment the cut arrives
            original()
            finished.append(time.monotonic())

        sim._finish_job = finish_job

        samples, not_printed = [], 0
        for i in range(args.warmup + args.taps):
            app.touched()  # someone is at the kiosk (setup: straight to the confirmation of one matter)
            app.go("confirm", single=SERVICES[i % len(SERVICES)])
            for _ in range(3):
                EventLoop.idle()
            button = next(w for w in app.root.walk() if getattr(w, "kid", "") == "confirm_go")
            x, y = button.to_window(*button.center)
            touch = UnitTestTouch(x, y)
            touch.touch_down()
            EventLoop.idle()
            before = len(finished)
            touch.touch_up()
            lifted = time.monotonic()
            pump_until(lambda before=before: len(finished) > before and not app.issuing)
            if not sim.jobs[-1].printed:
                not_printed += 1
            if i >= args.warmup:
                samples.append(finished[before] - lifted)

        emit(
            {
                "bench": "kiosk_tap",
                "taps": len(samples),
                "window": f"{width}x{height}",
                "printer": "sim:// (ESC/POS 80mm on a pty)",
                "server": "hallq serve, SQLite, loopback",
                "p50_ms": percentile(samples, 0.50),
                "p95_ms": percentile(samples, 0.95),
                "p99_ms": percentile(samples, 0.99),
                "max_ms": round(max(samples) * 1000, 1),
                "not_printed": not_printed,
                "target_p95_ms": 500,
                "ok": percentile(samples, 0.95) < 500 and not_printed == 0,
            }
        )
    finally:
        if app is not None:
            app.shutdown()
        server.stop()
        db.close()
        xvfb.terminate()
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
