"""How a ticket is shown: to staff (no token) and to the citizen who holds it (with its token).

The token is the citizen's secret: it follows the ticket, rates and cancels it. Staff see tickets
without it, so a clerk cannot rate his own service as the citizen."""

from __future__ import annotations

from typing import Any

from ..domain.hall import Hall
from ..domain.notices import mask_phone
from ..domain.tickets import STATE_NAMES, Matter, Ticket
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
    }


def citizen_view(tk: Ticket, hall: Hall, queue: QueueView | None) -> Body:
    """What the ticket's holder sees (the kiosk or guide that issued it, the citizen's phone)."""
    return ticket_view(tk, hall, queue) | {"token": tk.token}


def phone_view(row: Any) -> Body | None:
    """How a given number is shown back (the kiosk, the phone page): masked, never in full."""
    return None if row is None else {"phone": mask_phone(row.phone), "family": row.family}
