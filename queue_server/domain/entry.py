"""The hall's entry code: the QR on the boards and kiosks that lets a phone take a ticket in the hall
(and check in a place taken from outside).

It changes every minute and is good for the hall's `phone.code_minutes`, so a code photographed and
sent round stops working within minutes. It is a keyed MAC of the hall and the minute, needing no
storage: any server process holding the key makes and checks the same codes."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

STEP = 60  # seconds a code is shown before the next one


@dataclass(frozen=True)
class EntryCode:
    code: str
    shown_until: datetime  # when the screens change to the next one
    valid_until: datetime  # when this one stops being accepted


def _minute(at: datetime) -> int:
    return int(at.timestamp()) // STEP


def _mac(key: bytes, hall: str, minute: int) -> str:
    return hmac.new(key, f"entry:{hall}:{minute}".encode(), hashlib.sha256).hexdigest()[:12]


def current(key: bytes, hall: str, now: datetime, lifetime_minutes: int) -> EntryCode:
    minute = _minute(now)
    start = datetime.fromtimestamp(minute * STEP, UTC)
    return EntryCode(
        code=f"{minute:x}.{_mac(key, hall, minute)}",
        shown_until=start + timedelta(seconds=STEP),
        valid_until=start + timedelta(minutes=lifetime_minutes, seconds=STEP),
    )


def check(key: bytes, hall: str, code: str, now: datetime, lifetime_minutes: int) -> bool | None:
    """True: good; False: a real code of this hall that is too old; None: not a code of this hall.
    A code a minute ahead is good: another server process's clock may be a few seconds ahead."""
    head, _, mac = code.partition(".")
    try:
        minute = int(head, 16)
    except ValueError:
        return None
    if not hmac.compare_digest(mac, _mac(key, hall, minute)):
        return None
    return -1 <= _minute(now) - minute <= lifetime_minutes
