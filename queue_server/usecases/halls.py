"""Loading a hall's configuration: a new hall, or a new version of a running one. A reload takes
effect at once (every reader sees the new version) and is announced to the pages (`hall.changed`),
but it may not break what today's citizens hold."""

from __future__ import annotations

from ..domain.calendar import business_day
from ..domain.events import HallChanged
from ..domain.hall import Hall
from ..errors import Conflict
from ..store.repository import HallTx, config_hash
from ..store.store import Store
from .principal import SYSTEM


def load_hall(store: Store, hall: Hall, shipped: bool = False) -> bool:
    """Creates or updates a hall and its windows. Returns False when nothing changed. `shipped`: the
    hall runs on a server of its own, which ships its log here (usecases/shipping.py); a hall that
    has a log of its own here already cannot become one."""
    current = store.hall_digest(hall.id)
    if current is None:
        store.create_hall(hall, shipped)
        return True
    with store.write(hall.id) as tx:
        if shipped and not tx.shipped:
            if tx.seq > 0:
                raise Conflict(
                    "hall_has_own_log",
                    f"大厅 {hall.id} 在这里已有自己的记录，不能改为接收其他服务器传来的记录",
                    f"hall {hall.id} has a log of its own here: it cannot take another server's",
                )
            tx.mark_shipped()
        elif current == config_hash(hall.model_dump(mode="json")):
            return False
        if tx.shipped:  # its own server announces the change, in the log it ships here
            tx.replace_hall(hall)
            return True
        _refuse_breaking(tx, hall)
        tx.replace_hall(hall)
        tx.emit(
            HallChanged(name=hall.name, name_en=hall.name_en, services=len(hall.services), windows=len(hall.windows)),
            SYSTEM,
        )
    return True


def _refuse_breaking(tx: HallTx, new: Hall) -> None:
    """A service today's tickets carry, or a window in use, stays until the day is over: citizens'
    phone pages and the clerks' screens read them."""
    old = tx.hall
    today = business_day(tx.now, old.timezone, old.day_boundary_hour)
    carried = sorted(tx.services_carried({s.code for s in old.services} - {s.code for s in new.services}, today))
    if carried:
        raise Conflict(
            "service_in_use",
            f"今天的号票还要办理 {', '.join(carried)}，请在今天结束后再删除",
            f"today's tickets carry {', '.join(carried)}: remove it after the day is over",
        )
    busy = tx.windows_in_use({w.number for w in old.windows} - {w.number for w in new.windows})
    if busy:
        listed = ", ".join(map(str, busy))
        raise Conflict(
            "window_in_use", f"{listed} 号窗口仍在使用，请先关闭", f"window {listed} is in use: close it first"
        )
