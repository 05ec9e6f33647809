"""What a window clerk does: sign in (open), pause, close, call, recall, serve, finish, transfer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from sqlalchemy import Row

from ..domain import announcement, policy
from ..domain.calendar import business_day
from ..domain.eta import update_call_time
from ..domain.events import (
    QueueStats,
    TicketCall,
    TicketCalled,
    TicketDone,
    TicketNoShow,
    TicketRecalled,
    TicketRelease,
    TicketServing,
    TicketTransferred,
    WindowState,
)
from ..domain.tickets import FinishResult, Matter, State, Ticket
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..store.repository import HallTx
from ..store.store import Store
from . import announce
from .body import Body
from .principal import Principal
from .queue_view import QueueView
from .views import ticket_view

ACTIONS = ("open", "pause", "close", "call-next", "call", "recall", "start", "finish", "no-show", "transfer")
# What a hall manager may do at a window someone else signed in at: end what a clerk left behind
# (a ticket still at the window, the window still open), never call anyone there.
TAKEOVER_ACTIONS = ("finish", "no-show", "close")


# What a window device's call keys (呼叫器) do for the clerk signed in at its window; "open" only
# ends a pause there (a closed window has nobody to act for).
CALLER_ACTIONS = ("call-next", "recall", "pause", "open")


def act_for_clerk(store: Store, hall_id: str, number: int, action: str, device: Principal, body: Body) -> Body:
    """A window device presses a call key: the action is the clerk's, through the device."""
    if action not in CALLER_ACTIONS:
        raise NotFound("unknown_action", f"呼叫器没有操作 {action}", f"no caller key {action!r}")
    if device.kind != "window" or device.window != number:
        raise Forbidden("other_window", "此设备不属于该窗口", "this device belongs to another window")
    with store.write(hall_id) as tx:
        row = tx.window(number)
        clerk = tx.user(row.clerk_id) if row is not None and row.clerk_id is not None else None
        if clerk is None or not clerk.active or row.state == "closed":
            raise Conflict("no_clerk", f"{number} 号窗口无人登录", f"nobody is signed in at window {number}")
        if action == "open" and row.state != "paused":
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
        if action == "open":
            return _open(tx, number, row, who)
        return _HANDLERS[action](tx, number, row, who, body)


def act(store: Store, hall_id: str, number: int, action: str, who: Principal, body: Body) -> Body:
    if action not in ACTIONS:
        raise NotFound("unknown_action", f"没有操作 {action}", f"no window action {action!r}")
    if not who.is_user or who.role not in ("clerk", "manager", "admin"):
        raise Forbidden("clerk_only", "仅窗口工作人员可操作", "only a window clerk may do this")
    with store.write(hall_id) as tx:
        try:
            tx.hall.window(number)
        except KeyError:
            raise NotFound("window_not_found", f"没有 {number} 号窗口", f"no window {number}") from None
        row = tx.window(number)
        if action == "open":
            return _open(tx, number, row, who)
        takeover = who.role in ("manager", "admin") and action in TAKEOVER_ACTIONS
        if row.clerk_id != who.user_id and not takeover:
            raise Forbidden("not_your_window", f"您未登录 {number} 号窗口", f"you are not signed in at window {number}")
        handler = _HANDLERS[action]
        return handler(tx, number, row, who, body)


# -- window state -------------------------------------------------------------------------
def _window_event(tx: HallTx, number: int, who: Principal, state: str, reason: str | None) -> None:
    tx.emit(WindowState(window=number, state=state, reason=reason, clerk=who.name, staff_no=who.staff_no), who.actor())
    # A window opening or closing changes the estimated wait of every service it serves.
    tx.emit(QueueStats(QueueView.load(tx, tx.now).stats(list(tx.hall.window(number).services))), who.actor())


def _open(tx: HallTx, number: int, row: Row[Any], who: Principal) -> Body:
    if row.clerk_id not in (None, who.user_id) and row.state != "closed":
        raise Conflict("window_taken", f"{number} 号窗口已有人登录", f"window {number} is staffed by someone else")
    elsewhere = tx.window_of_clerk(who.user_id) if who.user_id is not None else None
    if elsewhere is not None and (elsewhere.hall, elsewhere.number) != (tx.hall_id, number):
        raise Conflict(
            "clerk_elsewhere",
            f"您已登录 {elsewhere.number} 号窗口，请先关闭",
            f"you are signed in at window {elsewhere.number}",
        )
    tx.save_window(number, state="open", pause_reason=None, clerk_id=who.user_id, state_since=tx.now)
    _window_event(tx, number, who, "open", None)
    return _window_result(tx, number)


def _pause(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    reason = (body.get("reason") or "").strip() or "暂停服务"
    tx.save_window(number, state="paused", pause_reason=reason[:200], state_since=tx.now)
    _window_event(tx, number, who, "paused", reason[:200])
    return _window_result(tx, number)


def _close(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    if row.ticket_id is not None:
        raise Conflict("ticket_in_progress", "请先办结当前号码", "finish the current ticket first")
    tx.save_window(number, state="closed", pause_reason=None, clerk_id=None, priority_streak=0, state_since=tx.now)
    _window_event(tx, number, who, "closed", None)
    return _window_result(tx, number)


def _window_result(tx: HallTx, number: int, tk: Ticket | None = None) -> Body:
    row = tx.window(number)
    current = tk if tk is not None else (tx.ticket(row.ticket_id) if row.ticket_id else None)
    return {
        "window": number,
        "state": row.state,
        "pause_reason": row.pause_reason,
        "ticket": ticket_view(current, tx.hall, None) | {"masked_name": current.masked_name} if current else None,
    }


# -- calling ------------------------------------------------------------------------------
def _require_free(tx: HallTx, number: int, row: Row[Any]) -> None:
    if row.state != "open":
        raise Conflict("window_not_open", f"{number} 号窗口未开启", f"window {number} is not open")
    if row.ticket_id is not None:
        # Also what makes a double click on "call next" harmless: the second click finds a ticket.
        raise Conflict("ticket_in_progress", "请先办结当前号码", "finish the current ticket first")


def _call(tx: HallTx, number: int, who: Principal, tk: Ticket, streak: int) -> Body:
    tk.call(number, who.username, tx.now)
    tx.save_ticket(tk)
    tx.save_window(number, ticket_id=tk.id, priority_streak=streak, last_call_at=tx.now)
    tx.emit(_call_event(TicketCalled, tx, tk, number, recall=0), who.actor())
    tx.emit(QueueStats(QueueView.load(tx, tx.now).stats([tk.service])), who.actor())
    return _window_result(tx, number, tk)


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


def _call_next(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    _require_free(tx, number, row)
    weights = tx.hall.window(number).services
    choice = policy.choose(tx.shortlist(weights), weights, tx.rules, tx.now, row.priority_streak)
    if choice is None:
        raise Conflict("queue_empty", "当前没有等候的号码", "nobody is waiting for this window")
    tk = tx.ticket(choice.ticket.id)
    assert tk is not None  # chosen from the waiting tickets of this transaction
    return _call(tx, number, who, tk, choice.priority_streak)


def _call_number(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    _require_free(tx, number, row)
    tk = _ticket_by_number(tx, body.get("number"))
    if tk.state is not State.waiting:
        raise Conflict("not_waiting", f"{tk.number} 不在等候中", f"{tk.number} is not waiting")
    if tk.service not in tx.hall.window(number).services:
        raise Conflict("wrong_window", f"{tk.number} 不属于本窗口办理", f"window {number} does not serve {tk.service}")
    return _call(tx, number, who, tk, row.priority_streak)


def _ticket_by_number(tx: HallTx, raw: Any) -> Ticket:
    if not isinstance(raw, str) or not raw.strip():
        raise Invalid("number_required", "请输入号码", "a ticket number is required")
    day = business_day(tx.now, tx.hall.timezone, tx.hall.day_boundary_hour)
    tk = tx.ticket_by_number(day, raw.strip())
    if tk is None:
        raise NotFound("ticket_not_found", f"今日没有 {raw.strip().upper()} 号", f"no ticket {raw.strip()} today")
    return tk


def _current(tx: HallTx, number: int, row: Row[Any]) -> Ticket:
    tk = tx.ticket(row.ticket_id) if row.ticket_id else None
    if tk is None:
        raise Conflict("no_current_ticket", "当前没有正在办理的号码", "this window has no current ticket")
    return tk


def _recall(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    tk = _current(tx, number, row)
    tk.recall(tx.hall.calling.max_recalls)
    tx.save_ticket(tk)
    tx.emit(_call_event(TicketRecalled, tx, tk, number, recall=tk.recalls), who.actor())
    return _window_result(tx, number, tk)


def _start(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    tk = _current(tx, number, row)
    tk.start(tx.now)
    tx.save_ticket(tk)
    assert tk.id is not None
    tx.emit(TicketServing(id=tk.id, number=tk.number, service=tk.service, window=number), who.actor())
    return _window_result(tx, number, tk)


def _release(tx: HallTx, number: int, tk: Ticket, who: Principal, event: TicketRelease) -> Body:
    tx.save_ticket(tk)
    tx.save_window(number, ticket_id=None)
    tx.emit(event, who.actor())
    tx.emit(QueueStats(QueueView.load(tx, tx.now).stats(sorted(set(tk.services())))), who.actor())
    return _window_result(tx, number) | {"released": ticket_view(tk, tx.hall, None)}


def _finish(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    tk = _current(tx, number, row)
    try:
        result = FinishResult(body.get("result", "done"))
    except ValueError:
        raise Invalid("bad_result", "办理结果须为 done 或 unresolved", "result must be done or unresolved") from None
    reason = body.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise Invalid("bad_reason", "原因须为文字", "reason must be text")
    matter_index = tk.current
    matter = tk.matter
    tk.finish(result, reason, tx.now)
    matter.case_no = body.get("case_no")  # 办件编号, optional: the key of the matter's rating upstream
    assert matter.started_at is not None and matter.finished_at is not None  # finishing sets both
    seconds = (matter.finished_at - matter.started_at).total_seconds()
    _record_window_time(tx, matter)
    assert tk.id is not None
    return _release(
        tx,
        number,
        tk,
        who,
        TicketDone(
            id=tk.id,
            number=tk.number,
            window=number,
            state=tk.state.value,
            service=matter.service,
            matter=matter_index,
            result=result.value,
            reason=matter.reason,
            next_service=tk.service if tk.state is State.waiting else None,
            service_seconds=seconds,
        ),
    )


def _record_window_time(tx: HallTx, matter: Matter) -> None:
    """The estimated wait needs how long a call keeps a window: from the call (the citizen has yet to
    walk over) to the release, the service itself and the recalls of a no-show alike."""
    began = matter.called_at or matter.started_at
    assert began is not None and matter.finished_at is not None  # a released matter was called
    taken = (matter.finished_at - began).total_seconds()
    tx.record_window_time(matter.service, update_call_time(tx.call_times().get(matter.service), taken))


def _no_show(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    tk = _current(tx, number, row)
    service = tk.service
    tk.no_show(tx.now)
    _record_window_time(tx, tk.matter)
    assert tk.id is not None
    return _release(
        tx,
        number,
        tk,
        who,
        TicketNoShow(
            id=tk.id, number=tk.number, window=number, state=tk.state.value, service=service, matter=tk.current
        ),
    )


def _transfer(tx: HallTx, number: int, row: Row[Any], who: Principal, body: Body) -> Body:
    tk = _current(tx, number, row)
    target = body.get("service")
    if not isinstance(target, str) or target not in {s.code for s in tx.hall.services}:
        raise NotFound("service_not_found", f"没有事项 {target}", f"no service {target!r}")
    source = tk.service
    tk.transfer(target, tx.now)
    assert tk.id is not None
    return _release(
        tx,
        number,
        tk,
        who,
        TicketTransferred(
            id=tk.id, number=tk.number, window=number, state=tk.state.value, source=source, service=target
        ),
    )


# An action at a window the clerk is signed in at: (tx, window number, its row, who, request body).
Handler: TypeAlias = Callable[[HallTx, int, Row[Any], Principal, Body], Body]

_HANDLERS: dict[str, Handler] = {
    "pause": _pause,
    "close": _close,
    "call-next": _call_next,
    "call": _call_number,
    "recall": _recall,
    "start": _start,
    "finish": _finish,
    "no-show": _no_show,
    "transfer": _transfer,
}
