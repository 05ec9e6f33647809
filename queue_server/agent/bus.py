"""The devices of one RS-485 bus, driven from one thread: each screen and pad is brought to what it
should show (the last text, beeps not yet made, asking or not), then the pads are polled.

A device that stops answering on a working port is taken as knowing nothing (a screen that lost
power comes back blank), so once it answers again it is given its current text and request once
more. When the port itself goes (the adapter unplugged), the devices on the wires keep what they
show, so only what changed meanwhile is sent when it is back: what a device acknowledged is not
sent again."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from devices import DeviceError, DeviceUnavailable, PadEvent, Rs485Led, Rs485Pad

log = logging.getLogger(__name__)

KeyListener = Callable[[int, str, PadEvent], None]  # (window, "pad" or "caller", event)


@dataclass
class Screen:
    window: int
    led: Rs485Led
    want: str | None = None
    shown: str | None = None  # acknowledged by the screen; None: unknown
    beeps: int = 0  # still to make


@dataclass
class Keys:
    window: int
    role: str  # "pad" (rates and calls) or "caller" (call keys only)
    pad: Rs485Pad
    want_ask: bool = False
    asking: bool | None = None  # acknowledged by the pad; None: unknown


class BusWorker:
    def __init__(self, on_key: KeyListener, poll_seconds: float = 0.05, retry_seconds: float = 0.5):
        self.on_key = on_key
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.screens: dict[int, Screen] = {}
        self.keys: list[Keys] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hallq-rs485", daemon=True)

    # -- what the agent wants (any thread) ------------------------------------------------------
    def show(self, window: int, text: str) -> None:
        with self._lock:
            self.screens[window].want = text
        self._wake.set()

    def beep(self, window: int, times: int) -> None:
        with self._lock:
            screen = self.screens[window]
            screen.beeps = min(9, screen.beeps + times)
        self._wake.set()

    def ask(self, window: int, asking: bool) -> None:
        with self._lock:
            for keys in self.keys:
                if keys.window == window and keys.role == "pad":
                    keys.want_ask = asking
        self._wake.set()

    # -- the bus thread -------------------------------------------------------------------------
    def start(self) -> BusWorker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(5)

    def _run(self) -> None:
        port_gone = False
        while not self._stop.is_set():
            errors = [self._sync_screen(screen) for screen in list(self.screens.values())]
            errors += [self._sync_keys(keys) for keys in self.keys]
            gone = next((e for e in errors if isinstance(e, DeviceUnavailable)), None)
            devices = [s.led for s in self.screens.values()] + [k.pad for k in self.keys]
            if gone is not None:
                # Without the port nothing on the bus answers, a screen with nothing new to show
                # included: the dashboard shows them all unreachable.
                for device in devices:
                    device.health.report("unreachable", str(gone))
            elif port_gone:
                for device in devices:  # reachable again; a dead one is found at its next exchange
                    if device.health.state == "unreachable":
                        device.health.report("ok")
            port_gone = gone is not None
            self._wake.wait(self.retry_seconds if any(errors) else self.poll_seconds)
            self._wake.clear()

    def _sync_screen(self, screen: Screen) -> DeviceError | None:
        with self._lock:
            want, beeps = screen.want, screen.beeps
        try:
            if want is not None and want != screen.shown:
                screen.led.show(want)
                screen.shown = want
            if beeps:
                screen.led.beep(beeps)
                with self._lock:
                    screen.beeps -= beeps
        except DeviceError as exc:
            if not isinstance(exc, DeviceUnavailable):
                screen.shown = None
            log.debug("screen of window %s: %s", screen.window, exc)
            return exc
        except ValueError as exc:  # text the screen cannot show: say so once, do not retry it
            log.warning("screen of window %s cannot show %r: %s", screen.window, want, exc)
            screen.shown = want
        return None

    def _sync_keys(self, keys: Keys) -> DeviceError | None:
        with self._lock:
            want = keys.want_ask
        try:
            if keys.role == "pad" and want != keys.asking:
                keys.pad.ask() if want else keys.pad.cancel()
                keys.asking = want
            event = keys.pad.poll()
        except DeviceError as exc:
            if not isinstance(exc, DeviceUnavailable):
                keys.asking = None
            log.debug("%s of window %s: %s", keys.role, keys.window, exc)
            return exc
        if event is not None:
            if event.kind == "rating":
                keys.asking = False  # the pad puts its keys out once pressed
                with self._lock:
                    keys.want_ask = False
            self.on_key(keys.window, keys.role, event)
        return None
