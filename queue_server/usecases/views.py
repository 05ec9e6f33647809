"""How a ticket is shown: to staff (no token) and to the citizen who holds it (with its token).

The token is the citizen's secret: it follows the ticket, rates and cancels it. Staff see tickets
without it, so a clerk cannot rate his own service as the citizen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from ..domain.calendar import local_time
from ..domain.hall import Hall
from ..domain.notices import mask_phone
from ..domain.tickets import STATE_NAMES, Matter, State, Ticket
from ..store.repository import Reader
from .body import Body
from .queue_view import QueueView, eta_fields


def matter_view(hall: Hall, m: Matter) -> Body:
    s = hall.service(m.service)
    return {
        "service": m.service,
        "name": s.name,
        "name_en": s.name_en,
        "state": m.state.value,
        "window": m.window,
        "reason": m.reason,
        "rating": m.rating,
    }


def ticket_view(tk: Ticket, hall: Hall, queue: QueueView | None) -> Body:
    position, eta = queue.position(tk) if queue else (None, None)
    service = hall.service(tk.service)
    held_at = tk.matter.held_at if tk.state is State.held else None
    held_until = held_at + timedelta(minutes=hall.calling.hold_minutes) if held_at else None
    return {
        "id": tk.id,
        "number": tk.number,
        "day": tk.day.isoformat(),
        "services": tk.services(),
        "matters": [matter_view(hall, m) for m in tk.matters],
        "current": tk.current,
        "service": tk.service,
        "service_name": service.name,
        "area": service.guide.area,
        "floor": service.floor,
        "klass": tk.klass,
        "state": tk.state.value,
        "state_name": STATE_NAMES[tk.state],
        "position": position,
        **eta_fields(eta),
        "window": tk.window,
        "issued_at": tk.issued_at.isoformat(),
        # In the hall's time: the pages show its hours and minutes as they stand.
        "held_until": local_time(held_until, hall.timezone).isoformat() if held_until else None,
        "absent": tk.absent.value if tk.absent else None,
        "back_at": local_time(tk.back_at, hall.timezone).isoformat() if tk.back_at else None,
    }


def citizen_view(tk: Ticket, hall: Hall, queue: QueueView | None) -> Body:
    """What the ticket's holder sees (the kiosk or guide that issued it, the citizen's phone)."""
    return ticket_view(tk, hall, queue) | {"token": tk.token}


def phone_view(row: Any) -> Body | None:
    """How a given number is shown back (the kiosk, the phone page): masked, never in full."""
    return None if row is None else {"phone": mask_phone(row.phone), "family": row.family}


def staff_view(tk: Ticket, hall: Hall, queue: QueueView | None = None) -> Body:
    """The ticket as a clerk's console or a guide's tablet shows it: the name masked, and its recalls."""
    return ticket_view(tk, hall, queue) | {"masked_name": tk.masked_name, "recalls": tk.recalls}


def held_at(r: Reader, window: int) -> list[Ticket]:
    """The tickets on hold (挂起) at a window, the earliest first."""
    held = [tk for tk in r.in_states([State.held]) if tk.window == window]
    return sorted(held, key=lambda tk: (tk.matter.held_at is None, tk.matter.held_at, tk.id or 0))
