"""A hall's event log, shipped from the hall's own server (a township's, on its LAN) to this one (the
city's), where the hall was loaded with `hallq load-hall --shipped` and is read-only. Appended in
order, each seq once and unchanged, so that every figure the city folds from the log for that hall is
the hall's own."""

from __future__ import annotations

from ..domain.events import Recorded, missing
from ..errors import Conflict, Invalid
from ..store.store import Store
from .body import Body

MAX_EVENTS = 500  # per request: well under the request body limit with the largest events


def received(store: Store, hall_id: str) -> Body:
    """Where the shipped log stands here: the shipper sends from `last_seq` + 1."""
    with store.read(hall_id) as r:
        last = r.last_seq()
    return {"hall": hall_id, "last_seq": last, "shipped": hall_id not in store.local_hall_ids()}


def receive(store: Store, hall_id: str, events: list[Recorded]) -> Body:
    """Appends the events after the last one here; those already here must be the same (a batch
    sent again after a lost answer), and none may be skipped."""
    with store.write(hall_id) as tx:
        if not tx.shipped:
            raise Conflict(
                "hall_not_shipped",
                "本大厅在这里运行，不接收其他服务器传来的记录（接收请用 hallq load-hall --shipped 载入）",
                "this hall runs here and takes no other server's log (load it with hallq load-hall --shipped)",
            )
        old = [ev for ev in events if ev.seq <= tx.seq]
        if old:
            here = {e.seq: e for e in tx.events_after(old[0].seq - 1, len(old))}
            for ev in old:
                mine = here.get(ev.seq)
                if mine is None or (mine.type, mine.ts, mine.actor, mine.data) != (ev.type, ev.ts, ev.actor, ev.data):
                    raise Conflict(
                        "log_diverged",
                        f"第 {ev.seq} 条记录与这里已收到的不同",
                        f"event {ev.seq} differs from the one received before",
                    )
        for ev in events[len(old) :]:
            lacking = missing(ev.type, ev.data)
            if lacking:  # the log is kept for good: a broken event would break every fold of it
                raise Invalid(
                    "bad_event",
                    f"第 {ev.seq} 条记录（{ev.type}）缺少 {', '.join(lacking)}",
                    f"event {ev.seq} ({ev.type}) lacks {', '.join(lacking)}",
                )
            if ev.seq != tx.seq + 1:
                raise Conflict(
                    "seq_gap", f"应从第 {tx.seq + 1} 条记录接着传", f"expected event {tx.seq + 1}, got {ev.seq}"
                )
            tx.append_shipped(ev)
        last = tx.seq
    return {"hall": hall_id, "last_seq": last, "shipped": True}
