"""The board snapshot: the next numbers in calling order, and a missed call marked until it is called again."""

from __future__ import annotations

from queue_server.usecases import followup, queries
from queue_server.usecases.queue_view import QueueView

from .conftest import GUIDE_DESK


def _service(board: dict, code: str) -> dict:
    return next(s for s in board["services"] if s["code"] == code)


def test_next_up_is_the_calling_order_and_a_no_show_is_marked_missed(hall):
    for _ in range(3):
        hall.issue("biz-setup")
    hall.issue("biz-setup", priority="green", who=GUIDE_DESK)  # 绿色通道: called before the others
    hall.issue("tax-general")
    hall.issue("tax-general", priority="elderly", who=GUIDE_DESK)
    clerk = hall.person("clerk1")
    hall.act(21, "open", clerk)
    assert _service(queries.board(hall.store, "demo"), "biz-setup")["next"] == ["A004", "A001", "A002"]
    assert _service(queries.board(hall.store, "demo"), "tax-general")["next"] == ["E002", "E001"]
    assert _service(queries.board(hall.store, "demo"), "biz-cancel")["next"] == []
    with hall.store.read("demo") as r:  # one sort of all the queues orders each as its own sort does
        queue = QueueView.load(r, hall.clock.now())
        assert all(queue.heads(3)[s.code] == queue.ordered(s.code)[:3] for s in r.hall.services)

    hall.act(21, "call-next", clerk)
    hall.act(21, "no-show", clerk)
    hall.act(21, "call-next", clerk)
    board = queries.board(hall.store, "demo")
    assert [(c["number"], c["missed"]) for c in board["calls"]] == [("A001", False), ("A004", True)]
    assert _service(board, "biz-setup")["next"] == ["A002", "A003"]

    hall.act(21, "recall", clerk)  # one entry a call, as the board shows it
    assert [c["number"] for c in queries.board(hall.store, "demo")["calls"]] == ["A001", "A004"]

    # The citizen comes back: re-activated and called again, the number is on the board once, not missed.
    hall.act(21, "finish", clerk, result="done")
    followup.reactivate(hall.store, "demo", "A004", hall.person("guide1"))
    hall.act(21, "call-next", clerk)
    board = queries.board(hall.store, "demo")
    assert [(c["number"], c["missed"]) for c in board["calls"]][:2] == [("A004", False), ("A001", False)]
    assert [c["number"] for c in board["calls"]].count("A004") == 1
