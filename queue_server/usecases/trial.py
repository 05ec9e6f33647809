"""A trial run before go-live: staff take and call tickets on the real devices, then clear the day,
so that the hall's first citizen gets 001 and the day's reports start from nothing."""

from __future__ import annotations

from ..domain.calendar import business_day
from ..domain.events import HallCleared
from ..store.store import Store

# Who clears: the hall's administrator at the server's command line.
OPERATOR = {"kind": "system", "id": "hallq clear-day"}


def today_counts(store: Store, hall_id: str) -> dict[str, int]:
    """What clearing would remove: today's tickets, and the windows signed in."""
    with store.read(hall_id) as r:
        day = business_day(store.clock.now(), r.hall.timezone, r.hall.day_boundary_hour)
        staffed = sum(1 for w in r.windows().values() if w.staffed)
        return {"tickets": len(r.tickets_of_day(day)), "windows": staffed}


def clear_today(store: Store, hall_id: str) -> int:
    """Removes today's tickets (see HallTx.clear_day) and announces it (`hall.cleared`): the boards,
    window screens and dashboards start over. Returns how many tickets went."""
    with store.write(hall_id) as tx:
        day = business_day(tx.now, tx.hall.timezone, tx.hall.day_boundary_hour)
        gone = tx.clear_day(day)
        tx.emit(HallCleared(day=day.isoformat(), tickets=gone), OPERATOR)
        return gone
