"""好差评 over HTTP, on SQLite and PostgreSQL: the hall's scale for the pages, a 差评's reason, the case
number at finish, the follow-up routes (managers only) and the export in JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import httpx

from tests.support import live


def test_poor_rating_follow_up_and_export_over_http(server_factory, db_url):
    srv = server_factory(db_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    agent = {"Authorization": f"Bearer {live.device_token(db_url, 'window', 26)}"}
    clerk, manager = srv.login("clerk1"), srv.login("manager1")
    with httpx.Client(base_url=srv.url + "/api", timeout=30) as c:
        scale = c.get("/halls/demo").json()["rating"]
        assert scale["scale"] == "national5"
        assert [(lv["score"], lv["zh"], lv["bad"]) for lv in scale["levels"]] == [
            (5, "非常满意", False), (4, "满意", False), (3, "基本满意", False), (2, "不满意", True), (1, "非常不满意", True)
        ]  # fmt: skip
        assert {"attitude", "other"} <= {r["code"] for r in scale["reasons"]}

        tickets = [
            c.post("/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk).json() for _ in "ab"
        ]
        assert c.post("/halls/demo/windows/26/open", headers=clerk).status_code == 200
        bad_case = c.post("/halls/demo/windows/26/finish", json={"case_no": "有空格 1"}, headers=clerk)
        assert bad_case.status_code == 422
        for case in ("SZ-2026-000123", None):
            c.post("/halls/demo/windows/26/call-next", headers=clerk).raise_for_status()
            body = {"result": "done"} | ({"case_no": case} if case else {})
            c.post("/halls/demo/windows/26/finish", json=body, headers=clerk).raise_for_status()

        a, b = tickets
        no_reason = c.post(f"/tickets/{a['token']}/rating", json={"score": 1})
        assert no_reason.status_code == 422 and no_reason.json()["code"] == "reason_required"
        assert no_reason.json()["message"] and no_reason.json()["message_en"]
        rated = c.post(f"/tickets/{a['token']}/rating", json={"score": 1, "reason": "again", "reason_text": "跑了三次"})
        assert rated.status_code == 200 and rated.json()["followup_due"] == "2026-12-15", rated.text
        # No staff account rates, a manager no more than a clerk: only the window's own devices.
        body = {"number": b["number"], "score": 5}
        for staff in (clerk, manager):
            assert c.post("/halls/demo/windows/26/rating", json=body, headers=staff).status_code == 403
        # The window agent's four-key pad: its own scale, no reason keys.
        pad = c.post(
            "/halls/demo/windows/26/rating", json={"number": b["number"], "score": 1, "scale": "legacy4"}, headers=agent
        )
        assert pad.status_code == 200 and pad.json()["level"] == "dissatisfied", pad.text

        # Follow-ups: managers only.
        assert c.get("/halls/demo/followups", headers=clerk).status_code == 403
        listed = c.get("/halls/demo/followups", params={"only": "active"}, headers=manager).json()
        assert [(f["number"], f["reason"], f["due"]) for f in listed] == [
            (a["number"], "again", "2026-12-15"), (b["number"], "unstated", "2026-12-15")
        ]  # fmt: skip
        fid = listed[0]["id"]
        assert c.post(f"/halls/demo/followups/{fid}", json={"result": "x"}, headers=clerk).status_code == 403
        assert c.post(f"/halls/demo/followups/{fid}", json={"assignee": "x" * 65}, headers=manager).status_code == 422
        step = c.post(f"/halls/demo/followups/{fid}", json={"assignee": "王主任", "called_back": True}, headers=manager)
        assert step.status_code == 200 and step.json()["state"] == "open"
        closed = c.post(f"/halls/demo/followups/{fid}", json={"result": "已核实并一次性告知材料"}, headers=manager)
        assert closed.json()["state"] == "closed"
        again = c.post(f"/halls/demo/followups/{fid}", json={"result": "y"}, headers=manager)
        assert again.status_code == 409 and again.json()["code"] == "followup_closed"

        # The export: JSON and CSV, keyed by the case number.
        params = {"first": "2026-11-24"}
        assert c.get("/halls/demo/ratings/export", params=params, headers=clerk).status_code == 403
        rows = c.get("/halls/demo/ratings/export", params=params, headers=manager).json()
        assert [(r["case_no"], r["staff_no"], r["level_name"], r["reason"]) for r in rows] == [
            ("SZ-2026-000123", "T001", "非常不满意", "again"), (None, "T001", "不满意", "unstated")
        ]  # fmt: skip
        got = c.get("/halls/demo/ratings/export", params=params | {"format": "csv"}, headers=manager)
        assert got.headers["content-type"].startswith("text/csv") and "attachment" in got.headers["content-disposition"]
        table = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
        assert [r["case_no"] for r in table] == ["SZ-2026-000123", ""] and table[0]["reason_text"] == "跑了三次"
        assert (
            c.get("/halls/demo/ratings/export", params=params | {"format": "xlsx"}, headers=manager).status_code
            == 422  # json or csv
        )
        events = c.get("/halls/demo/events", params={"limit": 5000}, headers=manager).json()["events"]
    types = [e["type"] for e in events]
    assert types.count("followup.opened") == 2 and types.count("followup.updated") == 2

    # The same export from the command line, for a hall without network to its platform.
    cli = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "export-ratings", "--first", "2026-11-24", "--last", "2026-11-30"],
        env=srv.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert [json.loads(line) for line in cli.stdout.splitlines()] == rows
