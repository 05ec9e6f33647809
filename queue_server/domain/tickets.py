"""The ticket and its state machine.

A ticket carries one or more matters (one whole thing, 一整件事): it waits in the queue of its
current matter's service, is called to a window, served, and then either ends or moves on to its
next matter, joining that service's queue at the front without a new number.

    waiting -> called -> serving -> done
    called -> called            (recall, up to the hall's limit)
    called -> no_show -> waiting (re-activation, within the hall's time limit)
    called|serving -> waiting   (transfer to another service or window, or the next matter: at the front)
    called|serving -> held -> serving   (挂起: the citizen steps away and comes back to the same window)
    held -> waiting|no_show     (the hold ran past the hall's limit: as the hall says)
    waiting|no_show -> cancelled
    waiting, absent: not called until back (暂离, a set time) or arrived (a place taken from outside)
    waiting, absent remote -> cancelled (lapsed: not checked in within the hall's time)
    any open state -> expired   (at the business-day boundary)

Matters keep their own outcome (done, unresolved, transferred, no_show, ...), which is what reports,
ratings and the audit trail are about.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from .errors import DomainError


class State(StrEnum):
    pending = "pending"  # a matter not reached yet
    waiting = "waiting"
    called = "called"
    serving = "serving"
    held = "held"  # 挂起/暂离: away from the window for a while, coming back to it
    done = "done"
    unresolved = "unresolved"  # 未办成: finished without success, with a reason
    no_show = "no_show"
    transferred = "transferred"
    cancelled = "cancelled"
    expired = "expired"


OPEN_STATES = frozenset({State.waiting, State.called, State.serving, State.held, State.no_show})
FINAL_STATES = frozenset({State.done, State.cancelled, State.expired})


class Absence(StrEnum):
    """Why a waiting ticket keeps its place but is not called."""

    remote = "remote"  # 线上取号: taken from outside, not checked in at the hall yet
    out = "out"  # 暂离: the citizen asked not to be called before `back_at`


class FinishResult(StrEnum):
    done = "done"
    unresolved = "unresolved"


class HoldEnd(StrEnum):
    """How a hold past the hall's limit ends."""

    queue = "queue"  # back to the front of its service's queue, for any window
    no_show = "no_show"  # as a missed call, re-activated like one


@dataclass
class Matter:
    service: str
    state: State = State.pending
    window: int | None = None
    clerk: str | None = None
    called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    reason: str | None = None
    rating: int | None = None
    queued_at: datetime | None = None
    held_at: datetime | None = None
    case_no: str | None = None  # 办件编号: the business system's case, entered by the clerk at finish

    def to_dict(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Matter:
        d = dict(d)
        for k in ("called_at", "started_at", "finished_at", "queued_at", "held_at"):
            if d.get(k):
                d[k] = datetime.fromisoformat(d[k])
        d["state"] = State(d["state"])
        return cls(**d)


def _refuse(code: str, zh: str, en: str) -> DomainError:
    return DomainError(code, zh, en)


@dataclass
class Ticket:
    number: str
    day: date
    matters: list[Matter]
    klass: str
    issued_at: datetime
    id: int | None = None
    current: int = 0
    state: State = State.waiting
    queued_at: datetime | None = None
    front: bool = False  # transferred or next-matter tickets are called before everyone else
    # The window calling, serving or holding it; while waiting, the one window it was transferred to.
    window: int | None = None
    recalls: int = 0
    no_show_at: datetime | None = None
    slot: tuple[datetime, datetime] | None = None  # an appointment's window for being called
    token: str = ""
    id_hash: str | None = None
    masked_name: str | None = None
    phone_hash: str | None = None  # a phone number confirmed by an SMS code, as its keyed hash
    absent: Absence | None = None
    # Absent out: called again from then on. Absent remote: lapses then unless checked in.
    back_at: datetime | None = None

    def __post_init__(self) -> None:
        if not self.matters:
            raise ValueError("a ticket carries at least one matter")
        if self.queued_at is None:
            self.queued_at = self.issued_at
        if self.matters[0].state is State.pending:
            self.matters[0].state = State.waiting
            self.matters[0].queued_at = self.queued_at

    # -- reading --------------------------------------------------------------------------
    @property
    def matter(self) -> Matter:
        return self.matters[self.current]

    @property
    def service(self) -> str:
        return self.matter.service

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    def services(self) -> list[str]:
        return [m.service for m in self.matters]

    def away(self, now: datetime) -> bool:
        """Waiting but not to be called now: not arrived, or stepped out until later."""
        if self.absent is Absence.remote:
            return True
        return self.absent is Absence.out and self.back_at is not None and now < self.back_at

    # -- transitions ----------------------------------------------------------------------
    def _require(self, *states: State, action: str) -> None:
        if self.state not in states:
            raise _refuse(
                "invalid_transition",
                f"{self.number} 当前状态为「{STATE_NAMES[self.state]}」，不能{ACTION_NAMES[action]}",
                f"ticket {self.number} is {self.state.value}; cannot {action}",
            )

    def call(self, window: int, clerk: str | None, now: datetime) -> None:
        self._require(State.waiting, action="call")
        if self.absent is Absence.remote:
            raise _refuse("not_arrived", f"{self.number} 尚未到厅签到", f"{self.number} has not checked in yet")
        # One stepped out is skipped by call-next; a clerk calling the number has seen them back.
        self.absent = self.back_at = None
        self.state = State.called
        self.window = window
        self.recalls = 0
        self.front = False
        m = self.matter
        m.state, m.window, m.clerk, m.called_at = State.called, window, clerk, now

    def recall(self, max_recalls: int) -> None:
        self._require(State.called, action="recall")
        if self.recalls >= max_recalls:
            raise _refuse(
                "recall_limit",
                f"已重呼 {self.recalls} 次，请标记为过号",
                f"already recalled {self.recalls} times; mark it as a no-show",
            )
        self.recalls += 1

    def start(self, now: datetime) -> None:
        self._require(State.called, action="start")
        self.state = State.serving
        self.matter.state = State.serving
        self.matter.started_at = now

    def finish(self, result: FinishResult, reason: str | None, now: datetime) -> bool:
        """Ends the current matter. Returns True when the ticket moves on to a next matter."""
        self._require(State.called, State.serving, action="finish")
        if result is FinishResult.unresolved and not (reason and reason.strip()):
            raise _refuse(
                "reason_required",
                "未办成事项须登记原因",
                "an unresolved matter needs a reason",
            )
        m = self.matter
        if m.started_at is None:
            # The clerk skipped "start": the service began when the citizen was called.
            m.started_at = m.called_at or now
        m.state = State(result.value)
        m.reason = reason.strip() if reason else None
        m.finished_at = now
        return self._advance(now)

    def transfer(self, service: str, now: datetime, window: int | None = None) -> None:
        """To the front of `service`'s queue; with `window`, for that window alone (which may serve the
        same service: a colleague's or a specialist's window)."""
        self._require(State.called, State.serving, action="transfer")
        if service == self.service and window is None:
            raise _refuse("same_service", "不能转到同一事项", "cannot transfer to the same service")
        if window is not None and window == self.window:
            raise _refuse("same_window", "不能转到本窗口", "cannot transfer to the same window")
        m = self.matter
        m.state, m.finished_at = State.transferred, now
        if m.started_at is None:
            m.started_at = m.called_at or now
        self.matters.insert(self.current + 1, Matter(service=service))
        self._advance(now)
        self.window = window

    def hold(self, now: datetime) -> None:
        """挂起: the citizen steps away (to fetch a copy, fill a form); the window is free meanwhile."""
        self._require(State.called, State.serving, action="hold")
        self.state = State.held
        self.matter.state = State.held
        self.matter.held_at = now
        if self.matter.started_at is None:
            self.matter.started_at = self.matter.called_at or now

    def hold_due(self, limit_minutes: float, now: datetime) -> bool:
        held_at = self.matter.held_at
        return self.state is State.held and held_at is not None and now - held_at > timedelta(minutes=limit_minutes)

    def resume(self, window: int) -> None:
        """The held citizen is back at the window that held them."""
        self._require(State.held, action="resume")
        if window != self.window:
            raise _refuse(
                "held_elsewhere",
                f"{self.number} 挂起在 {self.window} 号窗口",
                f"{self.number} is held at window {self.window}",
            )
        self.state = State.serving
        self.matter.state = State.serving
        self.matter.held_at = None

    def end_hold(self, end: HoldEnd, now: datetime) -> None:
        self._require(State.held, action="end_hold")
        self.matter.held_at = None
        if end is HoldEnd.no_show:
            self._miss(now)
            return
        self.state = State.waiting
        self.window = None
        self.front = True
        self.recalls = 0
        self.queued_at = now
        m = self.matter
        m.state, m.window, m.clerk, m.called_at, m.started_at = State.waiting, None, None, None, None
        m.queued_at = now

    def raise_priority(self, klass: str) -> None:
        self._require(State.waiting, action="raise_priority")
        self.klass = klass

    def _advance(self, now: datetime) -> bool:
        self.window = None
        self.recalls = 0
        if self.current + 1 < len(self.matters):
            self.current += 1
            self.state = State.waiting
            self.front = True
            self.queued_at = now
            self.matter.state = State.waiting
            self.matter.queued_at = now
            return True
        self.state = State.done
        return False

    def no_show(self, now: datetime) -> None:
        self._require(State.called, action="no_show")
        self._miss(now)

    def _miss(self, now: datetime) -> None:
        self.state = State.no_show
        self.no_show_at = now
        self.matter.state = State.no_show
        self.matter.finished_at = now

    def reactivate(self, now: datetime, limit_minutes: int, queued_at: datetime) -> None:
        """Back into the queue after a no-show; `queued_at` places it (behind N people)."""
        self._require(State.no_show, action="reactivate")
        assert self.no_show_at is not None
        if now - self.no_show_at > timedelta(minutes=limit_minutes):
            raise _refuse(
                "reactivate_too_late",
                f"过号超过 {limit_minutes} 分钟，请重新取号",
                f"missed more than {limit_minutes} minutes ago; take a new ticket",
            )
        self.state = State.waiting
        self.window = None
        self.no_show_at = None
        self.queued_at = queued_at
        m = self.matter
        m.state, m.window, m.clerk, m.called_at, m.finished_at = State.waiting, None, None, None, None
        m.queued_at = queued_at

    # -- away from the queue ------------------------------------------------------------------
    def step_out(self, now: datetime, minutes: int) -> None:
        """暂离: keep my place, don't call me for the next `minutes` (again: from now)."""
        self._require(State.waiting, action="step_out")
        if self.absent is Absence.remote:
            raise _refuse("not_arrived", "请先到厅签到", "check in at the hall first")
        self.absent, self.back_at = Absence.out, now + timedelta(minutes=minutes)

    def come_back(self) -> bool:
        """Back before the time asked for; False when not stepped out (a second tap changes nothing)."""
        self._require(State.waiting, action="come_back")
        if self.absent is not Absence.out:
            return False
        self.absent = self.back_at = None
        return True

    def arrive(self) -> bool:
        """A place taken from outside is checked in at the hall: from now on it is called in its turn.
        False when it was already (a second scan changes nothing)."""
        self._require(State.waiting, action="arrive")
        if self.absent is not Absence.remote:
            return False
        self.absent = self.back_at = None
        return True

    def lapse_due(self, now: datetime) -> bool:
        return (
            self.state is State.waiting
            and self.absent is Absence.remote
            and self.back_at is not None
            and now >= self.back_at
        )

    def cancel(self) -> None:
        self._require(State.waiting, State.no_show, action="cancel")
        self._close(State.cancelled)

    def expire(self) -> None:
        self._require(*OPEN_STATES, action="expire")
        self._close(State.expired)

    def _close(self, state: State) -> None:
        self.state = state
        self.window = None
        self.absent = self.back_at = None
        for m in self.matters[self.current :]:
            if m.state in (State.pending, State.waiting, State.called, State.serving, State.held):
                m.state = state

    # -- ratings --------------------------------------------------------------------------
    def to_rate(self, matter_index: int | None) -> int:
        """The matter a rating would be for (None: the last finished one unrated), or why none is."""
        finished = [i for i, m in enumerate(self.matters) if m.state in (State.done, State.unresolved)]
        if matter_index is None:
            unrated = [i for i in finished if self.matters[i].rating is None]
            if not unrated:
                raise _refuse("nothing_to_rate", "没有待评价的事项", "no finished matter waits for a rating")
            matter_index = unrated[-1]
        if matter_index not in finished:
            raise _refuse("nothing_to_rate", "该事项尚未办结", "that matter is not finished")
        if self.matters[matter_index].rating is not None:
            raise _refuse("already_rated", "该事项已评价", "that matter has been rated already")
        return matter_index

    def rate(self, score: int, matter_index: int | None) -> int:
        """一事一评: one rating per finished matter, its score checked on the hall's scale
        (`domain.rating.check`). Returns the index of the matter rated."""
        matter_index = self.to_rate(matter_index)
        self.matters[matter_index].rating = score
        return matter_index


STATE_NAMES = {
    State.pending: "未开始",
    State.waiting: "等候中",
    State.called: "已叫号",
    State.serving: "办理中",
    State.held: "暂离",
    State.done: "已办结",
    State.unresolved: "未办成",
    State.no_show: "已过号",
    State.transferred: "已转办",
    State.cancelled: "已取消",
    State.expired: "已失效",
}

ACTION_NAMES = {
    "call": "叫号",
    "recall": "重呼",
    "start": "开始办理",
    "finish": "办结",
    "transfer": "转办",
    "hold": "挂起",
    "resume": "恢复办理",
    "end_hold": "结束挂起",
    "raise_priority": "提高优先级",
    "no_show": "标记过号",
    "reactivate": "恢复排队",
    "cancel": "取消",
    "step_out": "暂离",
    "come_back": "结束暂离",
    "arrive": "签到",
    "expire": "作废",
}
