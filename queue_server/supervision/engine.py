"""The alert engine: checks each hall's conditions and writes `alert.raised` / `alert.cleared`.

It looks again right after any committed change in this process (event-driven alerts: a low
rating, a printer out of paper, a queue with no window), at the moment the next time-based
condition would start to hold (a wait passing its limit: no later than that instant plus the
time a check takes), and at least every `TICK` seconds (changes made by other server processes).

Which alerts are open is read from the event log itself (today's fold), and a write re-checks under
the hall's lock before it emits: several processes on one database raise each episode once, and a
restart neither repeats nor forgets an open alert."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from ..domain.events import ALERTS, AlertCleared, Recorded
from ..store.health import is_disk_full
from ..store.repository import Reader
from ..store.store import Store
from ..usecases.principal import SYSTEM
from .alerts import Condition, Device, FollowUp, HallNow, Lockout, Rating, WindowNow, evaluate
from .figures import Fold
from .source import Tracker, at_windows, waiting

log = logging.getLogger(__name__)
T = TypeVar("T")

TICK = 2.0  # seconds between checks when nothing happens
GAP = 0.25  # at least this long between two checks (event-driven ones coalesce under load)


def hall_now(reader: Reader, fold: Fold, now: datetime, storage_full_since: datetime | None = None) -> HallNow:
    """The present state of a hall as the alert rules see it."""
    rows = reader.windows()
    current = at_windows(reader, [r.ticket_id for r in rows.values() if r.ticket_id])
    staff = reader.staff()
    windows = []
    for number, row in sorted(rows.items()):
        clerk = staff.get(row.clerk_id) if row.clerk_id is not None else None
        seen = fold.window_now.get(number)
        windows.append(
            WindowNow(
                number,
                row.state,
                row.state_since,
                clerk.display_name if clerk else None,
                row.pause_reason,
                current.get(row.ticket_id) if row.ticket_id else None,
                seen.released_at if seen else None,
            )
        )
    ratings = [
        Rating(
            r["id"],
            r["matter"] or 0,
            r["number"],
            r["score"],
            r["service"],
            r["window"],
            r["clerk"],
            r["scale"],
            r["reason"],
        )
        for r in fold.ratings
    ]
    followups = [
        FollowUp(f.id, f.number, f.service, f.window, f.clerk, f.due, f.assignee)
        for f in reader.followups(open_only=True)
    ]
    devices = [Device(d.device, d.kind, d.state, d.detail or "", d.since) for d in reader.devices()]
    lockouts = [Lockout(lo["seq"], lo["account"], lo["address"]) for lo in fold.lockouts]
    return HallNow(
        now,
        waiting(reader),
        windows,
        ratings,
        devices,
        storage_full_since=storage_full_since,
        lockouts=lockouts,
        followups=followups,
    )


def changes(fold: Fold, conditions: list[Condition]) -> tuple[list[Condition], list[int]]:
    """(conditions to raise, open alert ids to clear)."""
    holding = {c.key for c in conditions}
    raise_ = [c for c in conditions if c.key not in fold.open_alerts and not (c.sticky and c.key in fold.alert_keys)]
    clear = [
        aid for key, aid in fold.open_alerts.items() if key not in holding and not fold.alerts[aid].data.get("sticky")
    ]
    return raise_, clear


class AlertEngine:
    def __init__(self, store: Store, tracker: Tracker, tick: float = TICK):
        self.store = store
        self.tracker = tracker
        self.tick = tick
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="hallq-alerts")
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None

    # -- one check ----------------------------------------------------------------------------
    def _look(self, reader: Reader, now: datetime) -> tuple[list[Condition], list[int], datetime | None, Fold]:
        with self.tracker.lock:
            fold = self.tracker.current(reader, now)
            state = hall_now(reader, fold, now, self.store.health.check())
            conditions, due = evaluate(reader.hall, state, set(fold.open_alerts))
            raise_, clear = changes(fold, conditions)
            return raise_, clear, due, fold

    def check(self, hall_id: str) -> datetime | None:
        """Raises and clears what changed in one hall; returns when to look again at the latest."""
        with self.store.read(hall_id) as r:
            raise_, clear, due, _ = self._look(r, self.store.clock.now())
        if not (raise_ or clear):
            return due
        with self.store.write(hall_id) as tx:
            # Again under the hall's lock, with every event committed before it: exactly once.
            raise_, clear, due, fold = self._look(tx, tx.now)
            for c in raise_:
                tx.emit(c.event(), SYSTEM)
            for aid in clear:
                a = fold.alerts[aid]
                tx.emit(AlertCleared(alert=aid, key=a.key, kind=a.kind), SYSTEM)
        return due

    # -- the loop -----------------------------------------------------------------------------
    def _notify(self, events: list[Recorded]) -> None:
        """From a writer's thread, after its commit: look again soon (not for our own alerts)."""
        if self._loop is None or self._wake is None or all(e.kind in ALERTS and e.actor == SYSTEM for e in events):
            return
        try:
            self._loop.call_soon_threadsafe(self._wake.set)
        except RuntimeError:  # the loop has closed
            pass

    async def _run(self, fn: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _forever(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            due: datetime | None = None
            try:
                halls = await self._run(self.store.local_hall_ids)
            except Exception:  # noqa: BLE001 - the engine must outlive a database hiccup
                log.exception("alert engine: cannot list halls")
                halls = []
            for hall in halls:
                try:
                    d = await self._run(self.check, hall)
                except Exception as e:  # noqa: BLE001
                    if is_disk_full(e):  # logged once there, not at every look
                        self.store.health.full(e)
                    else:
                        log.exception("alert check failed for hall %s", hall)
                    continue
                if d is not None and (due is None or d < due):
                    due = d
            wait = self.tick
            if due is not None:
                wait = min(wait, max(0.0, (due - self.store.clock.now()).total_seconds()) + 0.01)
            await asyncio.sleep(GAP)
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.0, wait - GAP))
            except TimeoutError:
                pass

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if hasattr(self.store.sink, "subscribe"):
            self.store.sink.subscribe(self._notify)
        self._task = asyncio.create_task(self._forever())

    async def stop(self) -> None:
        if hasattr(self.store.sink, "unsubscribe"):
            try:
                self.store.sink.unsubscribe(self._notify)
            except ValueError:
                pass
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        self._pool.shutdown(wait=False, cancel_futures=True)
