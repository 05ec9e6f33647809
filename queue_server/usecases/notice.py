"""The hall's live notice: a manager replaces the boards' notice line while the hall runs
(a closed window, a system outage) and clears it to go back to the configured one."""

from __future__ import annotations

from ..domain.events import HallNotice
from ..store.store import Store
from .body import Body
from .principal import Principal


def _view(notice: str, live: bool) -> Body:
    return {"notice": notice, "live": live}


def current(store: Store, hall_id: str) -> Body:
    with store.read(hall_id) as r:
        return _view(r.hall.notice, r.live_notice() is not None)


def publish(store: Store, hall_id: str, who: Principal, text: str) -> Body:
    """`text` blank clears the live notice. The event carries the notice now shown, so a board
    needs nothing else to show it."""
    text = text.strip()
    with store.write(hall_id) as tx:
        view = _view(tx.set_notice(text or None), bool(text))
        tx.emit(HallNotice(notice=view["notice"], live=view["live"]), who.actor())
    return view
