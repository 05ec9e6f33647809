"""The window agent's rules, event by event and key by key (no bus, no server)."""

from __future__ import annotations

from queue_server.agent import logic
from queue_server.agent.logic import IDLE, PAUSED, Ask, Beep, Press, Rate, Show, StopAsking


def ev(kind: str, **data) -> dict:
    return {"type": kind, "seq": 1, "data": data}


def run(state, *msgs):
    out = []
    for msg in msgs:
        state, commands = logic.on_event(state, msg)
        out += commands
    return state, out


def test_a_window_day_on_its_screen_and_pad():
    state = logic.initial([21, 22])
    assert logic.screens(state) == [Show(21, PAUSED), Show(22, PAUSED)]
    state, out = run(state, ev("window.state", window=21, state="open"))
    assert out == [Show(21, IDLE)]
    state, out = run(state, ev("ticket.called", window=21, number="A012"))
    assert out == [Show(21, "A012"), Beep(21)]
    state, out = run(state, ev("ticket.recalled", window=21, number="A012"), ev("ticket.serving", window=21))
    assert out == [Beep(21, 2)]
    state, out = run(state, ev("ticket.done", window=21, number="A012", matter=0))
    assert out == [Show(21, IDLE), Ask(21, "A012", 0)]
    state, out = logic.on_key(state, 21, "rating", 4)
    assert out == [Rate(21, "A012", 0, 4)]
    state, out = logic.on_key(state, 21, "rating", 1)
    assert out == []  # asked once, rated once
    state, out = run(state, ev("rating.submitted", window=21, number="A012", matter=0, score=4))
    assert out == []
    state, out = logic.on_key(state, 21, "evaluate")
    assert out == []  # rated: the clerk's evaluate key asks no more
    state, out = run(
        state, ev("window.state", window=21, state="paused"), ev("window.state", window=21, state="closed")
    )
    assert out == [Show(21, PAUSED)]
    assert state[22] == logic.Window(22)  # another window's events changed nothing there


def test_an_unanswered_request_ends_with_the_next_call_and_the_phone_rating_ends_it_too():
    state, _ = run(
        logic.initial([21]),
        ev("window.state", window=21, state="open"),
        ev("ticket.called", window=21, number="A001"),
        ev("ticket.done", window=21, number="A001", matter=0),
    )
    state, out = run(state, ev("ticket.called", window=21, number="A002"))
    assert out == [Show(21, "A002"), StopAsking(21), Beep(21)]
    assert logic.on_key(state, 21, "rating", 3)[1] == []  # the next citizen's stray press rates nobody
    state, out = logic.on_key(state, 21, "evaluate")
    assert out == [Ask(21, "A001", 0)]  # the clerk asks again for the one who left without rating
    state, out = run(state, ev("rating.submitted", window=21, number="A001", matter=0))
    assert out == [StopAsking(21)]


def test_call_keys_and_pause_toggle():
    state, _ = run(logic.initial([21]), ev("window.state", window=21, state="open"))
    assert logic.on_key(state, 21, "call")[1] == [Press(21, "call-next")]
    assert logic.on_key(state, 21, "recall")[1] == [Press(21, "recall")]
    assert logic.on_key(state, 21, "pause")[1] == [Press(21, "pause")]
    paused, _ = run(state, ev("window.state", window=21, state="paused"))
    assert logic.on_key(paused, 21, "pause")[1] == [Press(21, "open")]
    closed, _ = run(state, ev("window.state", window=21, state="closed"))
    assert logic.on_key(closed, 21, "pause")[1] == []
    assert logic.on_key(state, 99, "call") == (state, [])


def test_snapshot_sets_every_screen_and_ticket_at_a_paused_window():
    board = {
        "windows": [
            {"number": 21, "state": "open", "ticket": "A007"},
            {"number": 22, "state": "paused", "ticket": "B003"},
            {"number": 30, "state": "open", "ticket": None},
        ]
    }
    state, out = logic.on_event(logic.initial([21, 22]), {"type": "snapshot", "seq": 9, "board": board})
    assert out == [Show(21, "A007"), Show(22, PAUSED)]
    state, out = run(state, ev("window.state", window=22, state="open"))
    assert out == [Show(22, "B003")]
    state, out = run(
        state, ev("ticket.no_show", window=22, number="B003"), ev("ticket.transferred", window=21, number="A007")
    )
    assert out == [Show(22, IDLE), Show(21, IDLE)]


def test_a_finished_ticket_without_its_number_frees_the_window_and_asks_for_no_rating():
    state, _ = run(
        logic.initial([21]), ev("window.state", window=21, state="open"), ev("ticket.called", window=21, number="A001")
    )
    state, out = run(state, ev("ticket.done", window=21, matter=0))
    assert out == [Show(21, IDLE)]
    assert state[21].asking is None and logic.on_key(state, 21, "evaluate")[1] == []


def test_a_held_ticket_leaves_the_screen_and_comes_back_with_its_citizen():
    state, _ = run(logic.initial([21]), ev("window.state", window=21, state="open"))
    state, out = run(state, ev("ticket.called", window=21, number="A012"))
    state, out = run(state, ev("ticket.held", window=21, number="A012"))
    assert out == [Show(21, IDLE)]  # fetching a copy: the window calls the next
    state, out = run(
        state, ev("ticket.called", window=21, number="A013"), ev("ticket.done", window=21, number="A013", matter=0)
    )
    state, out = run(state, ev("ticket.resumed", window=21, number="A012"))
    assert out == [Show(21, "A012")]
    state, out = run(state, ev("ticket.transferred_to_window", window=21, to_window=22, number="A012"))
    assert out == [Show(21, IDLE)]
