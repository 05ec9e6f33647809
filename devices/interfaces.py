"""What the kiosk and the window software need from each kind of device. Another vendor's reader,
pad or screen is one new module implementing one of these."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from devices.idcard.record import IdCard


class IdReader(Protocol):
    def card_present(self) -> bool: ...

    def read_card(self) -> IdCard: ...

    def close(self) -> None: ...


RATING_LABELS = {4: "满意", 3: "基本满意", 2: "一般", 1: "不满意"}


@dataclass(frozen=True)
class PadEvent:
    """A key pressed on a window's pad: a citizen's rating (1..4, 4 = 满意) or a clerk's key."""

    address: int
    kind: str  # "rating", "call", "recall", "pause", "evaluate"
    rating: int | None = None


class RatingPad(Protocol):
    address: int

    def poll(self) -> PadEvent | None:
        """The next key pressed since the last poll, or None."""

    def ask(self) -> None:
        """Ask the citizen to rate (the pad lights its rating keys)."""

    def cancel(self) -> None:
        """End a request to rate that was not answered."""

    def close(self) -> None: ...


class LedScreen(Protocol):
    address: int

    def show(self, digits: str) -> None:
        """A ticket number or a short text (A012, 请稍候); digits alone right-aligned."""

    def beep(self, times: int = 1) -> None: ...

    def close(self) -> None: ...
