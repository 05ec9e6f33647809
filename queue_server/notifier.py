"""The notifier: sends the outbox's text messages (usecases/notify.py queues them from the events).

It runs in the server's lifespan rather than as a separate agent following the event stream (as
the window agent does): the phone numbers it needs must never leave the store, and the stream
carries none of them. It never slows the calling path: a commit only wakes it
(call_soon_threadsafe), and the planning, the modem's seconds-long AT dialogue and the gateway's
requests run on its own thread. On several server processes (PostgreSQL) each plans, and the
outbox's rows are claimed under the hall's lock, so each message goes out once; only the process
holding the sender's lease opens the modem, which takes one AT dialogue at a time."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from devices.errors import DeviceError, DeviceUnavailable
from devices.health import DeviceStateChange
from devices.sms.modem import SmsError

from .domain.events import Recorded
from .settings import Settings
from .store.lease import Lease
from .store.store import Store
from .usecases import notify

log = logging.getLogger(__name__)
TICK = 2.0  # seconds between looks when nothing happens (changes made by other processes)
RETRY = 15.0  # seconds before a refused message is tried again
SENDER_LOCK = 0x68616C6C71534D53  # "hallqSMS": the PostgreSQL advisory lock of the sender's lease


class Sender(Protocol):
    def send(self, to: str, text: str) -> list[int]: ...

    def close(self) -> None: ...


def open_sender(settings: Settings, on_state) -> Sender | None:
    """The configured sender, or None when the hall sends no messages."""
    if settings.sms_modem_url:
        from devices.sms.open import open_modem

        return open_modem(settings.sms_modem_url, name=notify.DEVICE, on_state=on_state)
    if settings.sms_gateway_url:
        from devices.sms.gateway import HttpGateway

        return HttpGateway(
            settings.sms_gateway_url,
            method=settings.sms_gateway_method,
            token=settings.sms_gateway_token,
            user=settings.sms_gateway_user,
            password=settings.sms_gateway_password,
            name=notify.DEVICE,
            on_state=on_state,
        )
    return None


class Notifier:
    def __init__(self, store: Store, settings: Settings, tick: float = TICK):
        self.store = store
        self.settings = settings
        self.tick = tick
        self.enabled = bool(settings.sms_modem_url or settings.sms_gateway_url)
        self.sender: Sender | None = None  # opened by the process holding the lease
        self.lease = Lease(store.engine, SENDER_LOCK)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="hallq-notifier")
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._hold_until = 0.0  # after a refusal: wait before trying the modem again
        self._last: DeviceStateChange | None = None
        self._told: set[str] = set()  # halls told of the last change

    def _state(self, change: DeviceStateChange) -> None:
        """The sender's health (from this notifier's thread) becomes a device state of every hall."""
        self._last, self._told = change, set()

    def _tell(self, hall: str) -> None:
        if self._last is not None and hall not in self._told:
            notify.report_sender(self.store, hall, self._last.state, self._last.detail)
            self._told.add(hall)

    # -- one pass -------------------------------------------------------------------------------
    def pass_(self) -> None:
        sending = self.lease.held()
        halls = self.store.local_hall_ids()  # a shipped hall sends from its own server
        if sending and self.sender is None:
            # Taking the lease over: what the last holder left `sending` may have gone out.
            for hall in halls:
                notify.abandon_in_flight(self.store, hall)
            self.sender = open_sender(self.settings, self._state)
        for hall in halls:
            notify.plan(self.store, hall)
            notify.plan_reminders(self.store, hall)
            if not sending:
                continue
            self._tell(hall)
            if time.monotonic() >= self._hold_until:
                self._send(hall)
            self._tell(hall)

    def _send(self, hall: str) -> None:
        assert self.sender is not None
        for notice_id, phone, message in notify.claim(self.store, hall):
            try:
                self.sender.send(phone, message)
            except (SmsError, DeviceUnavailable) as exc:
                # Refused before it left (no SIM, no signal, no credit, no modem): try again later,
                # while it is still news (notify.STALE).
                notify.finish(self.store, hall, notice_id, "pending", str(exc))
                self._hold_until = time.monotonic() + RETRY
                return
            except DeviceError as exc:  # it may have left (an answer that never came): not again
                notify.finish(self.store, hall, notice_id, "failed", str(exc))
                continue
            notify.finish(self.store, hall, notice_id, "sent")

    # -- the loop -------------------------------------------------------------------------------
    def _notify(self, events: list[Recorded]) -> None:
        if self._loop is None or self._wake is None:
            return
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the loop has closed
            pass

    async def _run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _forever(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                await self._run(self.pass_)
            except Exception:  # noqa: BLE001 - the notifier must outlive a database hiccup
                log.exception("notifier pass failed")
            try:
                await asyncio.wait_for(self._wake.wait(), self.tick)
            except TimeoutError:
                pass

    async def start(self) -> None:
        if not self.enabled:
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        # Before the first request: the cursor starts at the log's end, not after a first ticket.
        for hall in await self._run(self.store.local_hall_ids):
            await self._run(notify.plan, self.store, hall)
        if hasattr(self.store.sink, "subscribe"):
            self.store.sink.subscribe(self._notify)
        self._task = asyncio.create_task(self._forever())

    async def stop(self) -> None:
        if hasattr(self.store.sink, "unsubscribe"):
            try:
                self.store.sink.unsubscribe(self._notify)
            except ValueError:
                pass
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self.sender is not None:
            self.sender.close()
        self.lease.release()
