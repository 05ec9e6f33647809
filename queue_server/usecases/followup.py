"""After the window: ratings, re-activating a missed ticket, raising a priority, cancelling, expiring old tickets."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ..domain import rating
from ..domain.calendar import business_day, day_start
from ..domain.errors import DomainError
from ..domain.events import (
    FollowUpOpened,
    QueueStats,
    RatingSubmitted,
    TicketCancelled,
    TicketExpired,
    TicketPriorityRaised,
    TicketReactivated,
    WindowState,
)
from ..domain.tickets import OPEN_STATES, Ticket
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..store.repository import HallTx, Reader
from ..store.store import Store
from . import lookups
from .body import Body
from .principal import CITIZEN, SYSTEM, Actor, Principal
from .queue_view import QueueView
from .views import citizen_view, phone_view, ticket_view


@dataclass(frozen=True)
class Given:
    """A rating as asked: the score, the matter (None: the last one unrated), a 差评's reason, and the
    scale when a device rates on its own (an old four-key pad); else the hall's."""

    score: object
    matter: int | None = None
    reason: str | None = None
    reason_text: str | None = None
    scale: str | None = None


def by_token(store: Store, token: str) -> tuple[str, int]:
    found = store.locate_ticket(token) if 8 <= len(token) <= 64 else None
    if found is None:
        raise NotFound("ticket_not_found", "没有这张票", "no such ticket")
    return found


def status(store: Store, token: str) -> Body:
    hall_id, ticket_id = by_token(store, token)
    with store.read(hall_id) as r:
        tk = r.ticket(ticket_id)
        assert tk is not None
        return citizen_view(tk, r.hall, QueueView.load(r, store.clock.now())) | {
            "hall": hall_id,
            "hall_name": r.hall.name,
            "notify": phone_view(r.phones([ticket_id]).get(ticket_id)),
        }


def rate(store: Store, token: str, given: Given) -> Body:
    """The citizen rates, by the ticket's token (their phone)."""
    hall_id, ticket_id = by_token(store, token)
    with store.write(hall_id) as tx:
        tk = tx.ticket(ticket_id)
        assert tk is not None
        return _rate(tx, tk, given, CITIZEN)


def rate_at_window(store: Store, hall_id: str, number: str, given: Given, who: Principal) -> Body:
    """A window's rating device rates today's ticket `number`: only a matter that window served
    (the device faces the citizen at the counter; it never holds a ticket's token)."""
    with store.write(hall_id) as tx:
        tk = lookups.ticket_today(tx, tx.now, number)
        served_here = [i for i, m in enumerate(tk.matters) if m.window == who.window]
        matter = given.matter
        if matter is None:
            finished = [
                i
                for i in served_here
                if tk.matters[i].state.value in ("done", "unresolved") and tk.matters[i].rating is None
            ]
            matter = finished[-1] if finished else (served_here[-1] if served_here else None)
        if matter is None or matter not in served_here:
            raise Forbidden(
                "not_this_window",
                f"该事项不是在 {who.window} 号窗口办理的",
                f"that matter was not served at window {who.window}",
            )
        return _rate(tx, tk, replace(given, matter=matter), who.actor(), pad=who.kind == "window")


def _rate(tx: HallTx, tk: Ticket, given: Given, actor: Actor, pad: bool = False) -> Body:
    """One rating and, for a 差评, its follow-up, in one transaction: neither is lost without the other."""
    index = tk.to_rate(given.matter)  # rated already: say that, whatever this rating's flaws
    try:
        rated = rating.check(
            given.scale or tx.hall.ratings.scale, given.score, given.reason, given.reason_text, pad=pad
        )
    except DomainError as e:
        raise Invalid(e.code, e.message, e.message_en) from None
    tk.rate(rated.score, index)
    m = tk.matters[index]
    tx.save_ticket(tk)
    tx.add_rating(
        ticket_id=tk.id,
        matter=index,
        service=m.service,
        window=m.window,
        clerk=m.clerk,
        score=rated.score,
        scale=rated.scale,
        reason=rated.reason,
        reason_text=rated.reason_text,
    )
    assert tk.id is not None
    common: dict[str, Any] = {
        "number": tk.number,
        "matter": index,
        "service": m.service,
        "window": m.window,
        "clerk": m.clerk,
    }
    tx.emit(
        RatingSubmitted(
            id=tk.id, **common, score=rated.score, scale=rated.scale, level=rated.level.key, reason=rated.reason
        ),
        actor,
    )
    out: Body = {
        "number": tk.number,
        "matter": index,
        "score": rated.score,
        "scale": rated.scale,
        "level": rated.level.key,
    }
    if rated.bad:
        due = rating.follow_up_due(tx.hall.calendar, business_day(tx.now, tx.hall.timezone, tx.hall.day_boundary_hour))
        fid = tx.add_followup(tk.id, index, due)
        tx.emit(
            FollowUpOpened(
                followup=fid, ticket=tk.id, **common, level=rated.level.key, reason=rated.reason, due=due.isoformat()
            ),
            SYSTEM,
        )
        out["followup_due"] = due.isoformat()
    return out


def reactivate(store: Store, hall_id: str, number: str, who: Principal) -> Body:
    """A missed ticket goes back into its queue behind `reactivate_behind` people."""
    with store.write(hall_id) as tx:
        tk = lookups.ticket_today(tx, tx.now, number)
        queue = QueueView.load(tx, tx.now)
        ahead = queue.ordered(tk.service)
        behind = tx.hall.calling.reactivate_behind
        if len(ahead) > behind:
            anchor = tx.ticket(ahead[behind - 1]) if behind > 0 else None
            place = anchor.queued_at + timedelta(milliseconds=1) if anchor and anchor.queued_at else tx.now
        else:
            place = tx.now
        tk.reactivate(tx.now, tx.hall.calling.reactivate_minutes, place)
        tx.save_ticket(tk)
        assert tk.id is not None
        tx.emit(TicketReactivated(id=tk.id, number=tk.number, service=tk.service), who.actor())
        queue = QueueView.load(tx, tx.now)
        tx.emit(QueueStats(queue.stats([tk.service])), who.actor())
        return ticket_view(tk, tx.hall, queue)


def raise_priority(store: Store, hall_id: str, number: str, klass: str, reason: str, who: Principal) -> Body:
    """A waiting ticket moves up to a priority class with a larger boost (the clerk or guide learns the
    citizen is elderly, disabled, a green-channel case); the reason goes into the audit trail."""
    with store.write(hall_id) as tx:
        tk = lookups.ticket_today(tx, tx.now, number)
        try:
            boost = tx.hall.boost_seconds(klass)
        except KeyError:
            raise NotFound("class_not_found", f"没有优先类别 {klass}", f"no priority class {klass!r}") from None
        if boost <= tx.hall.boost_seconds(tk.klass):
            raise Conflict("not_higher", "新类别的优先级须高于当前类别", f"{klass} does not rank above {tk.klass}")
        source = tk.klass
        tk.raise_priority(klass)
        tx.save_ticket(tk)
        assert tk.id is not None
        raised = TicketPriorityRaised(
            id=tk.id, number=tk.number, service=tk.service, source=source, klass=klass, reason=reason.strip()
        )
        tx.emit(raised, who.actor())
        queue = QueueView.load(tx, tx.now)
        tx.emit(QueueStats(queue.stats([tk.service])), who.actor())
        return ticket_view(tk, tx.hall, queue)


def cancel(store: Store, hall_id: str, ticket_id: int, who: Principal | None) -> Body:
    with store.write(hall_id) as tx:
        tk = tx.ticket(ticket_id)
        assert tk is not None
        tk.cancel()
        tx.save_ticket(tk)
        actor = who.actor() if who else CITIZEN
        tx.emit(TicketCancelled(id=ticket_id, number=tk.number, service=tk.service), actor)
        tx.emit(QueueStats(QueueView.load(tx, tx.now).stats([tk.service])), actor)
        return ticket_view(tk, tx.hall, None)


def cancel_number(store: Store, hall_id: str, number: str, who: Principal) -> Body:
    with store.read(hall_id) as r:
        tk = lookups.ticket_today(r, store.clock.now(), number)
    assert tk.id is not None  # a stored ticket
    return cancel(store, hall_id, tk.id, who)


def cancel_by_token(store: Store, token: str) -> Body:
    hall_id, ticket_id = by_token(store, token)
    return cancel(store, hall_id, ticket_id, None) | {"token": token}


def expire_past_days(store: Store, hall_id: str) -> int:
    """At the day boundary: tickets of an earlier business day that are still open end as expired,
    and windows left open or paused since then are closed, so that the morning's clerk can sign in
    and no window counts as open for the estimated waits and the alerts."""
    with store.read(hall_id) as r:
        if not _past_day_left(r, store.clock.now()):
            return 0  # the sweep's usual pass: no write transaction holding the hall up
    with store.write(hall_id) as tx:
        today = business_day(tx.now, tx.hall.timezone, tx.hall.day_boundary_hour)
        started = day_start(today, tx.hall.timezone, tx.hall.day_boundary_hour)
        tx.drop_phones(today)
        stale = tx.in_states(OPEN_STATES, before=today)
        for tk in stale:
            tk.expire()
            tx.save_ticket(tk)
            assert tk.id is not None
            tx.emit(TicketExpired(id=tk.id, number=tk.number, service=tk.service), SYSTEM)
        closed = 0
        for number, w in tx.windows().items():
            if w.ticket_id is not None and any(tk.id == w.ticket_id for tk in stale):
                w.release()
                tx.save_window(w)
            if w.staffed and w.ticket_id is None and w.state_since is not None and w.state_since < started:
                w.close(tx.now)
                tx.save_window(w)
                tx.emit(WindowState(window=number, state=w.state, reason="日终关闭", clerk=None, staff_no=None), SYSTEM)
                closed += 1
        if stale or closed:
            tx.emit(QueueStats(QueueView.load(tx, tx.now).stats()), SYSTEM)
        return len(stale)


def _past_day_left(r: Reader, now: datetime) -> bool:
    """Whether an earlier business day left anything for expire_past_days to end."""
    today = business_day(now, r.hall.timezone, r.hall.day_boundary_hour)
    started = day_start(today, r.hall.timezone, r.hall.day_boundary_hour)
    if r.personal_data_before(today, now) or r.in_states(OPEN_STATES, before=today):
        return True
    return any(w.staffed and w.state_since is not None and w.state_since < started for w in r.windows().values())
