"""What a window clerk does: sign in (open), pause, close, call, recall, serve, finish, transfer, hold.

One function per action, each one transaction on the store; the arguments are what the API's schema
already checked. Each action's step (`_pause`, `_call_next`, ...) runs inside that transaction on the
window, so a window device's call keys (`press`) reuse them for the clerk signed in there."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from ..domain import announcement, policy
from ..domain.eta import update_call_time
from ..domain.events import (
    QueueStats,
    TicketCall,
    TicketCalled,
    TicketDone,
    TicketHeld,
    TicketHoldExpired,
    TicketNoShow,
    TicketRecalled,
    TicketRelease,
    TicketResumed,
    TicketServing,
    TicketTransferred,
    TicketTransferredToWindow,
    WindowState,
)
from ..domain.tickets import FinishResult, Matter, State, Ticket
from ..domain.window import Window, WindowStatus
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..store.repository import HallTx
from ..store.store import Store
from . import announce, lookups
from .principal import SYSTEM, Principal
from .queue_view import QueueView
from .views import held_at, staff_view, ticket_view

Result = dict[str, Any]
Step = Callable[[HallTx, Window, Principal], Result]

STAFF_ROLES = ("clerk", "manager", "admin")
MANAGERS = ("manager", "admin")


@dataclass(frozen=True)
class Finish:
    """How the clerk ends a matter (what the finish key sends)."""

    result: FinishResult = FinishResult.done
    reason: str | None = None  # why a matter is unresolved (未办成), required then
    case_no: str | None = None  # 办件编号: the business system's case, the key of its rating upstream


class CallerKey(StrEnum):
    """A window device's call keys (呼叫器): they act for the clerk signed in at its window; `open`
    only ends a pause there (a closed window has nobody to act for)."""

    call_next = "call-next"
    recall = "recall"
    pause = "pause"
    open = "open"


# -- the actions ----------------------------------------------------------------------------------
def open_window(store: Store, hall_id: str, number: int, who: Principal) -> Result:
    with _transaction(store, hall_id, number, who, own=False) as (tx, w):
        return _open(tx, w, who)


def pause(store: Store, hall_id: str, number: int, who: Principal, reason: str | None = None) -> Result:
    with _transaction(store, hall_id, number, who) as (tx, w):
        return _pause(tx, w, who, reason)


def close(store: Store, hall_id: str, number: int, who: Principal) -> Result:
    # A manager may close a window someone else left open (and finish or miss its ticket first).
    with _transaction(store, hall_id, number, who, takeover=True) as (tx, w):
        return _close(tx, w, who)


def call_next(store: Store, hall_id: str, number: int, who: Principal) -> Result:
    with _transaction(store, hall_id, number, who) as (tx, w):
        return _call_next(tx, w, who)


def call_number(store: Store, hall_id: str, number: int, who: Principal, ticket: str | None) -> Result:
    with _transaction(store, hall_id, number, who) as (tx, w):
        w.require_free()
        tk = _ticket_by_number(tx, ticket)
        if tk.state is not State.waiting:
            raise Conflict("not_waiting", f"{tk.number} 不在等候中", f"{tk.number} is not waiting")
        if tk.service not in tx.hall.window(number).services or tk.window not in (None, number):
            raise Conflict(
                "wrong_window", f"{tk.number} 不属于本窗口办理", f"window {number} does not serve {tk.service}"
            )
        return _call(tx, w, who, tk, w.priority_streak)


def recall(store: Store, hall_id: str, number: int, who: Principal) -> Result:
    with _transaction(store, hall_id, number, who) as (tx, w):
        return _recall(tx, w, who)


def start(store: Store, hall_id: str, number: int, who: Principal) -> Result:
    with _transaction(store, hall_id, number, who) as (tx, w):
        tk = _current(tx, w)
        tk.start(tx.now)
        tx.save_ticket(tk)
        assert tk.id is not None
        tx.emit(TicketServing(id=tk.id, number=tk.number, service=tk.service, window=number), who.actor())
        return _window_result(tx, w, tk)


def finish(store: Store, hall_id: str, number: int, who: Principal, outcome: Finish = Finish()) -> Result:
    with _transaction(store, hall_id, number, who, takeover=True) as (tx, w):
        return _finish(tx, w, who, outcome)


def finish_and_call_next(store: Store, hall_id: str, number: int, who: Principal, outcome: Finish = Finish()) -> Result:
    """办结并叫下一位: one key, one transaction; with nobody waiting the finish still holds and the
    window stays free (`queue_empty`)."""
    with _transaction(store, hall_id, number, who) as (tx, w):
        released = set(_current(tx, w).services())
        # One queue.stats for both steps, after the call: the finish's own would be out of date at once,
        # and working out the estimates is most of what a call costs.
        done = _finish(tx, w, who, outcome, stats=False)
        choice = _choose(tx, w)
        if choice is None:
            _emit_stats(tx, released, who)
            return done | {"queue_empty": True}
        nxt = tx.ticket(choice.ticket.id)
        assert nxt is not None
        called = _call(tx, w, who, nxt, choice.priority_streak, released)
        return called | {"released": done["released"], "queue_empty": False}


def no_show(store: Store, hall_id: str, number: int, who: Principal) -> Result:
    with _transaction(store, hall_id, number, who, takeover=True) as (tx, w):
        tk = _current(tx, w)
        service = tk.service
        tk.no_show(tx.now)
        _record_window_time(tx, tk.matter)
        assert tk.id is not None
        event = TicketNoShow(
            id=tk.id, number=tk.number, window=number, state=tk.state.value, service=service, matter=tk.current
        )
        return _release(tx, w, tk, who, event)


def transfer(store: Store, hall_id: str, number: int, who: Principal, service: str) -> Result:
    with _transaction(store, hall_id, number, who) as (tx, w):
        tk = _current(tx, w)
        target = lookups.service(tx.hall, service).code
        source = tk.service
        tk.transfer(target, tx.now)
        assert tk.id is not None
        event = TicketTransferred(
            id=tk.id, number=tk.number, window=number, state=tk.state.value, source=source, service=target
        )
        return _release(tx, w, tk, who, event)


def transfer_to_window(
    store: Store, hall_id: str, number: int, who: Principal, window: int, service: str | None = None
) -> Result:
    """转窗口: to one other window, first in its queue; `service` (by default the ticket's own) is one
    that window serves."""
    with _transaction(store, hall_id, number, who) as (tx, w):
        tk = _current(tx, w)
        target = _window(tx, window)
        if not target.staffed:
            raise Conflict("window_not_open", f"{window} 号窗口未开启", f"window {window} is not open")
        code = lookups.service(tx.hall, service).code if service is not None else tk.service
        if code not in tx.hall.window(window).services:
            raise Conflict("wrong_window", f"{window} 号窗口不办理该事项", f"window {window} does not serve {code}")
        source = tk.service
        tk.transfer(code, tx.now, window=window)
        assert tk.id is not None
        event = TicketTransferredToWindow(
            id=tk.id,
            number=tk.number,
            window=number,
            state=tk.state.value,
            source=source,
            service=code,
            to_window=window,
        )
        return _release(tx, w, tk, who, event)


def hold(store: Store, hall_id: str, number: int, who: Principal) -> Result:
    """挂起/暂离: the citizen at the window steps away; the window is free for the next call."""
    with _transaction(store, hall_id, number, who) as (tx, w):
        tk = _current(tx, w)
        tk.hold(tx.now)
        tx.save_ticket(tk)
        w.release()
        tx.save_window(w)
        until = tx.now + timedelta(minutes=tx.hall.calling.hold_minutes)
        assert tk.id is not None
        held = TicketHeld(
            id=tk.id, number=tk.number, window=number, state=tk.state.value, service=tk.service, until=until.isoformat()
        )
        tx.emit(held, who.actor())
        tx.emit(QueueStats(QueueView.load(tx, tx.now).stats(list(tx.hall.window(number).services))), who.actor())
        return _window_result(tx, w)


def resume(store: Store, hall_id: str, number: int, who: Principal, ticket: str | None = None) -> Result:
    """The held citizen is back: their ticket is at the window again (by default the one held first)."""
    with _transaction(store, hall_id, number, who) as (tx, w):
        w.require_free()
        held = held_at(tx, number)
        if ticket is not None:
            tk = _ticket_by_number(tx, ticket)
            if tk.id not in {h.id for h in held}:
                raise Conflict("not_held", f"{tk.number} 未在本窗口挂起", f"{tk.number} is not held at window {number}")
        elif held:
            tk = held[0]
        else:
            raise Conflict("nothing_held", "本窗口没有挂起的号码", f"nothing is held at window {number}")
        since = tk.matter.held_at
        tk.resume(number)
        tx.save_ticket(tk)
        assert tk.id is not None
        w.take(tk.id, w.priority_streak, tx.now)
        tx.save_window(w)
        seconds = (tx.now - since).total_seconds() if since else 0.0
        tx.emit(
            TicketResumed(id=tk.id, number=tk.number, service=tk.service, window=number, held_seconds=seconds),
            who.actor(),
        )
        tx.emit(QueueStats(QueueView.load(tx, tx.now).stats(list(tx.hall.window(number).services))), who.actor())
        return _window_result(tx, w, tk)


def end_overdue_holds(store: Store, hall_id: str) -> int:
    """Holds past the hall's limit end as the hall file says (`calling.hold_end`), by the system."""
    with store.read(hall_id) as r:
        limit = r.hall.calling.hold_minutes
        if not any(tk.hold_due(limit, store.clock.now()) for tk in r.in_states([State.held])):
            return 0  # the sweep's usual pass: no write transaction
    with store.write(hall_id) as tx:
        calling = tx.hall.calling
        due = [tk for tk in tx.in_states([State.held]) if tk.hold_due(calling.hold_minutes, tx.now)]
        for tk in due:
            window = tk.window
            assert tk.id is not None and window is not None
            tk.end_hold(calling.hold_end, tx.now)
            tx.save_ticket(tk)
            tx.emit(
                TicketHoldExpired(id=tk.id, number=tk.number, service=tk.service, window=window, state=tk.state.value),
                SYSTEM,
            )
        if due:
            tx.emit(QueueStats(QueueView.load(tx, tx.now).stats(sorted({tk.service for tk in due}))), SYSTEM)
        return len(due)


def press(
    store: Store, hall_id: str, number: int, key: CallerKey, device: Principal, reason: str | None = None
) -> Result:
    """A window device presses a call key: the action is the clerk's, through the device."""
    if device.kind != "window" or device.window != number:
        raise Forbidden("other_window", "此设备不属于该窗口", "this device belongs to another window")
    with store.write(hall_id) as tx:
        w = tx.window(number)
        clerk = tx.user(w.clerk_id) if w is not None and w.clerk_id is not None else None
        if w is None or clerk is None or not clerk.active or not w.staffed:
            raise Conflict("no_clerk", f"{number} 号窗口无人登录", f"nobody is signed in at window {number}")
        if key is CallerKey.open and w.state is not WindowStatus.paused:
            raise Conflict("not_paused", f"{number} 号窗口未暂停", f"window {number} is not paused")
        who = Principal(
            kind="user",
            hall=clerk.hall,
            user_id=clerk.id,
            username=clerk.username,
            role=clerk.role,
            name=clerk.display_name,
            staff_no=clerk.staff_no,
            via=device,
        )
        steps: dict[CallerKey, Step] = {
            CallerKey.call_next: _call_next,
            CallerKey.recall: _recall,
            CallerKey.pause: lambda tx, w, who: _pause(tx, w, who, reason),
            CallerKey.open: _open,
        }
        return steps[key](tx, w, who)


# -- the transaction and its window -----------------------------------------------------------------
@contextmanager
def _transaction(
    store: Store, hall_id: str, number: int, who: Principal, *, own: bool = True, takeover: bool = False
) -> Iterator[tuple[HallTx, Window]]:
    """The window's one transaction, for a member of staff signed in there (`own`); a hall manager
    may end what a clerk left behind (`takeover`: a ticket still at the window, the window still
    open), never call anyone there."""
    if not who.is_user or who.role not in STAFF_ROLES:
        raise Forbidden("clerk_only", "仅窗口工作人员可操作", "only a window clerk may do this")
    with store.write(hall_id) as tx:
        w = _window(tx, number)
        if own and w.clerk_id != who.user_id and not (takeover and who.role in MANAGERS):
            raise Forbidden("not_your_window", f"您未登录 {number} 号窗口", f"you are not signed in at window {number}")
        yield tx, w


def _window(tx: HallTx, number: int) -> Window:
    try:
        tx.hall.window(number)
    except KeyError:
        raise NotFound("window_not_found", f"没有 {number} 号窗口", f"no window {number}") from None
    w = tx.window(number)
    assert w is not None  # every window of the hall's configuration has its row
    return w


def _window_event(tx: HallTx, w: Window, who: Principal) -> None:
    tx.emit(
        WindowState(window=w.number, state=w.state, reason=w.pause_reason, clerk=who.name, staff_no=who.staff_no),
        who.actor(),
    )
    # A window opening or closing changes the estimated wait of every service it serves.
    tx.emit(QueueStats(QueueView.load(tx, tx.now).stats(list(tx.hall.window(w.number).services))), who.actor())


def _window_result(tx: HallTx, w: Window, tk: Ticket | None = None) -> Result:
    current = tk if tk is not None else (tx.ticket(w.ticket_id) if w.ticket_id else None)
    return {
        "window": w.number,
        "state": w.state.value,
        "pause_reason": w.pause_reason,
        "ticket": staff_view(current, tx.hall) if current else None,
        "held": [staff_view(h, tx.hall) for h in held_at(tx, w.number)],
        "max_recalls": tx.hall.calling.max_recalls,
    }


# -- the steps --------------------------------------------------------------------------------------
def _open(tx: HallTx, w: Window, who: Principal) -> Result:
    w.open(who.user_id, tx.now)
    elsewhere = tx.window_of_clerk(who.user_id) if who.user_id is not None else None
    if elsewhere is not None and (elsewhere.hall, elsewhere.number) != (tx.hall_id, w.number):
        raise Conflict(
            "clerk_elsewhere",
            f"您已登录 {elsewhere.number} 号窗口，请先关闭",
            f"you are signed in at window {elsewhere.number}",
        )
    tx.save_window(w)
    _window_event(tx, w, who)
    return _window_result(tx, w)


def _pause(tx: HallTx, w: Window, who: Principal, reason: str | None) -> Result:
    w.pause(reason, tx.now)
    tx.save_window(w)
    _window_event(tx, w, who)
    return _window_result(tx, w)


def _close(tx: HallTx, w: Window, who: Principal) -> Result:
    if held_at(tx, w.number):
        raise Conflict("tickets_on_hold", "本窗口有挂起的号码，请先处理", "tickets are on hold at this window")
    w.close(tx.now)
    # Tickets transferred to this window alone go back to their service's front for any window.
    for tk in tx.waiting(tx.hall.window(w.number).services):
        if tk.window == w.number:
            tk.window = None
            tx.save_ticket(tk)
    tx.save_window(w)
    _window_event(tx, w, who)
    return _window_result(tx, w)


def _choose(tx: HallTx, w: Window) -> policy.Choice | None:
    weights = tx.hall.window(w.number).services
    return policy.choose(tx.shortlist(weights, tx.now), weights, tx.rules, tx.now, w.priority_streak, w.number)


def _call_next(tx: HallTx, w: Window, who: Principal) -> Result:
    w.require_free()
    choice = _choose(tx, w)
    if choice is None:
        raise Conflict("queue_empty", "当前没有等候的号码", "nobody is waiting for this window")
    tk = tx.ticket(choice.ticket.id)
    assert tk is not None
    return _call(tx, w, who, tk, choice.priority_streak)


def _call(tx: HallTx, w: Window, who: Principal, tk: Ticket, streak: int, released: Iterable[str] = ()) -> Result:
    """Calls `tk` to the window; the queue stats cover its service and those of a ticket `released` just before."""
    assert tk.id is not None
    w.take(tk.id, streak, tx.now)
    tk.call(w.number, who.username, tx.now)
    tx.save_ticket(tk)
    tx.save_window(w)
    tx.emit(_call_event(TicketCalled, tx, tk, w.number, recall=0), who.actor())
    _emit_stats(tx, {tk.service, *released}, who)
    return _window_result(tx, w, tk)


def _emit_stats(tx: HallTx, services: Iterable[str], who: Principal) -> None:
    tx.emit(QueueStats(QueueView.load(tx, tx.now).stats(sorted(services))), who.actor())


def _call_event(kind: type[TicketCall], tx: HallTx, tk: Ticket, number: int, recall: int) -> TicketCall:
    assert tk.id is not None
    return kind(
        id=tk.id,
        number=tk.number,
        service=tk.service,
        window=number,
        floor=tx.hall.window(number).floor,
        recall=recall,
        text=announcement.call_text(tk.number, number),
        speech=announcement.spoken(announcement.call_words(tk.number, number, recall=recall > 0)),
        audio_url=announce.audio_url(tx.hall_id, tx.next_seq),  # the event being emitted with this data
    )


def _ticket_by_number(tx: HallTx, raw: str | None) -> Ticket:
    if raw is None or not raw.strip():
        raise Invalid("number_required", "请输入号码", "a ticket number is required")
    return lookups.ticket_today(tx, tx.now, raw)


def _current(tx: HallTx, w: Window) -> Ticket:
    tk = tx.ticket(w.current())
    assert tk is not None
    return tk


def _recall(tx: HallTx, w: Window, who: Principal) -> Result:
    tk = _current(tx, w)
    tk.recall(tx.hall.calling.max_recalls)
    tx.save_ticket(tk)
    tx.emit(_call_event(TicketRecalled, tx, tk, w.number, recall=tk.recalls), who.actor())
    return _window_result(tx, w, tk)


def _release(tx: HallTx, w: Window, tk: Ticket, who: Principal, event: TicketRelease, stats: bool = True) -> Result:
    tx.save_ticket(tk)
    w.release()
    tx.save_window(w)
    tx.emit(event, who.actor())
    if stats:
        _emit_stats(tx, set(tk.services()), who)
    return _window_result(tx, w) | {"released": ticket_view(tk, tx.hall, None)}


def _finish(tx: HallTx, w: Window, who: Principal, outcome: Finish, stats: bool = True) -> Result:
    tk = _current(tx, w)
    matter_index = tk.current
    matter = tk.matter
    tk.finish(outcome.result, outcome.reason, tx.now)
    matter.case_no = outcome.case_no  # 办件编号, optional: the key of the matter's rating upstream
    assert tk.id is not None and matter.finished_at is not None and matter.started_at is not None
    seconds = (matter.finished_at - matter.started_at).total_seconds()
    _record_window_time(tx, matter)
    event = TicketDone(
        id=tk.id,
        number=tk.number,
        window=w.number,
        state=tk.state.value,
        service=matter.service,
        matter=matter_index,
        result=outcome.result.value,
        reason=matter.reason,
        next_service=tk.service if tk.state is State.waiting else None,
        service_seconds=seconds,
    )
    return _release(tx, w, tk, who, event, stats)


def _record_window_time(tx: HallTx, matter: Matter) -> None:
    """The estimated wait needs how long a call keeps a window: from the call (the citizen has yet to
    walk over) to the release, the service itself and the recalls of a no-show alike."""
    assert matter.finished_at is not None
    called = matter.called_at or matter.started_at
    assert called is not None
    taken = (matter.finished_at - called).total_seconds()
    tx.record_window_time(matter.service, update_call_time(tx.call_times().get(matter.service), taken))
