"""Window LED screen on the RS-485 bus: CMD 0x02 shows one byte per digit (0..9, 0x0A blank),
CMD 0x03 beeps; the screen acknowledges with the command | 0x80."""
from __future__ import annotations

from typing import Optional

from devices.health import StateListener
from devices.rs485.bus import Bus, BusDevice

SHOW, BEEP, ACK = 0x02, 0x03, 0x80
BLANK = 0x0A


def digit_bytes(digits: str, width: int) -> bytes:
    if len(digits) > width or not all(ch == " " or ch in "0123456789" for ch in digits):
        raise ValueError(f"{digits!r}: the screen shows at most {width} digits or spaces")
    return bytes(BLANK if ch == " " else int(ch) for ch in digits.rjust(width))


class Rs485Led(BusDevice):
    kind = "led"

    def __init__(self, bus: Bus, address: int, width: int = 4, name: Optional[str] = None,
                 on_state: Optional[StateListener] = None):
        super().__init__(bus, address, name, on_state)
        self.width = width

    def show(self, digits: str) -> None:
        self._exchange(SHOW, digit_bytes(digits, self.width), SHOW | ACK)

    def beep(self, times: int = 1) -> None:
        if not 1 <= times <= 9:
            raise ValueError("beep 1 to 9 times")
        self._exchange(BEEP, bytes([times]), BEEP | ACK)
