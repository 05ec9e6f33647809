"""State-change reporting shared by all adapters: the kiosk shows the change, the server records it
as a `device.state` event."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceStateChange:
    device: str
    state: str
    detail: str = ""
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


StateListener = Callable[[DeviceStateChange], None]


class Health:
    """Remembers a device's last state and calls the listener only when it changes."""

    def __init__(self, device: str, listener: StateListener | None = None):
        self.device = device
        self.listener = listener
        self.state: str | None = None
        self.detail = ""
        self._lock = threading.Lock()

    def report(self, state: str, detail: str = "") -> None:
        with self._lock:
            if state == self.state:
                return
            self.state, self.detail = state, detail
        if self.listener is None:
            return
        try:
            self.listener(DeviceStateChange(self.device, state, detail))
        except Exception:
            # A faulty listener must not turn a working device into a failing one.
            log.exception("device state listener failed for %s", self.device)
