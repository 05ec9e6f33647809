"""A report as CSV (UTF-8 with BOM, so spreadsheet programs read the Chinese right), XLSX and text."""

from __future__ import annotations

import csv
import io
import unicodedata
from typing import Any

from .reports import COLUMNS, sections

SECTION_COLUMN = "类别"
# A spreadsheet program runs a cell that starts with one of these as a formula (CSV injection):
# free text (a clerk's reason, a service's name) is led by an apostrophe, which shows it as typed.
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_LEAD):
        return "'" + value
    return "" if value is None else value


def ratings_csv(rows: list[dict[str, Any]], fields: tuple[str, ...]) -> bytes:
    """The 好差评 export as CSV: UTF-8 with BOM, a header of the field names, one row per rating; the
    citizen's own words cannot start a spreadsheet formula."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(fields)
    for row in rows:
        w.writerow([csv_cell(row[f]) for f in fields])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def filename(report: dict, ext: str) -> str:
    span = (
        report["first_day"]
        if report["first_day"] == report["last_day"]
        else f"{report['first_day']}_{report['last_day']}"
    )
    return f"hallq-{report['hall']}-{report['period']}-{span}.{ext}"


def to_csv(report: dict) -> bytes:
    """One table: a section column, then the report's columns; one row per service, window…"""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([SECTION_COLUMN] + [label for _, label in COLUMNS])
    for label, rows in sections(report):
        for cells in rows:
            w.writerow([csv_cell(label)] + [csv_cell(c) for c in cells])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(report: dict) -> bytes:
    """A sheet per section with the same columns and numbers as the CSV, a sheet of unresolved reasons,
    and a first sheet saying what the report covers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def append_text(ws, values: list) -> None:
        """Appends a row whose strings stay strings: openpyxl takes any "=…" for a formula."""
        ws.append(values)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"

    wb = Workbook()
    info = wb.active
    info.title = "概况"
    span = (
        report["first_day"]
        if report["first_day"] == report["last_day"]
        else f"{report['first_day']} 至 {report['last_day']}"
    )
    for line in (
        ("大厅", report["hall_name"]),
        ("报表", f"{report['period_name']} {span}"),
        ("工作日", report["working_days"]),
        ("取号", report["totals"]["issued"]),
        ("办理", report["totals"]["served"]),
        (
            "满意率(%)",
            None if report["totals"]["satisfaction"] is None else round(report["totals"]["satisfaction"] * 100, 1),
        ),
        ("预警", sum(report["alerts"].values())),
        (
            "说明",
            "等候：进入队列至叫号；办理：开始办理至办结；P90 为第 90 百分位（最近秩）；满意率 = 好评（非常满意、满意、基本满意）/评价数（五级评价依国办发〔2019〕51号，旧四级评价的“一般”不计好评）",
        ),
    ):
        append_text(info, list(line))
    info.column_dimensions["A"].width = 12
    info.column_dimensions["B"].width = 60
    bold = Font(bold=True)
    for label, rows in sections(report):
        ws = wb.create_sheet(label)
        ws.append([lbl for _, lbl in COLUMNS])
        for cell in ws[1]:
            cell.font = bold
        for cells in rows:
            append_text(ws, cells)
        ws.freeze_panes = "C2"
        for i, (key, lbl) in enumerate(COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = (
                24 if key in ("name", "reasons") else max(8, len(lbl) * 2)
            )
    ws = wb.create_sheet("未办成原因")
    ws.append(["事项代码", "事项", "原因", "件数"])
    for cell in ws[1]:
        cell.font = bold
    for r in report["reasons"]:
        append_text(ws, [r["service"], r["name"], r["reason"], r["count"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- text for the command line --------------------------------------------------------------------------
TEXT_COLUMNS = (
    "key",
    "name",
    "issued",
    "called",
    "served",
    "unresolved",
    "no_show",
    "cancelled",
    "wait_avg_min",
    "wait_p90_min",
    "service_avg_min",
    "service_p90_min",
    "rated",
    "satisfaction_pct",
)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, width: int = 24) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def to_text(report: dict, only_active: bool = True) -> str:
    """Aligned tables for a terminal; rows where nothing happened are left out."""
    index = [k for k, _ in COLUMNS]
    picks = [index.index(k) for k in TEXT_COLUMNS]
    labels = [COLUMNS[i][1] for i in picks]
    span = (
        report["first_day"]
        if report["first_day"] == report["last_day"]
        else f"{report['first_day']} – {report['last_day']}"
    )
    days = f"（{report['working_days']} 个工作日）" if report["working_days"] is not None else ""
    lines = [f"{report['hall_name']}（{report['hall']}）{report['period_name']} {span}{days}", ""]
    for label, rows in sections(report):
        rows = [
            r
            for r in rows
            if not only_active
            or any(r[index.index(k)] for k in ("issued", "called", "served", "rated", "cancelled", "no_show"))
        ]
        if not rows:
            continue
        cells = [[_clip("" if r[i] is None else str(r[i])) for i in picks] for r in rows]
        widths = [max(_width(x) for x in col) for col in zip(labels, *cells)]
        lines.append(f"【{label}】")
        lines.append("  ".join(_pad(h, w, j > 1) for j, (h, w) in enumerate(zip(labels, widths))))
        for r in cells:
            lines.append("  ".join(_pad(x, w, j > 1) for j, (x, w) in enumerate(zip(r, widths))))
        lines.append("")
    if report["reasons"]:
        lines.append("【未办成原因】")
        for r in report["reasons"]:
            lines.append(f"  {r['name']}：{r['reason'] or '未注明'} × {r['count']}")
        lines.append("")
    return "\n".join(lines)
