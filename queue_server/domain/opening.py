"""When a service is open: opening hours per weekday, and the hall's calendar of public holidays,
make-up working days (调休) and dates with their own hours.

Halls follow the State Council's yearly holiday notice: a holiday closes the hall whatever its
weekday hours say, a make-up working day (often a Saturday or Sunday) opens it with a working
day's hours, and an eve (除夕, say) may close early. The same calendar decides what a "working
day" is for promised time limits (承诺件) and follow-up deadlines, which count national working
days, not the hall's opening days: a hall open on Saturdays does not make Saturday a working day.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, model_validator

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Interval(_Model):
    start: time
    end: time


def parse_interval(text: str) -> Interval:
    m = re.fullmatch(r"\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*", text)
    if not m:
        raise ValueError(f"bad opening interval {text!r}, expected HH:MM-HH:MM")
    start, end = (time.fromisoformat(x.zfill(5)) for x in m.groups())
    if end <= start:
        raise ValueError(f"opening interval {text!r} ends before it starts")
    return Interval(start=start, end=end)


def _intervals(spans: Any) -> list[Interval]:
    if not isinstance(spans, list):
        raise ValueError(f'opening hours must be a list like ["09:00-12:00"], not {spans!r}')
    # Dicts are what the stored (JSON) form of a loaded hall holds.
    return [Interval.model_validate(s) if isinstance(s, Interval | dict) else parse_interval(str(s)) for s in spans]


def _expand_days(key: str) -> list[int]:
    days: list[int] = []
    for part in key.split(","):
        part = part.strip()
        if "-" in part:
            a, b = part.split("-")
            i, j = WEEKDAYS.index(a), WEEKDAYS.index(b)
            if j < i:  # `fri-mon` would otherwise open no day at all, silently
                raise ValueError(f"weekday range {part!r} runs backwards")
            days.extend(range(i, j + 1))
        else:
            days.append(WEEKDAYS.index(part))
    return days


def _day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValueError(f"bad date {value!r}, expected YYYY-MM-DD") from None


def _dates(entry: Any) -> list[date]:
    """`2026-10-01` or a range `2026-10-01..2026-10-07` (both ends included)."""
    text = str(entry)
    if ".." not in text:
        return [_day(entry)]
    a, b = (_day(x) for x in text.split("..", 1))
    if b < a:
        raise ValueError(f"date range {text!r} runs backwards")
    return [a + timedelta(days=i) for i in range((b - a).days + 1)]


def _entries(value: Any) -> list[tuple[object, object]]:
    """A list of plain entries or one-key mappings, or a mapping: as (key, value-or-None) pairs."""
    if isinstance(value, dict):
        return list(value.items())
    if not isinstance(value, list):
        raise ValueError(f"expected a list of dates, not {value!r}")
    pairs: list[tuple[object, object]] = []
    for item in value:
        if isinstance(item, dict):
            pairs.extend(item.items())
        else:
            pairs.append((item, None))
    return pairs


class Calendar(_Model):
    """The hall file's `calendar:` section (see docs/hall-file.md)."""

    holidays: dict[date, str] = {}  # closed dates -> the holiday's name (国庆节)
    workdays: dict[date, int] = {}  # make-up working days -> the weekday whose hours they keep
    hours: dict[date, list[Interval]] = {}  # dates with their own hours, in every schedule

    @model_validator(mode="before")
    @classmethod
    def _from_file(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        holidays: dict[date, str] = {}
        for key, name in _entries(data.get("holidays", [])):
            for d in _dates(key):
                holidays[d] = str(name or "节假日")
        default_as = str(data.get("workday_hours", "mon"))
        if default_as not in WEEKDAYS:
            raise ValueError(f"workday_hours {default_as!r}: use one of {', '.join(WEEKDAYS)}")
        workdays: dict[date, int] = {}
        for key, as_day in _entries(data.get("workdays", [])):
            weekday = WEEKDAYS[as_day] if isinstance(as_day, int) and 0 <= as_day < 7 else str(as_day or default_as)
            if weekday not in WEEKDAYS:
                raise ValueError(f"make-up working day {key}: hours of {weekday!r}? use one of {', '.join(WEEKDAYS)}")
            for d in _dates(key):
                if d in holidays:
                    raise ValueError(f"{d} is both a holiday and a make-up working day")
                if d.weekday() < 5:
                    raise ValueError(f"make-up working day {d} is a {WEEKDAYS[d.weekday()]}, a working day already")
                workdays[d] = WEEKDAYS.index(weekday)
        hours = {}
        for key, spans in _entries(data.get("hours", {})):
            for d in _dates(key):
                hours[d] = _intervals(spans if spans is not None else [])
        unknown = set(data) - {"holidays", "workdays", "workday_hours", "hours"}
        if unknown:
            raise ValueError(f"unknown calendar field(s): {', '.join(sorted(unknown))}")
        return {"holidays": holidays, "workdays": workdays, "hours": hours}

    def is_working_day(self, day: date) -> bool:
        """A national working day (for time limits and deadlines), whatever the hall's hours."""
        return day in self.workdays or (day.weekday() < 5 and day not in self.holidays)

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (`day` itself not counted), as time limits are counted."""
        if n < 0:
            raise ValueError("n must not be negative")
        while n > 0:
            day += timedelta(days=1)
            n -= self.is_working_day(day)
        return day

    def working_days(self, first: date, last: date) -> int:
        """Working days from `first` to `last`, both included."""
        return sum(self.is_working_day(first + timedelta(days=i)) for i in range((last - first).days + 1))


NO_CALENDAR = Calendar()


class Schedule(_Model):
    """Opening hours per weekday (0 = Monday). Later keys in the file override earlier ones,
    so `mon-fri` followed by `wed` gives Wednesday its own (e.g. evening) hours. A key that is a
    date (`2026-12-31`) gives that date this schedule's own hours, before anything the calendar says."""

    days: dict[int, list[Interval]]
    dates: dict[date, list[Interval]] = {}

    @model_validator(mode="before")
    @classmethod
    def _from_file(cls, data: Any) -> Any:
        if isinstance(data, dict) and "days" not in data:
            days: dict[int, list[Interval]] = {}
            dates: dict[date, list[Interval]] = {}
            for key, spans in data.items():
                if isinstance(key, date) or re.match(r"\s*\d{4}-", str(key)):
                    for d in _dates(key):
                        dates[d] = _intervals(spans)
                    continue
                try:
                    targets = _expand_days(str(key))
                except ValueError:
                    raise ValueError(
                        f"bad weekday key {key!r}; use mon..sun, ranges like mon-fri, lists, or a date"
                    ) from None
                for weekday in targets:
                    days[weekday] = _intervals(spans)
            return {"days": days, "dates": dates}
        return data

    def intervals_on(self, day: date, calendar: Calendar = NO_CALENDAR) -> list[Interval]:
        if day in self.dates:
            return self.dates[day]
        if day in calendar.hours:
            return calendar.hours[day]
        if day in calendar.holidays:
            return []
        return self.days.get(calendar.workdays.get(day, day.weekday()), [])

    def is_open(self, local: datetime, calendar: Calendar = NO_CALENDAR) -> bool:
        t = local.time()
        return any(iv.start <= t < iv.end for iv in self.intervals_on(local.date(), calendar))

    def describe(self, weekday: int) -> str:
        return describe(self.days.get(weekday, []))

    def describe_day(self, day: date, calendar: Calendar = NO_CALENDAR) -> str:
        return describe(self.intervals_on(day, calendar))


def describe(spans: list[Interval]) -> str:
    return ", ".join(f"{iv.start:%H:%M}-{iv.end:%H:%M}" for iv in spans) or "休息"


class SlotRules(Protocol):
    @property
    def slot_minutes(self) -> int: ...


def slot_starts(rules: SlotRules, schedule: Schedule, day: date, calendar: Calendar = NO_CALENDAR) -> list[time]:
    """The appointment slots of a day: the day's opening intervals cut into whole slots."""
    out: list[time] = []
    step = timedelta(minutes=rules.slot_minutes)
    for iv in schedule.intervals_on(day, calendar):
        t = datetime.combine(day, iv.start)
        end = datetime.combine(day, iv.end)
        while t + step <= end:
            out.append(t.time())
            t += step
    return out
