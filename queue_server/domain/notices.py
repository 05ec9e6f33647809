"""Text messages to a citizen who left a phone number: which moments send one, and what it says.

A message is one kind and the facts it needs. Each is sent at most once per (ticket, kind, key):
the key is the seq of the event that caused it, or 0 for a kind sent once per ticket (`near`).
A message about no ticket (a booking's reminder the day before, an SMS code) has ticket 0 and is
keyed by its own record (the booking, the code)."""

from __future__ import annotations

import re
from dataclasses import dataclass

PHONE = re.compile(r"^1[3-9]\d{9}$")  # a mainland mobile number (11 digits, 13x-19x)

NEAR = "near"
CALLED = "called"
RECALLED = "recalled"
NO_SHOW = "no_show"
FOLLOWUP = "followup"  # a 差评 received: it will be looked into and the citizen called back
FOLLOWUP_CLOSED = "followup_closed"
REMINDER = "reminder"  # a booking, the day before
CODE = "code"  # an SMS code proving the number (tickets on the phone)
KINDS = (NEAR, CALLED, RECALLED, NO_SHOW, FOLLOWUP, FOLLOWUP_CLOSED, REMINDER, CODE)
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
    minutes: int | None = None  # what the message counts in minutes: to re-activate a no-show, a code's life
    service: str = ""  # the matter's name
    due: str = ""  # a follow-up's last day (YYYY-MM-DD)
    slot: str = ""  # a booking's day and time, as the reminder says it
    code: str = ""  # a booking's code, an SMS code

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
                f"{hall}{self.number}号多次呼叫未到，已过号。请在{self.minutes}分钟内"
                f"到导办台或{self.window}号窗口说明，可恢复排队。"
            )
        if self.kind == FOLLOWUP:
            return f"{hall}您对「{self.service}」的评价已收到，我们将在{_day(self.due)}前核实整改并回访，感谢您的监督。"
        if self.kind == FOLLOWUP_CLOSED:
            return f"{hall}您反映的「{self.service}」办理问题已核实处理，感谢您的监督。"
        if self.kind == REMINDER:
            return (
                f"{hall}温馨提醒：您预约了{self.slot}办理「{self.service}」，请按时到大厅凭预约码{self.code}签到取号。"
            )
        if self.kind == CODE:
            return f"{hall}您的取号验证码是{self.code}，{self.minutes}分钟内有效。如非本人操作，请忽略。"
        raise ValueError(f"unknown notice kind {self.kind!r}")


def _day(iso: str) -> str:
    """2026-12-15 -> 12月15日."""
    _, month, day = iso.split("-")
    return f"{int(month)}月{int(day)}日"
