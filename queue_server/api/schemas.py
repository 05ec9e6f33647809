"""Request and response bodies of the HTTP contract (they make /openapi.json)."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from fastapi import Path
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

CODE = r"^[a-z0-9][a-z0-9-]{0,31}$"
ServiceCode = Annotated[str, Field(pattern=CODE, examples=["biz-setup"])]
# Path parameters carry examples so that API explorers (and the fuzz test) reach the demo hall.
HallId = Annotated[str, Path(pattern=CODE, examples=["demo"])]
ServicePath = Annotated[str, Path(pattern=CODE, examples=["biz-setup"])]
TicketNumber = Annotated[str, Field(pattern=r"^[A-Za-z]\d{3,4}$", examples=["A001"])]
NumberPath = Annotated[str, Path(pattern=r"^[A-Za-z]\d{3,4}$", examples=["A001"])]
Token = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{8,64}$")]
# 12 characters; 6 was the length of codes booked before, still valid until their day has passed.
CODE_PATTERN = r"^(?:[A-Za-z0-9]{12}|[A-Za-z0-9]{6})$"
AppointmentCode = Annotated[str, Path(pattern=CODE_PATTERN, examples=["ACDEFHJKMNPR"])]
AppointmentCodeField = Annotated[str, Field(pattern=CODE_PATTERN, examples=["ACDEFHJKMNPR"])]
Text = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]
Seq = Annotated[int, Field(ge=0, le=2**31 - 1)]


def _iso_day(value):
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


# A calendar day as the schema announces it: pydantic alone would take `0` for 1970-01-01.
Day = Annotated[date, BeforeValidator(_iso_day)]  # the events.seq column is a 32-bit integer


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Error(BaseModel):
    code: str
    message: str
    message_en: str


class IdCardIn(Body):
    id_number: Annotated[str, Field(pattern=r"^\d{17}[\dXx]$")]
    name: Annotated[str, Field(max_length=30, pattern=r"^[^\x00]*$")] = ""


class NotifyIn(Body):
    """A phone number for text messages about the ticket (opt-in), kept until the day ends."""

    phone: Annotated[
        str, Field(max_length=20, description="11-digit mainland mobile number (spaces, dashes, +86 allowed)")
    ]
    family: bool = Field(False, description="a family member's number (for an elderly visitor)")


class NotifyOut(BaseModel):
    phone: str = Field(description="masked: 138****1234")
    family: bool


class IssueIn(Body):
    services: Annotated[list[ServiceCode], Field(min_length=1, max_length=5)]
    priority: Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_-]*$")] | None = None
    appointment: AppointmentCodeField | None = None
    id_card: IdCardIn | None = None
    notify: NotifyIn | None = None


class PhoneIssueIn(Body):
    """A ticket taken on the citizen's phone: in the hall with the boards' entry code, or without it a
    same-day place from outside (线上取号, called after check-in). Who takes it: an ID number, or a
    phone number with the SMS code sent to it (POST /api/halls/{hall}/phone-codes)."""

    services: Annotated[list[ServiceCode], Field(min_length=1, max_length=5)]
    priority: Annotated[str, Field(max_length=32, pattern=r"^[a-z][a-z0-9_-]*$")] | None = None
    entry_code: Annotated[str, Field(max_length=40, pattern=r"^[0-9a-f]{1,16}\.[0-9a-f]{1,20}$")] | None = None
    id_card: IdCardIn | None = None
    phone: Annotated[str, Field(max_length=20)] | None = None
    sms_code: Annotated[str, Field(pattern=r"^\d{6}$")] | None = None


class PhoneCodeIn(Body):
    phone: Annotated[str, Field(max_length=20, description="11-digit mainland mobile number")]


class EntryCodeIn(Body):
    entry_code: Annotated[str, Field(max_length=40, pattern=r"^[0-9a-f]{1,16}\.[0-9a-f]{1,20}$")]


class StepOutIn(Body):
    minutes: Annotated[int, Field(ge=1, le=120, description="one of the hall's phone.step_out_minutes")]


class EntryCodeOut(BaseModel):
    code: str
    url: str = Field(description="the page the boards' QR opens: take a ticket, or check in a place from outside")
    shown_until: str
    valid_until: str
    lifetime_minutes: int
    next_in_seconds: float = Field(description="until the next code is shown: when a screen should ask again")


class MatterOut(BaseModel):
    service: str
    name: str
    name_en: str
    state: str
    window: int | None
    reason: str | None
    rating: int | None


class StaffTicketOut(BaseModel):
    """A ticket as staff see it: without its token (the citizen's secret: it rates and cancels)."""

    id: int
    number: str
    day: str
    services: list[str]
    matters: list[MatterOut]
    current: int
    service: str
    service_name: str
    area: str
    floor: int
    klass: str
    state: str
    state_name: str
    position: int | None
    eta_seconds: int | None = Field(
        description="estimated seconds until the call (the mean); null when no window serves it"
    )
    eta_low_seconds: int | None = Field(description="the estimate's range: its 10th percentile, seconds")
    eta_high_seconds: int | None = Field(description="the estimate's range: its 90th percentile, seconds")
    window: int | None
    issued_at: str
    held_until: str | None = Field(None, description="挂起: when the hold ends, while the ticket is held")
    absent: Literal["remote", "out"] | None = Field(
        None,
        description="waiting but passed over by call-next: remote (taken from outside, not checked in yet) "
        "or out (暂离, until back_at)",
    )
    back_at: str | None = Field(
        None, description="absent out: called again from then; absent remote: lapses then unless checked in"
    )
    masked_name: str | None = None


class TicketOut(StaffTicketOut):
    """A ticket as its holder sees it: the kiosk or guide that issued it, the citizen's phone."""

    token: str
    status_url: str
    notify: NotifyOut | None = None


class ServiceOut(BaseModel):
    """A service as the kiosk lists it, with the wait of a ticket taken now."""

    code: str
    prefix: str
    name: str
    name_en: str
    department: str
    floor: int
    area: str
    keywords: list[str]
    open: bool
    hours_today: str
    waiting: int
    eta_seconds: int | None = Field(
        description="estimated seconds until a new ticket's call (the mean); null when no window serves it"
    )
    eta_low_seconds: int | None = Field(description="the estimate's range: its 10th percentile, seconds")
    eta_high_seconds: int | None = Field(description="the estimate's range: its 90th percentile, seconds")
    windows_open: int
    daily_cap: int | None
    remaining_today: int | None
    appointments: bool
    id_card_required: bool


class BoardMatterOut(BaseModel):
    service: str
    name: str
    name_en: str
    state: str
    window: int | None


class TicketBoardStatusOut(BaseModel):
    """A ticket as the hall board could show it: no token, status URL, name or ID."""

    number: str
    day: str
    service: str
    service_name: str
    area: str
    floor: int
    state: str
    state_name: str
    position: int | None
    eta_seconds: int | None = Field(
        description="estimated seconds until the call (the mean); null when no window serves it"
    )
    eta_low_seconds: int | None = Field(description="the estimate's range: its 10th percentile, seconds")
    eta_high_seconds: int | None = Field(description="the estimate's range: its 90th percentile, seconds")
    window: int | None
    matters: list[BoardMatterOut]


class TicketStatusOut(TicketOut):
    hall: str
    hall_name: str


class WindowAction(StrEnum):
    open = "open"
    pause = "pause"
    close = "close"
    call_next = "call-next"
    call = "call"
    recall = "recall"
    start = "start"
    finish = "finish"
    finish_next = "finish-next"
    no_show = "no-show"
    transfer = "transfer"
    hold = "hold"
    resume = "resume"


class ActionIn(Body):
    """Fields by action: pause {reason}, call {number}, finish and finish-next {result, reason, case_no},
    transfer {service} or {window, service?} (to one window), resume {number?}."""

    reason: Text | None = None
    number: TicketNumber | None = None
    result: Literal["done", "unresolved"] | None = None
    service: ServiceCode | None = None
    window: Annotated[int, Field(ge=1, le=9999)] | None = None
    # 办件编号: the business system's case number, the key of the rating at the provincial platform
    case_no: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z][0-9A-Za-z_\-/.]*$")] | None = None


class PriorityIn(Body):
    klass: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]{0,31}$", examples=["elderly"])]  # one of the hall's
    reason: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*\S[^\x00]*$")]


class RatingIn(Body):
    """A score on the hall's scale (GET /api/halls/{hall}/rating-scale); a 差评 names a reason code
    (`other` with words in reason_text)."""

    score: Annotated[int, Field(ge=1, le=5)]
    matter: Annotated[int, Field(ge=0, le=20)] | None = None
    reason: Annotated[str, Field(max_length=16)] | None = None
    reason_text: Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")] | None = None


class WindowRatingIn(RatingIn):
    number: TicketNumber
    scale: Literal["national5", "legacy4"] | None = None  # the device's own (a four-key pad); else the hall's


class LoginIn(Body):
    username: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[^\x00]*$")]
    password: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]


class PasswordIn(Body):
    current: Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00]*$")]
    new: Annotated[str, Field(min_length=6, max_length=200, pattern=r"^[^\x00]*$")]


class LoginOut(BaseModel):
    token: str
    username: str
    role: str
    hall: str | None
    name: str
    staff_no: str


class AppointmentIn(Body):
    service: ServiceCode
    day: date
    slot: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")]
    # One of the two is needed: who books (a booking per person is limited).
    id_number: Annotated[str, Field(pattern=r"^\d{17}[\dXx]$")] | None = None
    phone: Annotated[str, Field(pattern=r"^1\d{10}$", examples=["13800138000"])] | None = None
    remind: bool = Field(False, description="text `phone` a reminder the day before (where the hall sends messages)")


class AppointmentOut(BaseModel):
    code: str
    service: str
    service_name: str
    day: str
    slot: str
    check_in_from: str
    check_in_until: str
    state: str


class DeviceStateIn(Body):
    device: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
    kind: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z_-]+$")]
    state: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z_-]+$")]
    detail: Text = ""


class NoticeIn(Body):
    text: Text  # blank: back to the hall's configured notice


class NoticeOut(BaseModel):
    notice: str  # what the boards show now
    live: bool  # a manager's notice rather than the configured one
