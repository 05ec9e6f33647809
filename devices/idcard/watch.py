"""Polls an ID reader in the background and reports each card once per placement: a card left
on the reader is not reported again, a card lifted and placed again is."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from devices.errors import CardError, CardRemoved, DeviceError
from devices.idcard.record import IdCard
from devices.interfaces import IdReader

log = logging.getLogger(__name__)


class CardWatcher:
    def __init__(
        self,
        reader: IdReader,
        on_card: Callable[[IdCard], None],
        on_error: Callable[[CardError], None] | None = None,
        interval: float = 0.3,
        misses_to_lift: int = 2,
        on_lift: Callable[[], None] | None = None,
    ):
        self.reader = reader
        self.on_card = on_card
        self.on_error = on_error
        self.on_lift = on_lift
        self.interval = interval
        # A reader may miss a card that is still there for one poll; two misses mean it was lifted.
        self.misses_to_lift = misses_to_lift
        self._placed = False
        self._misses = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def poll_once(self) -> None:
        try:
            present = self.reader.card_present()
        except DeviceError:
            # Reader faults reach the kiosk through the reader's health listener.
            self._placed = False
            return
        if not present:
            self._misses += 1
            if self._misses >= self.misses_to_lift and self._placed:
                self._placed = False
                if self.on_lift is not None:
                    self.on_lift()
            return
        self._misses = 0
        if self._placed:
            return
        self._placed = True
        try:
            card = self.reader.read_card()
        except CardError as exc:
            # A lifted card may come back at once; any other card error is final for this placement.
            self._placed = not isinstance(exc, CardRemoved)
            if self.on_error is not None:
                self.on_error(exc)
            return
        except DeviceError:
            self._placed = False
            return
        self.on_card(card)

    def start(self) -> CardWatcher:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="card-watcher", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:
                log.exception("ID card watcher callback failed")
            self._stop.wait(self.interval)
