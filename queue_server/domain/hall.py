"""Hall configuration: departments, services and their guides, windows, priority classes, hours.

The configuration is data, validated once when a hall file is loaded; everything else reads it.
Pydantic is used for validation only: nothing here does I/O.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .calendar import zone
from .opening import Calendar, Schedule, slot_starts
from .tickets import HoldEnd


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Named(_Model):
    """Something with a Chinese `name` and an English `name_en`; a hall that writes no English
    gets the Chinese name in English pages too, which beats an empty label."""

    name: str
    name_en: str

    @model_validator(mode="before")
    @classmethod
    def _english_falls_back(cls, data: Any) -> Any:
        if isinstance(data, dict) and not str(data.get("name_en") or "").strip() and "name" in data:
            return data | {"name_en": data["name"]}
        return data


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
    kind: TimeLimitKind = TimeLimitKind.instant
    working_days: int = Field(0, ge=0)


class Guide(_Model):
    """办事指南: the five things public (basis, procedure, conditions, time limit, fees) and materials."""

    summary: str = ""
    basis: list[str] = []
    conditions: list[str] = []
    materials: list[Material] = []
    steps: list[str] = []
    time_limit: TimeLimit = TimeLimit()
    fees: str = ""
    area: str = ""  # where in the hall, e.g. "一楼A区"
    phone: str = ""


class AppointmentRules(_Model):
    slot_minutes: int = 30
    capacity: int = 2
    early_minutes: int = 15  # may check in / be called this long before the slot
    late_minutes: int = 15  # the slot window stays open this long after the slot ends
    boost_minutes: int = 45


# I and O are read as 1 and 0 on a ticket and on the board.
PREFIX_PATTERN = r"^[A-HJ-NP-Z]$"


class Service(_Named):
    code: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
    prefix: Annotated[str, Field(pattern=PREFIX_PATTERN)]
    # The hall board's name for it, where the full name (with its parenthesis) does not fit a line.
    short_name: Annotated[str, Field(min_length=1, max_length=12)] | None = None
    short_name_en: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    department: str
    schedule: str
    floor: int
    daily_cap: int | None = Field(None, ge=1)
    avg_service_minutes: float = Field(10.0, gt=0)
    appointments: bool = False
    id_card_required: bool = False
    remote_per_hour: int | None = Field(None, ge=0)  # this service's own phone.remote.per_hour
    keywords: list[str] = []
    guide: Guide = Guide()  # a service may go live before its guide is written


class Department(_Named):
    code: str


class Window(_Model):
    number: Annotated[int, Field(ge=0, le=9999)]  # said as a number in announcements (二十六号窗口)
    floor: int
    area: str = ""
    services: dict[str, float]  # service code -> weight (parallel acceptance windows list several)

    @field_validator("services")
    @classmethod
    def _weights_positive(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("窗口至少办理一项服务\na window serves at least one service")
        if any(w <= 0 for w in v.values()):
            raise ValueError("服务权重必须大于 0\nservice weights must be positive")
        return v


class PriorityClass(_Named):
    code: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
    boost_minutes: float = Field(ge=0)
    min_age: int | None = None  # applied automatically from the ID card's birth date
    self_service: bool = False  # may be chosen at the kiosk without a guide


class Topic(_Named):
    """A life event (我要开办企业, 我要买房…) grouping the services a citizen usually needs for it."""

    services: list[str]


class CallingRules(_Model):
    priority_ratio: int = 3  # at most K priority calls in a row while normal tickets wait
    max_recalls: int = 2
    reactivate_minutes: int = 30  # a no-show may be re-activated this long after it was marked
    reactivate_behind: int = 3  # ... and is re-queued behind this many people
    hold_minutes: float = Field(15, gt=0)  # 挂起: how long a citizen may step away from the window
    hold_end: HoldEnd = HoldEnd.queue  # ... and past it: back to the queue's front, or a no-show


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
    # rating_low: every 差评, and with this also any rating of this score or lower on its scale
    rating_at_most: int | None = Field(None, ge=1, le=5)


class RatingRules(_Model):
    """好差评: the scale the hall's pages ask on (docs/hall-file.md)."""

    scale: Literal["national5", "legacy4"] = "national5"  # 国办发〔2019〕51号 five levels; legacy4 for old pads


class VoiceRules(_Model):
    """How the hall's boards announce calls (README "The hall's voice")."""

    repeat: int = Field(2, ge=1, le=3)  # the call said this many times after the chime
    speed: float = Field(1.0, ge=0.5, le=2.0)  # the engine's pace, 1.0 its normal (espeak-ng: 175 words a minute)
    volume: float = Field(
        1.0, gt=0, le=3.0
    )  # gain on the voice pack's level (clipped, never distorted past full scale)
    pause_ms: int = Field(100, ge=0, le=1000)  # silence after the letter and between the parts of a call
    gap_ms: int = Field(400, ge=0, le=3000)  # silence between the repeats
    max_delay_seconds: float = Field(60, gt=0)  # a board does not voice a call later than this (it marks it unvoiced)


class NotifyRules(_Model):
    """Text messages to citizens who left a phone number (README, "Text messages")."""

    ahead: int = Field(3, ge=1, le=50)  # "your turn is near" when this many people or fewer are ahead


class RemoteRules(_Model):
    """线上取号: a same-day place taken from outside the hall, called only once its holder has arrived."""

    enabled: bool = False
    # How far ahead of arriving a place may be taken: one not checked in this long after, lapses.
    arrive_minutes: int = Field(60, ge=10, le=240)
    per_hour: int = Field(6, ge=0)  # remote places a service gives per clock hour (walk-ins keep the rest)


class PhoneRules(_Model):
    """Tickets on the phone (README, "Tickets on the phone")."""

    code_minutes: int = Field(3, ge=1, le=30)  # the boards' entry code is good this long after it is shown
    step_out_minutes: list[int] = [10, 20, 30]  # 暂离: the choices of "don't call me for the next M minutes"
    remote: RemoteRules = RemoteRules()

    @field_validator("step_out_minutes")
    @classmethod
    def _choices(cls, v: list[int]) -> list[int]:
        if any(not 1 <= m <= 120 for m in v):
            raise ValueError("暂离时长须在 1 到 120 分钟之间\nstep-out choices are 1 to 120 minutes")
        return sorted(set(v))


class Floor(_Model):
    number: int
    name: str


NORMAL = "normal"
APPOINTMENT = "appointment"


class Hall(_Named):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")]
    timezone: str = "Asia/Shanghai"
    day_boundary_hour: int = Field(3, ge=0, le=12)
    notice: str = ""
    floors: list[Floor]
    schedules: dict[str, Schedule]
    calendar: Calendar = Calendar()
    departments: list[Department]
    services: list[Service]
    windows: list[Window]
    priority_classes: list[PriorityClass] = []
    topics: list[Topic] = []
    calling: CallingRules = CallingRules()
    issuing: IssuingRules = IssuingRules()
    appointments: AppointmentRules = AppointmentRules()
    alerts: AlertRules = AlertRules()
    ratings: RatingRules = RatingRules()
    voice: VoiceRules = VoiceRules()
    notify: NotifyRules = NotifyRules()
    phone: PhoneRules = PhoneRules()

    @model_validator(mode="after")
    def _consistent(self) -> Hall:
        """Cross-checks a hall file's parts against each other; each problem says where, in Chinese
        and English, because the person reading it is the hall's own IT administrator."""
        problems: list[tuple[str, str]] = []

        def problem(zh: str, en: str) -> None:
            problems.append((zh, en))

        def unique(items: list[Any], zh: str, en: str) -> None:
            seen: set[Any] = set()
            for x in items:
                if x in seen:
                    problem(f"{zh} {x} 重复", f"duplicate {en} {x!r}")
                seen.add(x)

        try:
            zone(self.timezone)
        except (ValueError, KeyError):
            problem(
                f"时区 {self.timezone!r} 无效，应如 Asia/Shanghai",
                f"unknown timezone {self.timezone!r}; use an IANA name like Asia/Shanghai",
            )
        unique([s.code for s in self.services], "服务代码", "service code")
        unique([s.prefix for s in self.services], "号票字头", "ticket prefix")
        unique([w.number for w in self.windows], "窗口号", "window number")
        unique([d.code for d in self.departments], "部门代码", "department code")
        unique([c.code for c in self.priority_classes], "优先类别", "priority class")
        if {NORMAL, APPOINTMENT} & {c.code for c in self.priority_classes}:
            problem("normal 和 appointment 是内置类别，不能再定义", "'normal' and 'appointment' are built-in classes")
        deps = {d.code for d in self.departments}
        codes = {s.code for s in self.services}
        floors = {f.number for f in self.floors}
        served = {code for w in self.windows for code in w.services}
        for i, s in enumerate(self.services, 1):
            where = f"服务 #{i}「{s.name}」", f"service #{i} ({s.code})"
            if s.department not in deps:
                problem(f"{where[0]}的部门 {s.department!r} 不存在", f"{where[1]}: unknown department {s.department!r}")
            if s.schedule not in self.schedules:
                problem(f"{where[0]}的时间表 {s.schedule!r} 不存在", f"{where[1]}: unknown schedule {s.schedule!r}")
            if s.floor not in floors:
                problem(
                    f"{where[0]}所在楼层 {s.floor} 不在 floors 中",
                    f"{where[1]}: unknown floor {s.floor} (not in floors)",
                )
            if s.code not in served:
                problem(
                    f"{where[0]}没有窗口办理（取了号没人叫）",
                    f"{where[1]}: no window serves it, so nobody could call its tickets",
                )
        for w in self.windows:
            if w.floor not in floors:
                problem(
                    f"{w.number} 号窗口所在楼层 {w.floor} 不在 floors 中",
                    f"window {w.number}: floor {w.floor} is not in floors",
                )
            for code in w.services:
                if code not in codes:
                    problem(f"{w.number} 号窗口的服务 {code!r} 不存在", f"window {w.number}: unknown service {code!r}")
        for t in self.topics:
            for code in t.services:
                if code not in codes:
                    problem(f"主题「{t.name}」的服务 {code!r} 不存在", f"topic {t.name}: unknown service {code!r}")
        for code in self.alerts.service_minutes:
            if code not in codes:
                problem(
                    f"alerts.service_minutes 的服务 {code!r} 不存在",
                    f"alerts.service_minutes: unknown service {code!r}",
                )
        if problems:
            raise ValueError("\n".join(f"{zh}\n{en}" for zh, en in problems))
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
