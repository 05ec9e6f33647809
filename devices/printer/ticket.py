"""What the kiosk asks the printer to print, filled from the server's JSON."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Ticket:
    hall_name: str
    number: str
    matters: Sequence[str]
    ahead: int
    eta_minutes: int | None
    issued_at: datetime
    area: str
    status_url: str
    notice: str = ""
    language: str = "zh"  # "en": an English visitor's ticket (the kiosk puts the Chinese beside what the clerk needs)


@dataclass(frozen=True)
class Checklist:
    """A service guide's materials list, printed so the citizen can gather them."""

    title: str
    items: Sequence[str]
    hall_name: str = ""
    notice: str = ""
