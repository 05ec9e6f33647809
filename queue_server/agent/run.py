"""The window agent: follows the hall's stream and drives the windows' screens and pads, posts the
pads' ratings and call keys, and reports the devices' states.

One process serves any number of windows, each with its own window device token; devices on one
serial port share one bus thread. The stream resumes with `since=` after a server restart, and the
screens and pads are brought to the current state, never given again what they acknowledged."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import httpx

from devices import DeviceError, DeviceStateChange, PadEvent, open_led, open_pad
from queue_server.client import HallStream
from queue_server.domain import rating
from queue_server.domain.events import RatingSubmitted, WindowState

from . import logic
from .bus import BusWorker, Keys, Screen

log = logging.getLogger(__name__)

PAD_SCALE = rating.LEGACY
TOPICS = ("ticket", WindowState.type, RatingSubmitted.type)
PRESS_SECONDS = 10.0  # a call key pressed while the server is away is given up after this


@dataclass(frozen=True)
class WindowDevices:
    number: int
    token: str
    led: str
    pad: str | None = None
    caller: str | None = None


class Agent:
    def __init__(self, server: str, hall: str, windows: list[WindowDevices], backoff: tuple[float, float] = (0.2, 5.0)):
        if not windows:
            raise ValueError("the agent needs at least one window")
        self.server, self.hall = server.rstrip("/"), hall
        self.windows = {w.number: w for w in windows}
        self.state = logic.initial(list(self.windows))
        self.stream = HallStream(self.server, hall, token=windows[0].token, topics=TOPICS, backoff=backoff)
        self.workers: dict[int, BusWorker] = {}
        self._worker_of: dict[int, BusWorker] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._posts: asyncio.Queue | None = None
        self._devices: list = []

    # -- devices -----------------------------------------------------------------------------
    def _open_devices(self) -> None:
        for w in self.windows.values():
            led = self._open(open_led, w.led, w.number, "led")
            worker = self._worker(led.bus)
            worker.screens[w.number] = Screen(w.number, led)
            self._worker_of[w.number] = worker
            for role, url in (("pad", w.pad), ("caller", w.caller)):
                if url:
                    pad = self._open(open_pad, url, w.number, role)
                    self._worker(pad.bus).keys.append(Keys(w.number, role, pad))

    def _open(self, opener, url: str, window: int, role: str):
        kind = "led" if role == "led" else "pad"
        device = opener(
            url,
            name=f"window{window}.{role}",
            on_state=lambda change: self._threadsafe(self._report, window, kind, change),
        )
        self._devices.append(device)
        return device

    def _worker(self, bus) -> BusWorker:
        if id(bus) not in self.workers:
            self.workers[id(bus)] = BusWorker(lambda *a: self._threadsafe(self._on_key, *a))
        return self.workers[id(bus)]

    def _pad_workers(self, window: int) -> list[BusWorker]:
        return [wk for wk in self.workers.values() if any(k.window == window and k.role == "pad" for k in wk.keys)]

    def _threadsafe(self, fn, *args) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(fn, *args)

    # -- the rules' commands ------------------------------------------------------------------
    def _apply(self, commands: list[logic.Command]) -> None:
        for c in commands:
            if isinstance(c, logic.Show):
                self._worker_of[c.window].show(c.window, c.text)
            elif isinstance(c, logic.Beep):
                self._worker_of[c.window].beep(c.window, c.times)
            elif isinstance(c, (logic.Ask, logic.StopAsking)):
                for worker in self._pad_workers(c.window):
                    worker.ask(c.window, isinstance(c, logic.Ask))
            elif isinstance(c, logic.Rate):
                self._post(
                    c.window,
                    f"windows/{c.window}/rating",
                    # The RS-485 pad has four rating keys: its scores are on the four-level scale,
                    # and its 差评 carries no reason (the follow-up's return call asks).
                    {"number": c.number, "matter": c.matter, "score": c.score, "scale": PAD_SCALE},
                    None,
                )
            elif isinstance(c, logic.Press):
                self._post(c.window, f"windows/{c.window}/caller/{c.action}", {}, PRESS_SECONDS)

    def _on_key(self, window: int, role: str, event: PadEvent) -> None:
        if role == "caller" and event.kind == "rating":
            return  # a caller has no citizen in front of it
        self.state, commands = logic.on_key(self.state, window, event.kind, event.rating)
        self._apply(commands)

    def _report(self, window: int, kind: str, change: DeviceStateChange) -> None:
        self._post(
            window,
            "devices/state",
            {"device": change.device, "kind": kind, "state": change.state, "detail": change.detail[:200]},
            None,
        )

    # -- HTTP ---------------------------------------------------------------------------------
    def _post(self, window: int, path: str, body: dict, give_up_after: float | None) -> None:
        assert self._posts is not None and self._loop is not None
        deadline = None if give_up_after is None else self._loop.time() + give_up_after
        self._posts.put_nowait((window, path, body, deadline))

    async def _poster(self) -> None:
        """Posts in order; a post the server did not receive (down, restarting) is sent again, so a
        press is not lost; one it answered, even with a refusal, is not (a rating twice is 409)."""
        assert self._posts is not None and self._loop is not None
        async with httpx.AsyncClient(base_url=f"{self.server}/api/halls/{self.hall}/", timeout=10) as http:
            while True:
                window, path, body, deadline = await self._posts.get()
                delay = 0.2
                while True:
                    headers = {"Authorization": f"Bearer {self.windows[window].token}"}
                    r: httpx.Response | None
                    try:
                        r = await http.post(path, json=body, headers=headers)
                    except httpx.HTTPError as exc:
                        r, reason = None, str(exc) or type(exc).__name__
                    else:
                        reason = f"{r.status_code} {r.text[:200]}"
                    if r is not None and r.status_code < 500:
                        if r.status_code >= 400:
                            log.warning("window %s: POST %s refused: %s", window, path, reason)
                        break
                    if deadline is not None and self._loop.time() > deadline:
                        log.warning("window %s: POST %s given up: %s", window, path, reason)
                        break
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)

    # -- the stream ---------------------------------------------------------------------------
    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._posts = asyncio.Queue()
        self._open_devices()
        self._apply(logic.screens(self.state))
        for worker in self.workers.values():
            worker.start()
        poster = asyncio.create_task(self._poster())
        try:
            async with self.stream as stream:
                async for msg in stream:
                    self.state, commands = logic.on_event(self.state, msg)
                    self._apply(commands)
        finally:
            poster.cancel()
            await asyncio.gather(poster, return_exceptions=True)
            await asyncio.to_thread(self.close)

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        for device in self._devices:
            try:
                device.close()
            except DeviceError:
                pass
