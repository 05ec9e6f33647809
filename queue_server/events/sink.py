"""Where committed events go after a transaction: the live fan-out subscribes here."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Protocol

from ..domain.events import Recorded

log = logging.getLogger(__name__)


class EventSink(Protocol):
    def publish(self, events: list[Recorded]) -> None: ...


class LocalBus:
    """In-process fan-out to subscribers (the websocket hub, tests). Publishing never raises:
    the events are already committed, and a failing listener must not fail the request."""

    def __init__(self) -> None:
        self._subscribers: list[Callable[[list[Recorded]], None]] = []

    def subscribe(self, fn: Callable[[list[Recorded]], None]) -> None:
        self._subscribers.append(fn)

    def unsubscribe(self, fn: Callable[[list[Recorded]], None]) -> None:
        self._subscribers.remove(fn)

    def publish(self, events: list[Recorded]) -> None:
        for fn in list(self._subscribers):
            try:
                fn(events)
            except Exception:  # noqa: BLE001 - see the class docstring
                log.exception("event subscriber failed")
