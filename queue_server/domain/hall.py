"""Hall configuration: departments, services and their guides, windows, priority classes, hours.

The configuration is data, validated once when a hall file is loaded; everything else reads it.
Pydantic is used for validation only: nothing here does I/O.
"""
from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .opening import Calendar, Schedule, slot_starts


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TimeLimitKind(StrEnum):
    instant = "instant"  # 即办件: done on the spot
    promised = "promised"  # 承诺件: N working days
    joint = "joint"  # 联审/并联: several departments


class Material(_Model):
    name: str
    copies: int = 1
    original: bool = True
    note: str = ""


class TimeLimit(_Model):
    kind: TimeLimitKind
    working_days: int = 0


class Guide(_Model):
    """办事指南: the five things public (basis, procedure, conditions, time limit, fees) and materials."""

    summary: str = ""
    basis: list[str]
    conditions: list[str]
    materials: list[Material]
    steps: list[str]
    time_limit: TimeLimit
    fees: str
    area: str = ""  # where in the hall, e.g. "一楼A区"
    phone: str = ""


class AppointmentRules(_Model):
    slot_minutes: int = 30
    capacity: int = 2
    early_minutes: int = 15  # may check in / be called this long before the slot
    late_minutes: int = 15  # the slot window stays open this long after the slot ends
    boost_minutes: int = 45


class Service(_Model):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
    prefix: Annotated[str, Field(pattern=r"^[A-Z]$")]
    name: str
    name_en: str
    department: str
    schedule: str
    floor: int
    daily_cap: int | None = None
    avg_service_minutes: float = 10.0
    appointments: bool = False
    id_card_required: bool = False
    keywords: list[str] = []
    guide: Guide


class Department(_Model):
    code: str
    name: str
    name_en: str


class Window(_Model):
    number: int
    floor: int
    area: str = ""
    services: dict[str, float]  # service code -> weight (parallel acceptance windows list several)

    @field_validator("services")
    @classmethod
    def _weights_positive(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("a window serves at least one service")
        if any(w <= 0 for w in v.values()):
            raise ValueError("service weights must be positive")
        return v


class PriorityClass(_Model):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    name: str
    name_en: str
    boost_minutes: float
    min_age: int | None = None  # applied automatically from the ID card's birth date
    self_service: bool = False  # may be chosen at the kiosk without a guide


class Topic(_Model):
    """A life event (我要开办企业, 我要买房…) grouping the services a citizen usually needs for it."""

    name: str
    name_en: str
    services: list[str]


class CallingRules(_Model):
    priority_ratio: int = 3  # at most K priority calls in a row while normal tickets wait
    max_recalls: int = 2
    reactivate_minutes: int = 30  # a no-show may be re-activated this long after it was marked
    reactivate_behind: int = 3  # ... and is re-queued behind this many people


class IssuingRules(_Model):
    per_person_per_service: int = 1  # tickets a day for one ID card and one service


class AlertRules(_Model):
    """预警: when the supervision dashboard warns. Durations are minutes (fractions allowed)."""

    wait_minutes: float = Field(30, gt=0)  # a ticket waiting longer than this
    queue_waiting: int = Field(5, ge=0)  # more than this many waiting for a service no open window serves
    idle_minutes: float = Field(5, gt=0)  # a window open and idle this long while its services have people waiting
    service_factor: float = Field(3, gt=0)  # a service running longer than this x its avg_service_minutes...
    service_minutes: dict[str, float] = {}  # ...or than this many minutes, for the services listed here
    break_minutes: float = Field(30, gt=0)  # a clerk paused longer than this
    rating_at_most: int = Field(1, ge=1, le=4)  # a rating of this score or lower (1 不满意)


class Floor(_Model):
    number: int
    name: str


NORMAL = "normal"
APPOINTMENT = "appointment"


class Hall(_Model):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
    name: str
    name_en: str
    timezone: str = "Asia/Shanghai"
    day_boundary_hour: int = Field(3, ge=0, le=12)
    notice: str = ""
    floors: list[Floor]
    schedules: dict[str, Schedule]
    calendar: Calendar = Calendar()
    departments: list[Department]
    services: list[Service]
    windows: list[Window]
    priority_classes: list[PriorityClass]
    topics: list[Topic] = []
    calling: CallingRules = CallingRules()
    issuing: IssuingRules = IssuingRules()
    appointments: AppointmentRules = AppointmentRules()
    alerts: AlertRules = AlertRules()

    @model_validator(mode="after")
    def _consistent(self) -> "Hall":
        def unique(items, what):
            seen = set()
            for x in items:
                if x in seen:
                    raise ValueError(f"duplicate {what} {x!r}")
                seen.add(x)

        unique([s.code for s in self.services], "service code")
        unique([s.prefix for s in self.services], "ticket prefix")
        unique([w.number for w in self.windows], "window number")
        unique([d.code for d in self.departments], "department code")
        unique([c.code for c in self.priority_classes], "priority class")
        if {NORMAL, APPOINTMENT} & {c.code for c in self.priority_classes}:
            raise ValueError("'normal' and 'appointment' are built-in classes")
        deps = {d.code for d in self.departments}
        codes = {s.code for s in self.services}
        floors = {f.number for f in self.floors}
        for s in self.services:
            if s.department not in deps:
                raise ValueError(f"service {s.code}: unknown department {s.department!r}")
            if s.schedule not in self.schedules:
                raise ValueError(f"service {s.code}: unknown schedule {s.schedule!r}")
            if s.floor not in floors:
                raise ValueError(f"service {s.code}: unknown floor {s.floor}")
        for w in self.windows:
            for code in w.services:
                if code not in codes:
                    raise ValueError(f"window {w.number}: unknown service {code!r}")
        for t in self.topics:
            for code in t.services:
                if code not in codes:
                    raise ValueError(f"topic {t.name}: unknown service {code!r}")
        for code in self.alerts.service_minutes:
            if code not in codes:
                raise ValueError(f"alerts.service_minutes: unknown service {code!r}")
        return self

    # -- look-ups -------------------------------------------------------------------------
    def service(self, code: str) -> Service:
        for s in self.services:
            if s.code == code:
                return s
        raise KeyError(code)

    def window(self, number: int) -> Window:
        for w in self.windows:
            if w.number == number:
                return w
        raise KeyError(number)

    def priority_class(self, code: str) -> PriorityClass:
        for c in self.priority_classes:
            if c.code == code:
                return c
        raise KeyError(code)

    def windows_for(self, service: str) -> list[Window]:
        return [w for w in self.windows if service in w.services]

    def boost_seconds(self, class_code: str) -> float:
        if class_code == NORMAL:
            return 0.0
        if class_code == APPOINTMENT:
            return self.appointments.boost_minutes * 60
        return self.priority_class(class_code).boost_minutes * 60

    def age_class(self, birth: date, today: date) -> str | None:
        """The priority class an ID card's birth date earns today, if any (the largest boost wins)."""
        age = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
        eligible = [c for c in self.priority_classes if c.min_age is not None and age >= c.min_age]
        return max(eligible, key=lambda c: c.boost_minutes).code if eligible else None

    def service_open(self, code: str, local: datetime) -> bool:
        return self.schedules[self.service(code).schedule].is_open(local, self.calendar)

    def hours_today(self, code: str, local: datetime) -> str:
        return self.schedules[self.service(code).schedule].describe_day(local.date(), self.calendar)

    def slots(self, code: str, day: date) -> list[time]:
        """The appointment slots of a service on a day (none on a holiday)."""
        return slot_starts(self.appointments, self.schedules[self.service(code).schedule], day, self.calendar)
