"""Text messages to a citizen who left a phone number: which moments send one, and what it says.

A message is one kind and the facts it needs. Each is sent at most once per (ticket, kind, key):
the key is the seq of the event that caused it, or 0 for a kind sent once per ticket (`near`).
A later kind (a 差评 follow-up, a booking reminder the day before) is one more entry here, keyed
by its own record (the rating, the booking) instead of a ticket."""

from __future__ import annotations

import re
from dataclasses import dataclass

PHONE = re.compile(r"^1[3-9]\d{9}$")  # a mainland mobile number (11 digits, 13x-19x)

NEAR = "near"
CALLED = "called"
RECALLED = "recalled"
NO_SHOW = "no_show"
KINDS = (NEAR, CALLED, RECALLED, NO_SHOW)
ONCE_PER_TICKET = frozenset({NEAR})


def normalise_phone(text: str) -> str | None:
    """A mobile number as given (spaces, dashes, +86 allowed), or None when it is not one."""
    digits = re.sub(r"[\s-]", "", text).removeprefix("+86").removeprefix("0086")
    return digits if PHONE.match(digits) else None


def mask_phone(phone: str) -> str:
    """138****1234: enough for the citizen to recognise their number, not for anyone to use it."""
    return phone[:3] + "****" + phone[-4:]


@dataclass(frozen=True)
class Notice:
    kind: str
    hall_name: str
    number: str
    ahead: int | None = None
    window: int | None = None
    floor: int | None = None
    reactivate_minutes: int | None = None

    def text(self) -> str:
        hall = f"【{self.hall_name}】"
        if self.kind == NEAR and not self.ahead:
            return f"{hall}您的{self.number}号前面已没有人，即将叫到，请到等候区留意叫号。"
        if self.kind == NEAR:
            return f"{hall}您的{self.number}号前面还有{self.ahead}人，请回到等候区留意叫号。"
        if self.kind == CALLED:
            return f"{hall}请{self.number}号到{self.floor}楼{self.window}号窗口办理。"
        if self.kind == RECALLED:
            return f"{hall}再次呼叫：请{self.number}号尽快到{self.floor}楼{self.window}号窗口办理。"
        if self.kind == NO_SHOW:
            return (
                f"{hall}{self.number}号多次呼叫未到，已过号。请在{self.reactivate_minutes}分钟内"
                f"到导办台或{self.window}号窗口说明，可恢复排队。"
            )
        raise ValueError(f"unknown notice kind {self.kind!r}")
