"""Reports from a known event log: the figures worked out by hand in eventlog.py, the same numbers in
CSV (read back with the standard library) and XLSX (read back with openpyxl), the periods, the
`hallq report` command and the HTTP download."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import httpx
import pytest
from openpyxl import load_workbook

from queue_server.halls import DEMO, read_hall
from queue_server.supervision import export, reports
from queue_server.supervision.figures import Fold, percentile
from tests.supervision import eventlog as L
from tests.supervision.conftest import hallq, prepare, write_events

HALL = read_hall(DEMO)


@pytest.fixture(scope="module")
def report() -> dict:
    return reports.build(L.events(), HALL, "day", date(2026, 11, 24), date(2026, 11, 24))


def check(rows: list[dict], expected: dict) -> None:
    by_key = {r["key"]: r for r in rows}
    for key, fields in expected.items():
        got = {f: by_key[key][f] for f in fields}
        assert got == fields, f"{key}: {got} != {fields}"


def test_figures_match_the_hand_computed_ones(report):
    check(report["services"], L.EXPECTED_SERVICES)
    check(report["windows"], L.EXPECTED_WINDOWS)
    check(report["clerks"], L.EXPECTED_CLERKS)
    check(report["classes"], L.EXPECTED_CLASSES)
    check(report["hours"], L.EXPECTED_HOURS)
    totals = {f: report["totals"][f] for f in L.EXPECTED_TOTALS}
    assert totals == L.EXPECTED_TOTALS
    assert report["reasons"] == [
        {"service": "tax-general", "name": HALL.service("tax-general").name, "reason": "材料不全", "count": 1}
    ]
    # every configured service and window has a row, in the configuration's order
    assert [r["key"] for r in report["services"]] == [s.code for s in HALL.services]
    assert [r["key"] for r in report["windows"]] == [w.number for w in HALL.windows]


def test_percentile_is_nearest_rank():
    assert percentile([]) is None
    assert percentile([5]) == 5
    assert percentile(list(range(1, 11))) == 9  # ceil(0.9 x 10) = 9th
    assert percentile(list(range(1, 12))) == 10  # ceil(9.9) = 10th
    assert percentile([3, 1, 2]) == 3


def test_folding_in_pieces_gives_the_same_report(report):
    events = L.events()
    fold = Fold(HALL.timezone)
    for i in range(0, len(events), 4):
        fold.add_all(events[i : i + 4])
        fold.add_all(events[max(0, i - 2) : i + 4])  # an overlapping catch-up changes nothing
    again = reports.from_fold(fold, HALL, "day", date(2026, 11, 24), date(2026, 11, 24), fold.last_ts)
    assert again == report


def same(text: str, cell) -> bool:
    """A CSV cell and the XLSX cell of the same place: equal text, or equal numbers."""
    if cell is None:
        return text == ""
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return text != "" and float(text) == float(cell)
    return text == str(cell)


def test_csv_and_xlsx_hold_the_same_numbers(report, tmp_path):
    (tmp_path / "r.csv").write_bytes(export.to_csv(report))
    (tmp_path / "r.xlsx").write_bytes(export.to_xlsx(report))
    with open(tmp_path / "r.csv", encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    labels = [label for _, label in reports.COLUMNS]
    assert header == ["类别"] + labels
    wb = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert wb.sheetnames == ["概况"] + [label for _, label in reports.SECTIONS] + ["未办成原因"]
    sections = 0
    for _, label in reports.SECTIONS:
        sheet = [list(r) for r in wb[label].iter_rows(values_only=True)]
        assert sheet[0] == labels
        csv_rows = [r[1:] for r in body if r[0] == label]
        assert len(csv_rows) == len(sheet) - 1
        for c, x in zip(csv_rows, sheet[1:]):
            assert [same(a, b) for a, b in zip(c, x)] == [True] * len(c), (c, x)
        sections += 1
    assert sections == len(reports.SECTIONS)

    col = {key: i for i, (key, _) in enumerate(reports.COLUMNS)}
    svc = {r[col["key"]]: r for r in (list(r) for r in wb["服务事项"].iter_rows(min_row=2, values_only=True))}
    # biz-setup: waits 600, 1560, 600 s -> 15.3 min mean, 26.0 p90; 19.0 min service; 100% satisfied
    assert svc["biz-setup"][col["issued"]] == 3 and svc["biz-setup"][col["no_show"]] == 1
    assert svc["biz-setup"][col["wait_avg_min"]] == 15.3 and svc["biz-setup"][col["wait_p90_min"]] == 26.0
    assert svc["biz-setup"][col["service_avg_min"]] == 19.0 and svc["biz-setup"][col["satisfaction_pct"]] == 100.0
    # tax-general: 5.5 min mean wait, 9.0 min mean service, one unresolved for missing papers, 50%
    assert svc["tax-general"][col["wait_avg_min"]] == 5.5 and svc["tax-general"][col["service_avg_min"]] == 9.0
    assert svc["tax-general"][col["unresolved"]] == 1 and svc["tax-general"][col["reasons"]] == "材料不全×1"
    assert svc["tax-general"][col["satisfaction_pct"]] == 50.0
    win = {r[col["key"]]: r for r in (list(r) for r in wb["窗口"].iter_rows(min_row=2, values_only=True))}
    assert win[21][col["utilisation_pct"]] == 23.3 and win[26][col["utilisation_pct"]] == 15.4
    hall_row = next(r for r in body if r[0] == "汇总")
    assert hall_row[1 + col["issued"]] == "5" and hall_row[1 + col["satisfaction_pct"]] == "66.7"
    reasons = [list(r) for r in wb["未办成原因"].iter_rows(min_row=2, values_only=True)]
    assert reasons == [["tax-general", HALL.service("tax-general").name, "材料不全", 1]]


def test_periods():
    day = date(2026, 11, 25)  # a Wednesday
    assert reports.period_days("day", day) == (day, day)
    assert reports.period_days("week", day) == (date(2026, 11, 23), date(2026, 11, 29))
    assert reports.period_days("month", day) == (date(2026, 11, 1), date(2026, 11, 30))
    assert reports.period_days("month", date(2028, 2, 10)) == (date(2028, 2, 1), date(2028, 2, 29))
    with pytest.raises(ValueError):
        reports.period_days("year", day)


def shifted(events: list[dict], days: int, id_offset: int) -> list[dict]:
    """The same morning on another day, with other ticket ids."""
    from datetime import datetime

    out = []
    for e in events:
        d = dict(e["data"])
        if "id" in d:
            d["id"] += id_offset
        ts = datetime.fromisoformat(e["ts"]) + timedelta(days=days)
        out.append(e | {"ts": ts.isoformat(), "data": d})
    return out


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """A database holding the log on 2026-11-24, again on Friday 11-27 and on 12-01 (another month)."""
    d = tmp_path_factory.mktemp("reports")
    url = f"sqlite:///{d / 'hallq.db'}"
    tokens = prepare(url)
    base = L.events()
    write_events(url, base + shifted(base, 3, 100) + shifted(base, 7, 200))
    return url, d, tokens


def test_hallq_report_day_week_month(stored, report, tmp_path):
    url, data_dir, _ = stored
    out = hallq(url, data_dir, "report", "--hall", "demo", "--day", L.DAY, "--format", "json")
    assert out.returncode == 0, out.stderr.decode()
    day = json.loads(out.stdout)
    assert day["services"] == report["services"] and day["totals"] == report["totals"]

    week = json.loads(hallq(url, data_dir, "report", "--week", "2026-11-26", "--format", "json").stdout)
    assert (week["first_day"], week["last_day"]) == ("2026-11-23", "2026-11-29")
    assert week["totals"]["issued"] == 10 and week["totals"]["served"] == 6  # two mornings
    wk = {r["key"]: r for r in week["services"]}
    assert wk["biz-setup"]["wait_avg_s"] == 920.0 and wk["tax-general"]["rated"] == 4

    month = json.loads(hallq(url, data_dir, "report", "--month", "2026-12", "--format", "json").stdout)
    assert month["totals"]["issued"] == 5 and month["first_day"] == "2026-12-01"

    text = hallq(url, data_dir, "report", "--day", L.DAY)
    assert text.returncode == 0
    printed = text.stdout.decode()
    assert "日报 2026-11-24" in printed and "企业设立登记" in printed and "材料不全 × 1" in printed
    assert "王芳" in printed and "15.3" in printed

    xlsx = tmp_path / "week.xlsx"
    assert hallq(url, data_dir, "report", "--week", L.DAY, "--format", "xlsx", "--out", str(xlsx)).returncode == 0
    assert load_workbook(xlsx)["汇总"]["C2"].value == 10

    bad = hallq(url, data_dir, "report", "--day", L.DAY, "--month", "2026-11")
    assert bad.returncode != 0
    assert hallq(url, data_dir, "report", "--hall", "nowhere").returncode == 2


def test_download_over_http(stored, server_factory, report):
    url = stored[0]
    srv = server_factory(url, clock="2026-12-08T10:00:00+08:00", prepare=False)
    c = httpx.Client(base_url=srv.url, timeout=30)
    manager = srv.login("manager1")
    r = c.get("/api/halls/demo/reports/day", params={"day": L.DAY, "format": "csv"}, headers=manager)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="hallq-demo-day-2026-11-24.csv"'
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[1:] == list(csv.reader(io.StringIO(export.to_csv(report).decode("utf-8-sig"))))[1:]
    x = c.get("/api/halls/demo/reports/week", params={"day": L.DAY, "format": "xlsx"}, headers=manager)
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert load_workbook(io.BytesIO(x.content))["汇总"]["C2"].value == 10
    j = c.get("/api/halls/demo/reports/month", params={"day": "2026-11-03"}, headers=manager).json()
    assert j["totals"]["issued"] == 10 and j["period"] == "month"
    assert c.get("/api/halls/demo/reports/day", headers=srv.login("clerk1")).status_code == 403
    assert c.get("/api/halls/demo/reports/year", headers=manager).status_code == 422
    assert c.get("/api/halls/demo/alerts", params={"day": L.DAY}, headers=manager).json()["alerts"] == []
