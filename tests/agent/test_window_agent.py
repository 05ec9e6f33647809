"""`hallq window-agent` against the RS-485 bus simulator on a pty and a live server: two windows on
one bus, the screen and pad following calls, ratings and call keys posted as the window's device,
the bus unplugged and plugged back with garbage on the line, the server killed and restarted."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from devices.sim import BusSim
from queue_server.agent.logic import IDLE, PAUSED
from tests.support import live

DEVICE_21 = {"kind": "device", "id": "window", "window": 21}


class Wire:
    """The bus on a pty behind a stable path (as udev's /dev/serial/by-id links are), so unplugging
    is the pty going away and plugging back a new pty at the same path."""

    def __init__(self, link: Path):
        self.sim = BusSim()
        self.link = link
        self.endpoint = None

    def plug(self) -> None:
        self.endpoint = self.sim.start_pty()
        tmp = self.link.with_suffix(".new")
        os.symlink(self.endpoint.path, tmp)
        os.replace(tmp, self.link)

    def unplug(self) -> None:
        self.link.unlink()
        self.sim.endpoints.remove(self.endpoint)
        self.endpoint.stop()


def wait_for(condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout}s: {what}")


def collapsed(history: list[str]) -> list[str]:
    return [text for i, text in enumerate(history) if i == 0 or history[i - 1] != text]


@pytest.fixture
def wire(pty_available, tmp_path):
    w = Wire(tmp_path / "ttyRS485")
    for address in (1, 3):
        w.sim.add_pad(address)
        w.sim.add_led(address + 1)
    w.plug()
    yield w
    w.sim.stop()


@pytest.fixture
def pty_available():
    from tests.conftest import need

    need(hasattr(os, "openpty") and os.path.isdir("/dev/pts"), "pseudo-terminals (/dev/pts)")


def test_window_agent_end_to_end(server_factory, sqlite_url, wire, tmp_path):
    srv = server_factory(sqlite_url)
    started = time.monotonic()
    tokens = [live.device_token(sqlite_url, "window", n) for n in (21, 22)]
    bus = f"rs485+serial://{wire.link}"
    log = open(tmp_path / "agent.log", "wb")
    agent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "queue_server.cli",
            "window-agent",
            "--hall",
            "demo",
            "--server",
            srv.url,
            "--window",
            "21",
            "--led",
            f"{bus}?addr=2",
            "--pad",
            f"{bus}?addr=1",
            "--window",
            "22",
            "--led",
            f"{bus}?addr=4",
            "--pad",
            f"{bus}?addr=3",
        ],
        env=os.environ | {"HALLQ_WINDOW_TOKEN": " ".join(tokens), "HALLQ_LOG_LEVEL": "INFO"},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    led21, pad21, led22, pad22 = (wire.sim.devices[a] for a in (2, 1, 4, 3))
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    clerk1, clerk2, manager = srv.login("clerk1"), srv.login("clerk2"), srv.login("manager1")
    c = httpx.Client(base_url=srv.url + "/api/halls/demo", timeout=30)

    def act(window: int, action: str, who: dict, **body) -> dict:
        r = c.post(f"/windows/{window}/{action}", json=body, headers=who)
        assert r.status_code == 200, (action, r.text)
        return r.json()

    def events(kind: str) -> list[dict]:
        r = c.get("/events", params={"limit": 5000}, headers=manager)
        return [e for e in r.json()["events"] if e["type"] == kind]

    def current(window: int) -> str | None:
        ticket = c.get(f"/windows/{window}", headers=clerk1).json()["current"]
        return ticket["number"] if ticket else None

    try:
        wait_for(lambda: led21.text == PAUSED and led22.text == PAUSED, "closed windows say 暂停服务")
        for _ in range(14):
            assert c.post("/tickets", json={"services": ["biz-setup"]}, headers=kiosk).status_code == 201
        act(21, "open", clerk1)
        act(22, "open", clerk2)
        wait_for(lambda: led21.text == IDLE and led22.text == IDLE, "open windows say 请稍候")

        # A call shows the number; finish -> the pad asks -> the press is the window device's rating.
        act(21, "call", clerk1, number="A012")
        wait_for(lambda: led21.text == "A012" and led21.beeps == 1, "A012 on the screen, one beep")
        act(21, "start", clerk1)
        act(21, "finish", clerk1, result="done")
        wait_for(lambda: pad21.asking and led21.text == IDLE, "the pad asks for a rating")
        pad21.rate(4)
        wait_for(lambda: events("rating.submitted"), "the rating reaches the server")

        # The pad's call key calls the next for the clerk signed in, through the device.
        pad21.press("call")
        first = wait_for(lambda: current(21), "the call key calls the next ticket")
        wait_for(lambda: led21.text == first and led21.beeps == 2, f"{first} on the screen")
        call = events("ticket.called")[-1]
        assert call["actor"] == {"kind": "clerk", "id": "clerk1", "name": "测试员1", "via": DEVICE_21}
        pad22.press("pause")
        wait_for(lambda: led22.text == PAUSED, "window 22's pause key pauses it")
        pad22.press("pause")
        wait_for(lambda: led22.text == IDLE, "and opens it again")

        # Unplugged: the devices are unreachable on the dashboard; a matter finished meanwhile is
        # asked for once the bus is back, through garbage on the line.
        wire.unplug()
        wait_for(
            lambda: (
                {("window21.pad", "unreachable"), ("window21.led", "unreachable")}
                <= {(e["data"]["device"], e["data"]["state"]) for e in events("device.state")}
            ),
            "unreachable reported",
        )
        act(21, "start", clerk1)
        act(21, "finish", clerk1, result="done")
        time.sleep(1)
        wire.sim.garbage = bytes([0x68, 0x07, 0x07, 0x68, 0x01, 0x99, 0x16, 0x00, 0xFF, 0x68])
        wire.plug()
        wait_for(lambda: pad21.asks == 2 and led21.text == IDLE, "the second ask after the bus is back")
        pad21.rate(2)
        wait_for(lambda: len(events("rating.submitted")) == 2, "the second rating")
        wire.sim.garbage = b""
        states = [
            (e["data"]["device"], e["data"]["state"])
            for e in events("device.state")
            if e["data"]["device"] == "window21.pad"
        ]
        assert states == [("window21.pad", "ok"), ("window21.pad", "unreachable"), ("window21.pad", "ok")]
        assert {e["actor"]["id"] for e in events("device.state")} == {"window"}

        # The server killed and restarted: a press made while it is down is not lost, and nothing
        # is shown or asked again.
        act(21, "call-next", clerk1)
        second = current(21)
        act(21, "start", clerk1)
        act(21, "finish", clerk1, result="done")
        wait_for(lambda: pad21.asks == 3, "the third ask")
        srv.kill()
        pad21.rate(1)
        time.sleep(1.5)
        shown, beeps = list(led21.history), led21.beeps
        srv.clock = (datetime.fromisoformat(live.CLOCK) + timedelta(seconds=time.monotonic() - started + 5)).isoformat()
        srv.start()
        wait_for(lambda: len(events("rating.submitted")) == 3, "the rating pressed while the server was down")
        act(21, "call-next", clerk1)
        third = current(21)
        wait_for(lambda: led21.text == third, f"{third} after the restart")
        assert led21.history == shown + [third] and led21.beeps == beeps + 1

        assert collapsed(led21.history) == led21.history  # no text sent twice in a row
        assert led21.history == [PAUSED, IDLE, "A012", IDLE, first, IDLE, second, IDLE, third]
        assert (led21.beeps, pad21.asks) == (4, 3)
        ratings = [(e["data"]["number"], e["data"]["score"], e["actor"]) for e in events("rating.submitted")]
        assert ratings == [("A012", 4, DEVICE_21), (first, 2, DEVICE_21), (second, 1, DEVICE_21)]
        # The pad's four keys are the four-level scale: its 1 is a 差评 without a reason (the return call asks).
        levels = [(e["data"]["scale"], e["data"]["level"], e["data"]["reason"]) for e in events("rating.submitted")]
        assert levels == [
            ("legacy4", "satisfied", None),
            ("legacy4", "average", None),
            ("legacy4", "dissatisfied", "unstated"),
        ]
        assert [(f["data"]["number"], f["data"]["reason"]) for f in events("followup.opened")] == [(second, "unstated")]
        assert agent.poll() is None, (tmp_path / "agent.log").read_text()
    finally:
        agent.terminate()
        agent.wait(10)
        c.close()
        log.close()
        print("agent log:", (tmp_path / "agent.log").read_text()[-5000:], "screen 21:", led21.history)


def test_window_device_keys_act_only_at_their_window_while_a_clerk_is_there(server_factory, sqlite_url):
    srv = server_factory(sqlite_url)
    own = {"Authorization": f"Bearer {live.device_token(sqlite_url, 'window', 21)}"}
    other = {"Authorization": f"Bearer {live.device_token(sqlite_url, 'window', 22)}"}
    rating = {"Authorization": f"Bearer {live.device_token(sqlite_url, 'rating', 21)}"}
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    with httpx.Client(base_url=srv.url + "/api/halls/demo", timeout=30) as c:
        c.post("/tickets", json={"services": ["biz-setup"]}, headers=kiosk)
        nobody = c.post("/windows/21/caller/call-next", headers=own)
        assert nobody.status_code == 409 and nobody.json()["code"] == "no_clerk"
        assert c.post("/windows/21/open", json={}, headers=srv.login("clerk1")).status_code == 200
        assert c.post("/windows/21/caller/call-next", headers=other).json()["code"] == "other_window"
        assert c.post("/windows/21/caller/call-next", headers=rating).status_code == 403  # a rating page calls nobody
        assert c.post("/windows/21/call-next", json={}, headers=own).status_code == 403  # nor the clerk's own route
        assert c.post("/windows/21/caller/finish", headers=own).status_code == 422
        resume = c.post("/windows/21/caller/open", headers=own)
        assert resume.status_code == 409 and resume.json()["code"] == "not_paused"
        assert c.post("/windows/21/caller/call-next", headers=own).status_code == 200
        state = c.post(
            "/devices/state", json={"device": "window21.printer", "kind": "printer", "state": "ok"}, headers=own
        )
        assert state.status_code == 403 and state.json()["code"] == "device_kind"
