"""The alert engine: checks each hall's conditions and writes `alert.raised` / `alert.cleared`.

It looks again at a hall right after a committed change of that hall (event-driven alerts: a low
rating, a printer out of paper, a queue with no window; a hall changing all the time is looked at
once a second), at the moment the hall's next time-based
condition would start to hold (a wait passing its limit: no later than that instant plus the time
a check takes), and at every hall every `SWEEP` seconds (what no event announces: a day's turn).
A check reads the hall's present state, so only the halls that changed are looked at: under load
a city of halls costs what its busy halls cost, not what all of them do at every change.

It runs in one server process of a deployment, the one holding the alerts' lease (another takes
over when it stops, and looks at every hall). It learns of its own process's commits from the
store and of the other processes' from their notifications (the hub's `remote`); one that may
have been missed (a reconnection of the listener) makes it look at every hall.

Which alerts are open is read from the event log itself (today's fold), and a write re-checks under
the hall's lock before it emits: a new lease holder raises no episode again, and a restart neither
repeats nor forgets an open alert."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import TypeVar

from ..domain.events import ALERTS, AlertCleared, Recorded
from ..events.hub import Hub
from ..store.health import is_disk_full
from ..store.lease import Lease
from ..store.repository import Reader
from ..store.store import Store
from ..usecases.principal import SYSTEM
from .alerts import Condition, Device, FollowUp, HallNow, Lockout, Rating, WindowNow, evaluate
from .figures import Fold
from .source import Tracker, at_windows, waiting

log = logging.getLogger(__name__)
T = TypeVar("T")

TICK = 2.0  # seconds between two looks at the lease (a process that does not hold it may take it over)
GAP = 0.25  # at least this long between two passes (the changes of many commits coalesce under load)
HALL_GAP = 1.0  # and between two looks at one hall prompted by its changes: a busy hall changes all the time
SWEEP = 30.0  # seconds between looks at every hall
ALERTS_LOCK = 0x68616C6C71414C54  # "hallqALT": the PostgreSQL advisory lock of the alerts' lease


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


def _ours(events: Iterable[Recorded]) -> bool:
    """The engine's own alerts: no reason to look again."""
    return all(e.kind in ALERTS and e.actor == SYSTEM for e in events)


class AlertEngine:
    def __init__(
        self, store: Store, tracker: Tracker, hub: Hub | None = None, tick: float = TICK, sweep: float = SWEEP
    ):
        self.store = store
        self.tracker = tracker
        self.hub = hub
        self.tick = tick
        self.sweep = sweep
        self.lease = Lease(store.engine, ALERTS_LOCK)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="hallq-alerts")
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task | None = None
        self._holding = False
        self._halls: set[str] = set()  # the halls this server runs, as last read
        self._changed: set[str] = set()  # halls to look at in the next pass
        self._looked: dict[str, float] = {}  # time.monotonic() of each hall's last look
        self._due: dict[str, datetime] = {}  # when to look at a hall again if nothing happens
        self._next_sweep = 0.0  # time.monotonic() of the next look at every hall
        self._storage: datetime | None = None  # the disk full since, as the last pass saw it

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
    def _mark(self, halls: Iterable[str] | None) -> None:
        """On the loop: these halls changed (None: any may have)."""
        if halls is None:
            self._next_sweep = 0.0
        else:
            self._changed.update(halls)
        if self._holding and self._wake is not None:
            self._wake.set()

    def _committed(self, events: list[Recorded]) -> None:
        """From a writer's thread, after its commit."""
        if self._loop is None or _ours(events):
            return
        try:
            self._loop.call_soon_threadsafe(self._mark, {e.hall for e in events})
        except RuntimeError:  # the loop has closed
            pass

    def _remote(self, hall: str | None, events: list[Recorded]) -> None:
        """From the hub: another process committed in `hall` (None: notifications may have been missed)."""
        if hall is None or not (events and _ours(events)):
            self._mark(None if hall is None else (hall,))

    async def _run(self, fn: Callable[..., T], *args) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _pass(self) -> None:
        holding = await self._run(self.lease.held)
        taken, self._holding = holding and not self._holding, holding
        if not holding:
            self._changed.clear()  # the holder looks at them
            return
        storage = self.store.health.check()
        # A full disk (or room again) holds in every hall at once, and the room the reserve leaves for
        # the alert lasts only a while: every hall is looked at now, busy or not.
        urgent = taken or storage != self._storage
        if urgent or time.monotonic() >= self._next_sweep:
            self._halls = set(await self._run(self.store.local_hall_ids))
            self._changed |= self._halls
            self._next_sweep = time.monotonic() + self.sweep
            self._storage = storage
        now = self.store.clock.now()
        self._changed.update(h for h, d in self._due.items() if d <= now)
        if not self._changed <= self._halls:  # a hall added since (or one shipped here: not ours)
            self._halls = set(await self._run(self.store.local_hall_ids))
        soon = time.monotonic() - (0.0 if urgent else HALL_GAP)
        halls = sorted(h for h in self._changed & self._halls if self._looked.get(h, -HALL_GAP) <= soon)
        self._changed = {h for h in self._changed - set(halls) if h in self._halls}
        for hall in halls:
            self._looked[hall] = time.monotonic()
            self._due.pop(hall, None)
            try:
                due = await self._run(self.check, hall)
            except Exception as e:  # noqa: BLE001 - the engine must outlive a database hiccup
                if is_disk_full(e):  # logged once there, not at every look
                    self.store.health.full(e)
                else:
                    log.exception("alert check failed for hall %s", hall)
                self._changed.add(hall)  # tried again at its next look, a second later
                continue
            if due is not None:
                self._due[hall] = due

    def _wait(self) -> float:
        """Seconds until the next pass if nothing changes."""
        wait = self.tick
        if self._holding:
            wait = min(wait, max(0.0, self._next_sweep - time.monotonic()))
            if self._changed:
                wait = min(wait, max(0.0, min(self._looked[h] for h in self._changed) + HALL_GAP - time.monotonic()))
            if self._due:
                wait = min(wait, max(0.0, (min(self._due.values()) - self.store.clock.now()).total_seconds()) + 0.01)
        return wait

    async def _forever(self) -> None:
        assert self._wake is not None
        while True:
            self._wake.clear()
            try:
                await self._pass()
            except Exception:  # noqa: BLE001 - e.g. the lease's database is restarting
                log.exception("alert engine pass failed")
            wait = self._wait()
            await asyncio.sleep(GAP)
            try:
                await asyncio.wait_for(self._wake.wait(), max(0.0, wait - GAP))
            except TimeoutError:
                pass

    def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if hasattr(self.store.sink, "subscribe"):
            self.store.sink.subscribe(self._committed)
        if self.hub is not None:
            self.hub.remote.append(self._remote)
        self._task = asyncio.create_task(self._forever())

    async def stop(self) -> None:
        if hasattr(self.store.sink, "unsubscribe"):
            try:
                self.store.sink.unsubscribe(self._committed)
            except ValueError:
                pass
        if self.hub is not None and self._remote in self.hub.remote:
            self.hub.remote.remove(self._remote)
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.lease.release()
