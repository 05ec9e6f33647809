"""The business day: a 24-hour hall's day does not end at midnight but at a boundary hour
(e.g. 03:00), so a ticket taken at 23:50 and one at 00:10 belong to the same queue."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo


@lru_cache(maxsize=64)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_time(instant: datetime, tz: str) -> datetime:
    return instant.astimezone(zone(tz))


def business_day(instant: datetime, tz: str, boundary_hour: int) -> date:
    return (local_time(instant, tz) - timedelta(hours=boundary_hour)).date()


def day_start(day: date, tz: str, boundary_hour: int) -> datetime:
    """The instant a business day begins (aware, in the hall's zone)."""
    return datetime(day.year, day.month, day.day, boundary_hour, tzinfo=zone(tz))


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
