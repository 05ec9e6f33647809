"""A window (窗口) and its state machine.

    closed -> open            (a clerk signs in)
    open <-> paused           (a break, with a reason; a pause keeps the clerk and the current ticket)
    open|paused -> closed     (the clerk signs out, once no ticket is at the window)

At most one ticket is at an open window at a time (the current one); tickets put on hold (挂起) leave
it free for the next call and come back to it when their citizen returns."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from .errors import DomainError


class WindowStatus(StrEnum):
    open = "open"
    paused = "paused"
    closed = "closed"


DEFAULT_PAUSE_REASON = "暂停服务"


@dataclass
class Window:
    number: int
    state: WindowStatus = WindowStatus.closed
    pause_reason: str | None = None
    clerk_id: int | None = None
    ticket_id: int | None = None
    priority_streak: int = 0
    state_since: datetime | None = None
    last_call_at: datetime | None = None

    @classmethod
    def from_row(cls, row: Any) -> Window:
        return cls(
            number=row.number,
            state=WindowStatus(row.state),
            pause_reason=row.pause_reason,
            clerk_id=row.clerk_id,
            ticket_id=row.ticket_id,
            priority_streak=row.priority_streak,
            state_since=row.state_since,
            last_call_at=row.last_call_at,
        )

    @property
    def staffed(self) -> bool:
        return self.state is not WindowStatus.closed

    # -- transitions ----------------------------------------------------------------------
    def open(self, clerk_id: int | None, now: datetime) -> None:
        if self.clerk_id not in (None, clerk_id) and self.staffed:
            raise DomainError(
                "window_taken", f"{self.number} 号窗口已有人登录", f"window {self.number} is staffed by someone else"
            )
        self._become(WindowStatus.open, now)
        self.pause_reason = None
        self.clerk_id = clerk_id

    def pause(self, reason: str | None, now: datetime) -> None:
        self._become(WindowStatus.paused, now)
        self.pause_reason = ((reason or "").strip() or DEFAULT_PAUSE_REASON)[:200]

    def close(self, now: datetime) -> None:
        if self.ticket_id is not None:
            raise DomainError("ticket_in_progress", "请先办结当前号码", "finish the current ticket first")
        self._become(WindowStatus.closed, now)
        self.pause_reason = None
        self.clerk_id = None
        self.priority_streak = 0

    def _become(self, state: WindowStatus, now: datetime) -> None:
        self.state = state
        self.state_since = now

    # -- the ticket at the window ---------------------------------------------------------
    def require_free(self) -> None:
        """Before a call: the window is open and nobody is at it."""
        if self.state is not WindowStatus.open:
            raise DomainError("window_not_open", f"{self.number} 号窗口未开启", f"window {self.number} is not open")
        if self.ticket_id is not None:
            # Also what makes a double click on "call next" harmless: the second click finds a ticket.
            raise DomainError("ticket_in_progress", "请先办结当前号码", "finish the current ticket first")

    def take(self, ticket_id: int, priority_streak: int, now: datetime) -> None:
        self.require_free()
        self.ticket_id = ticket_id
        self.priority_streak = priority_streak
        self.last_call_at = now

    def current(self) -> int:
        if self.ticket_id is None:
            raise DomainError("no_current_ticket", "当前没有正在办理的号码", "this window has no current ticket")
        return self.ticket_id

    def release(self) -> None:
        self.ticket_id = None
