"""Ticket numbers: the service's prefix letter and a per-service, per-business-day sequence."""

from __future__ import annotations

import re

NUMBER_RE = re.compile(r"^([A-Z])(\d{3,4})$")


def format_number(prefix: str, sequence: int) -> str:
    # Three digits as printed on every hall's tickets; a service that passes 999 in one day
    # (no cap set) goes on to four rather than wrapping into a number already handed out.
    if sequence < 1:
        raise ValueError("ticket sequences start at 1")
    return f"{prefix}{sequence:03d}"


def parse_number(number: str) -> tuple[str, int] | None:
    m = NUMBER_RE.match(number.strip().upper())
    return (m.group(1), int(m.group(2))) if m else None
