"""Starting the kiosk: `hallq kiosk --config FILE` or `python -m kiosk --config FILE`.

Kivy reads the command line and creates its window when first imported, so the configuration and
the font are checked, and Kivy configured, before anything of Kivy is imported."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from .config import ConfigError, KioskConfig, dump_config, load_config
from .fonts import FontFiles, FontMissing, find_cjk_font


def prepare_environment() -> None:
    os.environ.setdefault("KIVY_NO_ARGS", "1")  # the command line is ours, not Kivy's
    os.environ.setdefault("KIVY_LOG_MODE", "MIXED")
    # SDL would turn SIGTERM and SIGINT into a window-close request, which the kiosk refuses (only
    # the admin PIN closes it); a service manager's stop must stop it, so the signals stay ours.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")


def configure_kivy(width: int, height: int, fullscreen: bool) -> None:
    """Window and input settings; call before kivy.core.window is imported."""
    prepare_environment()
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")  # only the admin PIN ends the program
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("kivy", "keyboard_mode", "system")  # our own keypads; no floating virtual keyboard
    Config.set("input", "mouse", "mouse,disable_multitouch")  # no red multitouch dots on right click
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1" if fullscreen else "0")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    # No multisampling: flat shapes and text do not need it, and on a kiosk PC's integrated (or
    # software) GPU it makes every frame slower.
    Config.set("graphics", "multisamples", "0")


def check(config_path: Path) -> tuple[KioskConfig, FontFiles]:
    """The configuration and a CJK font, or ConfigError / FontMissing saying what to fix."""
    config = load_config(config_path)
    fonts = find_cjk_font(config.font, config.font_bold, config.cache_dir)
    return config, fonts


def main(config_path: Path | str) -> int:
    try:
        config, fonts = check(Path(config_path))
    except (ConfigError, FontMissing) as exc:
        print(f"hallq kiosk: {exc}", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    configure_kivy(*config.window_size, fullscreen=config.fullscreen)
    from .app import KioskApp

    app = KioskApp(config, fonts)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda number, frame: app.stop_on_signal(number))
    app.run()
    return 0


DEMO_PIN = "2468"


def spawn_for_demo(
    server_url: str, hall: str, token: str, data_dir: Path, size: tuple[int, int] = (720, 1280)
) -> subprocess.Popen | None:
    """For `hallq demo`: a windowed kiosk with simulated devices beside the server, when there is a
    screen to show it on (None otherwise). Its configuration is written to data_dir/kiosk-demo.toml."""
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        return None
    path = Path(data_dir) / "kiosk-demo.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        dump_config(
            {
                "server_url": server_url,
                "hall": hall,
                "token": token,
                "kiosk_id": "kiosk-demo",
                "printer_url": "sim://",
                "id_reader_url": "sim://",
                "admin_pin": DEMO_PIN,
                "fullscreen": False,
                "window_size": list(size),
            }
        ),
        encoding="utf-8",
    )
    return subprocess.Popen([sys.executable, "-m", "kiosk", "--config", str(path)])
