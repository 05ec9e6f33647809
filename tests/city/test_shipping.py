"""A township hall on its own server (SQLite) ships its event log to the city's (PostgreSQL): the
city ends with the very same log, and so the same reports, through a killed shipper and a city
server that goes away and comes back; the city never changes a shipped hall itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from queue_server.halls import DEMO, read_hall
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases import accounts, halls
from tests.support import live

HALL = "demo"


def city_database(url: str) -> dict[str, str]:
    """The city's copy of the township hall, loaded as shipped, with the city's tokens."""
    store = Store(make_engine(url))
    store.migrate()
    halls.load_hall(store, read_hall(DEMO), shipped=True)
    accounts.add_user(store, "manager1", live.PASSWORD, "manager", HALL, "市监察", "S001")
    tokens = {kind: accounts.device_token(store, HALL, kind) for kind in ("shipper", "kiosk")}
    store.engine.dispose()
    return tokens


class Township:
    def __init__(self, srv: live.LiveServer):
        self.srv = srv
        self.http = httpx.Client(base_url=srv.url, timeout=30)
        self.clerk = srv.login("clerk1")
        self.manager = srv.login("manager1")
        self.kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}

    def issue(self, n: int) -> None:
        for _ in range(n):
            r = self.http.post(f"/api/halls/{HALL}/tickets", json={"services": ["tax-general"]}, headers=self.kiosk)
            assert r.status_code == 201, r.text

    def serve(self, n: int) -> None:
        for action in ["call-next", "start", "finish"] * n:
            r = self.http.post(f"/api/halls/{HALL}/windows/26/{action}", json={}, headers=self.clerk)
            assert r.status_code == 200, r.text


def log_of(url: str, auth: dict[str, str]) -> list[dict]:
    r = httpx.get(f"{url}/api/halls/{HALL}/events", params={"limit": 5000}, headers=auth, timeout=30)
    r.raise_for_status()
    return r.json()["events"]


def report_of(url: str, auth: dict[str, str]) -> dict:
    r = httpx.get(f"{url}/api/halls/{HALL}/reports/day", headers=auth, timeout=30)
    r.raise_for_status()
    return r.json()


def shipped_at_city(city: live.LiveServer, token: str) -> int:
    r = httpx.get(
        f"{city.url}/api/halls/{HALL}/shipped-events", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    r.raise_for_status()
    return r.json()["last_seq"]


def until_shipped(city: live.LiveServer, token: str, seq: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while (now := shipped_at_city(city, token)) < seq:
        assert time.monotonic() < deadline, f"the city has {now} of {seq} events"
        time.sleep(0.1)


def start_shipper(township: live.LiveServer, city: live.LiveServer, tokens: dict, log: Path) -> subprocess.Popen:
    env = os.environ | {
        "HALLQ_SHIPPER_TOKEN": tokens["township"],
        "HALLQ_CITY_TOKEN": tokens["city"],
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    args = ["ship-log", "--hall", HALL, "--server", township.url, "--city", city.url]
    return subprocess.Popen(
        [sys.executable, "-m", "queue_server.cli", *args], env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def test_the_city_gets_the_townships_log_through_a_killed_shipper_and_a_city_restart(
    server_factory, sqlite_url, pg_url, tmp_path
):
    township_srv = server_factory(sqlite_url)
    city_tokens = city_database(pg_url)
    city = server_factory(pg_url, prepare=False)
    tokens = {"township": live.device_token(sqlite_url, "shipper"), "city": city_tokens["shipper"]}
    town = Township(township_srv)
    assert town.http.post(f"/api/halls/{HALL}/windows/26/open", json={}, headers=town.clerk).status_code == 200
    town.issue(6)
    town.serve(2)

    shipper = start_shipper(township_srv, city, tokens, tmp_path / "shipper.log")
    try:
        last = log_of(township_srv.url, town.manager)[-1]["seq"]
        until_shipped(city, tokens["city"], last)  # the backlog, from the stored log
        town.serve(1)  # and what happens now, from the stream
        until_shipped(city, tokens["city"], log_of(township_srv.url, town.manager)[-1]["seq"])

        shipper.kill()  # the link is cut: the township works on
        shipper.wait(10)
        town.issue(4)
        town.serve(2)
        shipper = start_shipper(township_srv, city, tokens, tmp_path / "shipper.log")
        until_shipped(city, tokens["city"], log_of(township_srv.url, town.manager)[-1]["seq"])

        city.kill()  # the city's server goes away for a while
        town.issue(3)
        town.serve(3)
        # Closed, so that no figure grows with the clock between the two reports compared below.
        assert town.http.post(f"/api/halls/{HALL}/windows/26/close", json={}, headers=town.clerk).status_code == 200
        city.start()
        until_shipped(city, tokens["city"], log_of(township_srv.url, town.manager)[-1]["seq"])
        assert shipper.poll() is None, (tmp_path / "shipper.log").read_text()
    finally:
        shipper.kill()
        shipper.wait(10)

    city_manager = city.login("manager1")
    township_log = log_of(township_srv.url, town.manager)
    assert log_of(city.url, city_manager) == township_log  # every event, once, in order, unchanged
    assert [e["seq"] for e in township_log] == list(range(1, len(township_log) + 1))
    report = report_of(township_srv.url, town.manager)
    assert report["totals"]["issued"] == 13 and report["totals"]["served"] == 8
    assert report_of(city.url, city_manager) == report

    # The city changes nothing of a shipped hall itself.
    r = httpx.post(
        f"{city.url}/api/halls/{HALL}/tickets",
        json={"services": ["tax-general"]},
        headers={"Authorization": f"Bearer {city_tokens['kiosk']}"},
    )
    assert r.status_code == 409 and r.json()["code"] == "hall_shipped", r.text


def test_the_city_takes_each_event_once_and_refuses_gaps_and_other_logs(server_factory, pg_url):
    tokens = city_database(pg_url)
    city = server_factory(pg_url, prepare=False)
    url = f"{city.url}/api/halls/{HALL}/shipped-events"
    auth = {"Authorization": f"Bearer {tokens['shipper']}"}

    def event(seq: int, number: str = "A001") -> dict:
        return {
            "seq": seq,
            "type": "ticket.issued",
            "ts": f"2026-11-24T02:00:{seq:02d}+00:00",
            "actor": {"kind": "device", "id": "kiosk"},
            "data": {
                "id": seq,
                "number": number,
                "services": ["tax-general"],
                "service": "tax-general",
                "klass": "normal",
                "state": "waiting",
                "position": seq,
                "eta_seconds": None,
                "eta_low_seconds": None,
                "eta_high_seconds": None,
            },
        }

    def post(*events: dict) -> httpx.Response:
        return httpx.post(url, json={"events": list(events)}, headers=auth, timeout=10)

    assert post(event(1), event(2)).json() == {"hall": HALL, "last_seq": 2, "shipped": True}
    assert post(event(2), event(3)).json()["last_seq"] == 3  # a batch sent again after a lost answer
    gap = post(event(5))
    assert gap.status_code == 409 and gap.json()["code"] == "seq_gap", gap.text
    other = post(event(3, number="B001"))
    assert other.status_code == 409 and other.json()["code"] == "log_diverged", other.text
    assert httpx.get(url, headers=auth).json()["last_seq"] == 3
    kiosk = httpx.post(url, json={"events": [event(4)]}, headers={"Authorization": f"Bearer {tokens['kiosk']}"})
    assert kiosk.status_code == 403, kiosk.text  # only the hall's shipper writes its log here


def test_a_township_log_that_ends_before_the_citys_is_not_spliced_on(server_factory, sqlite_url, pg_url, tmp_path):
    """The township restored from an older backup: its next events would take seqs the city has
    already; the shipper refuses to go on rather than join two different logs."""
    township_srv = server_factory(sqlite_url)
    city_tokens = city_database(pg_url)
    city = server_factory(pg_url, prepare=False)
    auth = {"Authorization": f"Bearer {city_tokens['shipper']}"}
    ahead = [
        {"seq": s, "type": "hall.notice", "ts": "2026-11-24T01:00:00+00:00", "actor": {"kind": "system"}, "data": {}}
        for s in (1, 2, 3)
    ]
    bad = httpx.post(f"{city.url}/api/halls/{HALL}/shipped-events", json={"events": ahead}, headers=auth)
    assert bad.status_code == 422 and bad.json()["code"] == "bad_event", bad.text  # a notice without its text
    for e in ahead:
        e["data"] = {"notice": "", "live": False}
    r = httpx.post(f"{city.url}/api/halls/{HALL}/shipped-events", json={"events": ahead}, headers=auth)
    assert r.status_code == 200, r.text
    tokens = {"township": live.device_token(sqlite_url, "shipper"), "city": city_tokens["shipper"]}
    Township(township_srv).issue(1)  # the township has 2 events; the city 3 others
    shipper = start_shipper(township_srv, city, tokens, tmp_path / "shipper.log")
    try:
        deadline = time.monotonic() + 60
        while "ends before the city's" not in (tmp_path / "shipper.log").read_text():
            assert time.monotonic() < deadline, (tmp_path / "shipper.log").read_text()
            time.sleep(0.2)
    finally:
        shipper.kill()
        shipper.wait(10)
    assert shipped_at_city(city, tokens["city"]) == 3  # nothing joined on
