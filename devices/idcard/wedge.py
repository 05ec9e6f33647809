"""Keyboard-wedge ID readers: they type the 18-character number and Enter into whatever has the
focus. The kiosk forwards its key presses to `feed`; keys typed slower than a machine types
(a person at the on-screen keyboard) are not taken for a card."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from devices.errors import NoCard
from devices.health import Health, StateListener
from devices.idcard.record import IdCard, validate

NUMBER_LENGTH = 18


class WedgeReader:
    def __init__(
        self,
        name: str = "idcard",
        on_state: StateListener | None = None,
        max_gap: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
        today: Callable[[], date] = date.today,
    ):
        self.health = Health(name, on_state)
        self.max_gap = max_gap
        self.clock = clock
        self.today = today
        self._typed = ""
        self._last_key = float("-inf")
        self._pending: str | None = None
        self.health.report("ok", "keyboard wedge: no status channel")

    def feed(self, keys: str) -> None:
        for key in keys:
            now = self.clock()
            if now - self._last_key > self.max_gap:
                self._typed = ""
            self._last_key = now
            if key in "\r\n":
                if len(self._typed) == NUMBER_LENGTH:
                    self._pending = self._typed
                self._typed = ""
            elif key.isdigit() and key.isascii() or key in "Xx":
                self._typed = (self._typed + key.upper())[-NUMBER_LENGTH - 1 :]
            else:
                self._typed = ""

    def card_present(self) -> bool:
        return self._pending is not None

    def read_card(self) -> IdCard:
        number, self._pending = self._pending, None
        if number is None:
            raise NoCard("no number typed by the reader")
        return validate(IdCard.from_number(number, source="wedge"), self.today())

    def close(self) -> None:
        self._pending = None
