"""Window LED screen on the RS-485 bus: CMD 0x02 shows one byte per digit (0..9, 0x0A blank),
CMD 0x03 beeps, CMD 0x04 shows text in GBK (letters, digits and Chinese, as Chinese LED
controllers take it); the screen acknowledges with the command | 0x80. Old screens know only
0x02, so `show` sends digits with it and anything else as text."""

from __future__ import annotations

from devices.health import StateListener
from devices.rs485.bus import Bus, BusDevice
from devices.rs485.frame import MAX_DATA

SHOW, BEEP, TEXT, ACK = 0x02, 0x03, 0x04, 0x80
BLANK = 0x0A


def digit_bytes(digits: str, width: int) -> bytes:
    if len(digits) > width or not all(ch == " " or ch in "0123456789" for ch in digits):
        raise ValueError(f"{digits!r}: the screen shows at most {width} digits or spaces")
    return bytes(BLANK if ch == " " else int(ch) for ch in digits.rjust(width))


def text_bytes(text: str) -> bytes:
    """The GBK bytes of `text`; a character GBK lacks, or text longer than a frame, is refused."""
    try:
        data = text.encode("gbk")
    except UnicodeEncodeError as exc:
        raise ValueError(f"{text!r}: {text[exc.start : exc.end]!r} has no GBK code") from None
    if len(data) > MAX_DATA:
        raise ValueError(f"{text!r}: at most {MAX_DATA} GBK bytes in one frame")
    return data


class Rs485Led(BusDevice):
    kind = "led"

    def __init__(
        self,
        bus: Bus,
        address: int,
        width: int = 4,
        name: str | None = None,
        on_state: StateListener | None = None,
        text: bool = True,
    ):
        super().__init__(bus, address, name, on_state)
        self.width = width
        self.text = text  # False: a digits-only screen (CMD 0x02 alone)

    def show(self, text: str) -> None:
        if not self.text or all(ch in "0123456789 " for ch in text):
            self._exchange(SHOW, digit_bytes(text, self.width), SHOW | ACK)
        else:
            self._exchange(TEXT, text_bytes(text), TEXT | ACK)

    def beep(self, times: int = 1) -> None:
        if not 1 <= times <= 9:
            raise ValueError("beep 1 to 9 times")
        self._exchange(BEEP, bytes([times]), BEEP | ACK)
