"""The supervision office's view over several halls of one server (PostgreSQL): each hall's figures
of the moment side by side, the alerts of all halls in one list, reports comparing a matter across
halls (JSON, CSV, XLSX); a supervisor sees only the halls given to it and changes nothing."""

from __future__ import annotations

import csv
import io
import time

import httpx
from openpyxl import load_workbook

from queue_server.halls import DEMO, read_hall
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases import accounts, halls
from tests.support import live


def add_halls(db_url: str) -> dict[str, str]:
    """Two more halls made from the demo hall, a supervisor over demo and north, one over every
    hall; the new halls' kiosk tokens."""
    store = Store(make_engine(db_url))
    demo = read_hall(DEMO)
    for hall_id, name in (("north", "北区政务服务中心"), ("south", "南区政务服务中心")):
        halls.load_hall(store, demo.model_copy(update={"id": hall_id, "name": name}))
    accounts.add_user(store, "city1", live.PASSWORD, "supervisor", None, "市监察", "S001", ["demo", "north"])
    accounts.add_user(store, "county", live.PASSWORD, "supervisor", None, "县监察", "S002")
    tokens = {h: accounts.device_token(store, h, "kiosk") for h in ("north", "south")}
    store.engine.dispose()
    return tokens


def test_a_supervisor_sees_its_halls_side_by_side(server_factory, pg_url):
    srv = server_factory(pg_url)
    kiosks = add_halls(pg_url) | {"demo": srv.tokens["kiosk"]}
    http = httpx.Client(base_url=srv.url, timeout=30)

    def issue(hall: str, n: int, service: str = "tax-general") -> None:
        for _ in range(n):
            r = http.post(
                f"/api/halls/{hall}/tickets",
                json={"services": [service]},
                headers={"Authorization": f"Bearer {kiosks[hall]}"},
            )
            assert r.status_code == 201, r.text

    issue("demo", 3)
    issue("north", 7, "food-license")  # more than the alert's 5 with no window open for it
    issue("south", 2)
    clerk = srv.login("clerk1")
    for action in ("open", "call-next"):
        assert http.post(f"/api/halls/demo/windows/26/{action}", json={}, headers=clerk).status_code == 200

    city1, county = srv.login("city1"), srv.login("county")
    deadline = time.monotonic() + 60
    while True:  # the alert engine looks every two seconds
        view = http.get("/api/city", headers=city1).json()
        if any(a["hall"] == "north" and a["kind"] == "queue_unstaffed" for a in view["alerts"]):
            break
        assert time.monotonic() < deadline, view["alerts"]
        time.sleep(0.3)
    by_hall = {h["hall"]: h for h in view["halls"]}
    assert list(by_hall) == ["demo", "north"]  # city1's halls only
    assert (by_hall["demo"]["waiting"], by_hall["demo"]["windows_open"], by_hall["demo"]["issued"]) == (2, 1, 3)
    assert (by_hall["north"]["waiting"], by_hall["north"]["windows_open"], by_hall["north"]["issued"]) == (7, 0, 7)
    assert by_hall["north"]["alerts_open"] >= 1 and by_hall["north"]["longest_wait_s"] >= 0
    assert by_hall["demo"]["shipped"] is False
    assert {a["hall"] for a in view["alerts"]} <= {"demo", "north"}
    assert [h["hall"] for h in http.get("/api/city", headers=county).json()["halls"]] == ["demo", "north", "south"]

    # Drill-down into a hall's own figures, read-only, and only where the supervisor oversees.
    assert http.get("/api/halls/north/supervision", headers=city1).status_code == 200
    assert http.get("/api/halls/south/supervision", headers=city1).json()["code"] == "other_hall"
    notice = http.put("/api/halls/demo/notice", json={"text": "x"}, headers=city1)
    assert notice.status_code == 403, notice.text
    assert http.get("/api/city", headers=srv.login("manager1")).json()["code"] == "not_supervisor"

    report = http.get("/api/city/reports/day", headers=county).json()
    assert [(h["key"], h["issued"]) for h in report["halls"]] == [("demo", 3), ("north", 7), ("south", 2)]
    tax = [(r["hall"], r["issued"]) for r in report["services"] if r["key"] == "tax-general"]
    assert tax == [("demo", 3), ("north", 0), ("south", 2)]  # the same matter, hall by hall
    rows = list(csv.reader(io.StringIO(http.get("/api/city/reports/day?format=csv", headers=county).text)))
    assert rows[0][:4] == ["\ufeff类别", "大厅", "代码", "名称"]
    assert ["大厅汇总", "南区政务服务中心", "south"] == rows[3][:3]
    book = load_workbook(io.BytesIO(http.get("/api/city/reports/day?format=xlsx", headers=county).content))
    assert book.sheetnames == ["大厅汇总", "服务事项"]
    assert [c.value for c in book["大厅汇总"][2]][:2] == ["示范区政务服务中心", "demo"]
    http.close()
