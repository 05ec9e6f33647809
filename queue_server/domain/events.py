"""The hall's event vocabulary, written down once.

An event is the audit trail of a change, the message the displays receive and what the reports and
the alert engine fold. Each type is a frozen dataclass here whose fields are its payload (`data` on
the wire, keys in field order) and whose docstring says when it happens; `EVENTS` maps the type
names to the classes. `Recorded` is an event as the log holds it: seq, time, actor and the payload
as stored, which older logs may hold with fewer fields than the class has today."""

from __future__ import annotations

from dataclasses import MISSING, dataclass, field, fields
from datetime import datetime
from typing import Any, ClassVar

# A field whose value (a dict) is merged into the payload rather than held under its own key.
MERGED = {"merged": True}


@dataclass(frozen=True)
class Event:
    """One kind of change; a subclass naming its `type` is registered in `EVENTS`."""

    type: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__dict__.get("type")
        if name is not None:  # a shared base of several types names none
            if name in EVENTS:
                raise ValueError(f"two event classes are named {name}")
            EVENTS[name] = cls

    def data(self) -> dict[str, Any]:
        """The payload as stored and streamed."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get("merged"):
                out.update(value)
            else:
                out[f.metadata.get("key", f.name)] = value
        return out


EventClass = type[Event]
EVENTS: dict[str, EventClass] = {}


# -- tickets ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TicketIssued(Event):
    """A ticket is taken (kiosk, floor guide, appointment check-in, a phone in the hall, a place taken from
    outside: `remote`, not called before it arrives); where it stands in its first queue."""

    type = "ticket.issued"
    id: int
    number: str
    services: list[str]
    service: str
    klass: str
    state: str
    position: int | None
    eta_seconds: int | None
    eta_low_seconds: int | None
    eta_high_seconds: int | None
    remote: bool = False


@dataclass(frozen=True)
class TicketCall(Event):
    """A window calls a ticket, first or again."""

    id: int
    number: str
    service: str
    window: int
    floor: int
    recall: int  # how many times it has been recalled
    text: str
    speech: str
    audio_url: str


@dataclass(frozen=True)
class TicketCalled(TicketCall):
    """A window calls a ticket: the text to show and announce, and the audio of the announcement."""

    type = "ticket.called"


@dataclass(frozen=True)
class TicketRecalled(TicketCall):
    """The window calls its current ticket again."""

    type = "ticket.recalled"


@dataclass(frozen=True)
class TicketServing(Event):
    """The citizen has come to the window: service starts."""

    type = "ticket.serving"
    id: int
    number: str
    service: str
    window: int


@dataclass(frozen=True)
class TicketRelease(Event):
    """A ticket leaves a window."""

    id: int
    number: str
    window: int
    state: str  # the ticket's state after it


@dataclass(frozen=True)
class TicketDone(TicketRelease):
    """A matter is finished at a window, done or unresolved (with its reason); the ticket's next
    matter, if any, joins the front of its service's queue."""

    type = "ticket.done"
    service: str
    matter: int
    result: str
    reason: str | None
    next_service: str | None
    service_seconds: float


@dataclass(frozen=True)
class TicketNoShow(TicketRelease):
    """The citizen did not come after the recalls; the ticket may be re-activated for a while."""

    type = "ticket.no_show"
    service: str
    matter: int


@dataclass(frozen=True)
class TicketTransferred(TicketRelease):
    """The window sends the ticket to another service, at the front of its queue."""

    type = "ticket.transferred"
    source: str = field(metadata={"key": "from"})
    service: str


@dataclass(frozen=True)
class TicketTransferredToWindow(TicketRelease):
    """The window sends the ticket to one other window (for a service that window serves), first in its
    queue; no other window calls it."""

    type = "ticket.transferred_to_window"
    source: str = field(metadata={"key": "from"})
    service: str
    to_window: int


@dataclass(frozen=True)
class TicketHeld(TicketRelease):
    """挂起: the citizen at the window steps away (to fetch a copy, fill a form); the window is free for the
    next call, and the ticket comes back to it until `until` (the hall's hold limit)."""

    type = "ticket.held"
    service: str
    until: str  # ISO time


@dataclass(frozen=True)
class TicketResumed(Event):
    """A held citizen is back: the ticket is at its window again, in service."""

    type = "ticket.resumed"
    id: int
    number: str
    service: str
    window: int
    held_seconds: float


@dataclass(frozen=True)
class TicketHoldExpired(Event):
    """A hold ran past the hall's limit: the ticket goes back to the front of its queue (`waiting`) or is
    missed (`no_show`), as the hall file says."""

    type = "ticket.hold_expired"
    id: int
    number: str
    service: str
    window: int
    state: str


@dataclass(frozen=True)
class TicketPriorityRaised(Event):
    """Staff raise a waiting ticket's priority class, with the reason."""

    type = "ticket.priority_raised"
    id: int
    number: str
    service: str
    source: str = field(metadata={"key": "from"})
    klass: str
    reason: str


@dataclass(frozen=True)
class _TicketAt(Event):
    id: int
    number: str
    service: str


@dataclass(frozen=True)
class TicketReactivated(_TicketAt):
    """A missed ticket goes back into its queue."""

    type = "ticket.reactivated"


@dataclass(frozen=True)
class TicketCancelled(_TicketAt):
    """The citizen or staff cancel a ticket."""

    type = "ticket.cancelled"


@dataclass(frozen=True)
class TicketLapsed(_TicketAt):
    """A place taken from outside the hall (线上取号) was not checked in within the hall's time, and ends."""

    type = "ticket.lapsed"


@dataclass(frozen=True)
class TicketArrived(_TicketAt):
    """A place taken from outside is checked in at the hall (`via` kiosk, guide or the boards' entry code):
    from now on it is called in its turn."""

    type = "ticket.arrived"
    via: str


@dataclass(frozen=True)
class TicketSteppedOut(_TicketAt):
    """暂离: the citizen keeps their place but asks not to be called before `until` (ISO time)."""

    type = "ticket.stepped_out"
    until: str


@dataclass(frozen=True)
class TicketBack(_TicketAt):
    """The citizen who stepped out is back before their time: called in their turn again."""

    type = "ticket.back"


@dataclass(frozen=True)
class TicketExpired(_TicketAt):
    """At the day boundary, a ticket of an earlier business day still open ends."""

    type = "ticket.expired"


@dataclass(frozen=True)
class QueueStats(Event):
    """After a change to queues; keyed by service code: its people waiting and the wait of a ticket taken
    now (waiting, eta_seconds, eta_low_seconds, eta_high_seconds)."""

    type = "queue.stats"
    services: dict[str, dict[str, int | None]] = field(metadata=MERGED)


# -- windows, devices, the hall ----------------------------------------------------------------------
@dataclass(frozen=True)
class WindowState(Event):
    """A window opens, pauses (with a reason) or closes, and who is signed in at it."""

    type = "window.state"
    window: int
    state: str
    reason: str | None
    clerk: str | None
    staff_no: str | None


@dataclass(frozen=True)
class RatingSubmitted(Event):
    """A citizen rates a served matter (on their phone or the window's pad): the score on its scale (no scale: the four-level one), its level and a 差评's reason code (the citizen's own words stay off the stream)."""

    type = "rating.submitted"
    id: int
    number: str
    matter: int
    service: str
    window: int | None
    clerk: str | None
    score: int
    scale: str
    level: str
    reason: str | None


@dataclass(frozen=True)
class FollowUpOpened(Event):
    """A 差评 opens its follow-up (核实, 整改, 回访), due by the 15th working day after the rating."""

    type = "followup.opened"
    followup: int
    ticket: int
    number: str
    matter: int
    service: str
    window: int | None
    clerk: str | None
    level: str
    reason: str | None
    due: str


@dataclass(frozen=True)
class FollowUpUpdated(Event):
    """A manager records a follow-up's step: who it is assigned to, the return call (回访), the result (whether recorded: its words, which may name the citizen, stay off the stream); closed once the call and the result are in."""

    type = "followup.updated"
    followup: int
    number: str
    service: str
    window: int | None
    clerk: str | None
    state: str
    assignee: str | None
    called_back: str | None
    result: bool
    due: str


@dataclass(frozen=True)
class DeviceStateChanged(Event):
    """A device reports a new state (a printer out of paper, back to ok)."""

    type = "device.state"
    device: str
    kind: str
    state: str
    detail: str


@dataclass(frozen=True)
class HallNotice(Event):
    """A manager replaces the boards' notice line, or clears it (back to the configured one)."""

    type = "hall.notice"
    notice: str
    live: bool


@dataclass(frozen=True)
class HallChanged(Event):
    """The hall's configuration is reloaded: pages read names, services and voice again."""

    type = "hall.changed"
    name: str
    name_en: str
    services: int
    windows: int


@dataclass(frozen=True)
class HallCleared(Event):
    """After a trial run, before go-live (`hallq clear-day`): the day's tickets are removed, windows
    closed; the reports and live figures leave out the day's earlier events, pages start over."""

    type = "hall.cleared"
    day: str  # ISO date, the business day cleared
    tickets: int  # how many went


@dataclass(frozen=True)
class _Slot(Event):
    service: str
    day: str  # ISO date
    slot: str  # HH:MM


@dataclass(frozen=True)
class AppointmentBooked(_Slot):
    """A citizen books an appointment slot."""

    type = "appointment.booked"


@dataclass(frozen=True)
class AppointmentCancelled(_Slot):
    """A citizen cancels a booked appointment."""

    type = "appointment.cancelled"


@dataclass(frozen=True)
class SigninLocked(Event):
    """Sign-in is locked for an account (or a client address) after repeated wrong passwords."""

    type = "signin.locked"
    account: str | None
    address: str
    retry_every_s: int


# -- alerts ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AlertRaised(Event):
    """An alert condition starts to hold; its seq is the alert's id, and the fields of its kind (`details`)
    follow the common ones."""

    type = "alert.raised"
    key: str
    kind: str
    level: str
    message: str
    message_en: str
    sticky: bool
    details: dict[str, Any] = field(default_factory=dict, metadata=MERGED)


@dataclass(frozen=True)
class AlertCleared(Event):
    """An alert's condition no longer holds."""

    type = "alert.cleared"
    alert: int
    key: str
    kind: str


@dataclass(frozen=True)
class AlertAcknowledged(Event):
    """A manager has seen an alert."""

    type = "alert.acknowledged"
    alert: int
    key: str
    kind: str
    by: str
    note: str | None


CALLS: tuple[EventClass, ...] = (TicketCalled, TicketRecalled)
ALERTS: tuple[EventClass, ...] = (AlertRaised, AlertCleared, AlertAcknowledged)


# -- the log -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Recorded:
    """An event in a hall's log (and on the wire, as `to_dict`)."""

    hall: str
    seq: int
    type: str
    ts: datetime
    actor: dict[str, Any]
    data: dict[str, Any]

    @property
    def kind(self) -> EventClass | None:
        """The class of its type; None for a type this version does not know."""
        return EVENTS.get(self.type)

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "hall": self.hall,
            "type": self.type,
            "ts": self.ts.isoformat(),
            "actor": self.actor,
            "data": self.data,
        }

    @classmethod
    def of(cls, e: Recorded | dict[str, Any]) -> Recorded:
        return e if isinstance(e, Recorded) else cls.from_dict(e)

    @classmethod
    def from_dict(cls, d: dict[str, Any], hall: str | None = None) -> Recorded:
        """The inverse of `to_dict`, also for the lines `export-day` writes and the /events API."""
        ts = d["ts"]
        return cls(
            hall if hall is not None else d.get("hall", ""),
            int(d.get("seq", 0)),
            d["type"],
            datetime.fromisoformat(ts) if isinstance(ts, str) else ts,
            d.get("actor") or {},
            d.get("data") or {},
        )


def missing(type_: str, data: dict[str, Any]) -> list[str]:
    """The payload keys an event of this type must carry and `data` lacks (none for a type this
    version does not know): what a log shipped from another server is checked against."""
    cls = EVENTS.get(type_)
    if cls is None:
        return []
    need = [
        f.metadata.get("key", f.name)
        for f in fields(cls)
        if not f.metadata.get("merged") and f.default is MISSING and f.default_factory is MISSING
    ]
    return [k for k in need if k not in data]


def table() -> str:
    """The README's table of event types (kept equal to it by a test)."""
    rows = ["| type | when | fields |", "| --- | --- | --- |"]
    for name, cls in EVENTS.items():
        when = " ".join((cls.__doc__ or "").split())
        names = [f"…{f.name}" if f.metadata.get("merged") else f.metadata.get("key", f.name) for f in fields(cls)]
        rows.append(f"| `{name}` | {when} | {', '.join(names)} |")
    return "\n".join(rows) + "\n"
