"""What a window's screen and pad should do, as a pure function of what the agent knows and what
happened: `on_event(state, msg)` for the hall's stream, `on_key(state, window, key, score)` for a
pad. Both return the new state and the commands to carry out; nothing here does I/O, so the rules
are tested without a bus or a server."""

from __future__ import annotations

from dataclasses import dataclass, replace

from queue_server.domain.events import (
    EVENTS,
    RatingSubmitted,
    TicketCalled,
    TicketDone,
    TicketExpired,
    TicketHeld,
    TicketNoShow,
    TicketRecalled,
    TicketResumed,
    TicketTransferred,
    TicketTransferredToWindow,
    WindowState,
)
from queue_server.domain.window import WindowStatus

IDLE, PAUSED = "请稍候", "暂停服务"


@dataclass(frozen=True)
class Window:
    number: int
    state: str = WindowStatus.closed
    ticket: str | None = None  # the number at the window
    asking: tuple[str, int] | None = None  # (number, matter) the pad asks the citizen to rate
    last_done: tuple[str, int] | None = None  # the matter finished last, for the evaluate key


# -- commands ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Show:
    window: int
    text: str


@dataclass(frozen=True)
class Beep:
    window: int
    times: int = 1


@dataclass(frozen=True)
class Ask:
    """The pad asks for a rating of this matter."""

    window: int
    number: str
    matter: int


@dataclass(frozen=True)
class StopAsking:
    window: int


@dataclass(frozen=True)
class Rate:
    """Post a rating as the window's device."""

    window: int
    number: str
    matter: int
    score: int


@dataclass(frozen=True)
class Press:
    """A call key for the window's clerk: call-next, recall, pause, or open (end a pause)."""

    window: int
    action: str


Command = Show | Beep | Ask | StopAsking | Rate | Press
State = dict[int, Window]


def led_text(w: Window) -> str:
    if w.state == WindowStatus.open:
        return w.ticket or IDLE
    return PAUSED


def _with(state: State, w: Window, commands: list[Command], before: Window) -> tuple[State, list[Command]]:
    if led_text(w) != led_text(before):
        commands.insert(0, Show(w.number, led_text(w)))
    return state | {w.number: w}, commands


def initial(numbers: list[int]) -> State:
    """Before the first snapshot: every screen says the window is not serving."""
    return {n: Window(n) for n in numbers}


def screens(state: State) -> list[Command]:
    """What every screen should show now (at start, or after a snapshot)."""
    return [Show(n, led_text(w)) for n, w in sorted(state.items())]


def on_event(state: State, msg: dict) -> tuple[State, list[Command]]:
    if msg.get("type") == "snapshot":  # a stream message, not an event
        return _snapshot(state, msg.get("board") or {})
    data = msg.get("data") or {}
    number = data.get("window")
    w = state.get(number) if isinstance(number, int) else None
    if w is None:
        return state, []
    kind = EVENTS.get(msg.get("type") or "")
    if kind is TicketCalled:
        # The previous citizen has left the counter: their chance to rate on the pad ends.
        stop: list[Command] = [StopAsking(w.number)] if w.asking else []
        new = replace(w, ticket=data.get("number"), asking=None)
        return _with(state, new, stop + [Beep(w.number)], w)
    if kind is TicketRecalled:
        return state, [Beep(w.number, 2)]
    if kind is TicketDone:
        done = data.get("number")
        if not isinstance(done, str):  # no ticket to rate: the window is free all the same
            return _with(state, replace(w, ticket=None), [], w)
        matter = (done, int(data.get("matter") or 0))
        new = replace(w, ticket=None, asking=matter, last_done=matter)
        return _with(state, new, [Ask(w.number, *matter)], w)
    if kind is RatingSubmitted:
        # Rated (by this pad, or on the citizen's phone): the pad asks no more for that matter.
        rated = (data.get("number"), data.get("matter"))
        new = replace(
            w, asking=None if w.asking == rated else w.asking, last_done=None if w.last_done == rated else w.last_done
        )
        return state | {w.number: new}, [StopAsking(w.number)] if w.asking == rated else []
    if kind in (TicketNoShow, TicketTransferred, TicketTransferredToWindow, TicketExpired, TicketHeld):
        return _with(state, replace(w, ticket=None), [], w)
    if kind is TicketResumed:  # the citizen on hold is back at the counter
        return _with(state, replace(w, ticket=data.get("number")), [], w)
    if kind is WindowState:
        new = replace(w, state=data.get("state") or w.state)
        if new.state == WindowStatus.closed:
            new = replace(new, ticket=None)
        return _with(state, new, [], w)
    return state, []


def _snapshot(state: State, board: dict) -> tuple[State, list[Command]]:
    new = dict(state)
    for row in board.get("windows") or []:
        w = state.get(row.get("number"))
        if w is not None:
            new[w.number] = replace(w, state=row.get("state") or WindowStatus.closed, ticket=row.get("ticket"))
    return new, screens(new)


def on_key(state: State, number: int, key: str, score: int | None = None) -> tuple[State, list[Command]]:
    """A key on the window's pad (or its caller): a rating counts only while the pad asks."""
    w = state.get(number)
    if w is None:
        return state, []
    if key == "rating":
        if w.asking is None or score is None:
            return state, []  # nobody was asked: a stray press rates nothing
        return state | {number: replace(w, asking=None)}, [Rate(number, *w.asking, score)]
    if key == "evaluate":
        if w.last_done is None or w.asking is not None:
            return state, []
        return state | {number: replace(w, asking=w.last_done)}, [Ask(number, *w.last_done)]
    if key == "call":
        return state, [Press(number, "call-next")]
    if key == "recall":
        return state, [Press(number, "recall")]
    if key == "pause":
        if w.state == WindowStatus.open:
            return state, [Press(number, "pause")]
        if w.state == WindowStatus.paused:
            return state, [Press(number, "open")]
    return state, []
