"""Reports (日清周结月通报): a day, week or month of a hall, per service, window, clerk, class and
hour, from the event log alone. `build` is pure: give it the period's events and the hall."""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from ..domain import rating
from ..domain.hall import APPOINTMENT, NORMAL, Hall
from .figures import CLASS_NAMES, Fold

PERIODS = ("day", "week", "month")
PERIOD_NAMES = {"day": "日报", "week": "周报", "month": "月报"}
SECTIONS = (  # key in the report, label in files
    ("hall", "汇总"),
    ("services", "服务事项"),
    ("windows", "窗口"),
    ("clerks", "工作人员"),
    ("classes", "优先类别"),
    ("hours", "时段"),
)


def period_days(period: str, anchor: date) -> tuple[date, date]:
    """The first and last business day of the day, week (Monday to Sunday) or month holding `anchor`."""
    if period == "day":
        return anchor, anchor
    if period == "week":
        first = anchor - timedelta(days=anchor.weekday())
        return first, first + timedelta(days=6)
    if period == "month":
        last = _calendar.monthrange(anchor.year, anchor.month)[1]
        return anchor.replace(day=1), anchor.replace(day=last)
    raise ValueError(f"period must be one of {', '.join(PERIODS)}")


def build(
    events: Iterable[Any],
    hall: Hall,
    period: str = "day",
    first: date | None = None,
    last: date | None = None,
    until: datetime | None = None,
) -> dict:
    """The report of `events` (one hall's, in seq order). `until` closes the open time of windows
    still open at the end (default: the last event)."""
    fold = Fold(hall.timezone).add_all(events)
    return from_fold(fold, hall, period, first, last, until or fold.last_ts)


def from_fold(
    fold: Fold, hall: Hall, period: str, first: date | None, last: date | None, until: datetime | None
) -> dict:
    def row(key, name, tally, **extra) -> dict:
        return {"key": key, "name": name, **extra, **tally.figures()}

    services = [row(s.code, s.name, fold._get(fold.services, s.code)) for s in hall.services]
    known = {s.code for s in hall.services}
    services += [row(code, code, t) for code, t in sorted(fold.services.items()) if code not in known]

    windows = []
    numbers = [w.number for w in hall.windows] + sorted(set(fold.windows) - {w.number for w in hall.windows})
    for n in numbers:
        t = fold._get(fold.windows, n)
        w = fold.window_now.get(n)
        windows.append(
            {"key": n, "name": f"{n}号窗口", **t.figures(fold.open_extra(n, until))} | {"state": w.state if w else None}
        )

    clerks = []
    for user in sorted(set(fold.clerks) | set(fold.clerk_names)):
        name, staff_no = fold.clerk_names.get(user, (user, ""))
        clerks.append(row(user, name, fold._get(fold.clerks, user), staff_no=staff_no))

    class_codes = [NORMAL, APPOINTMENT] + [c.code for c in hall.priority_classes]
    class_codes += sorted(set(fold.classes) - set(class_codes))
    names = CLASS_NAMES | {c.code: c.name for c in hall.priority_classes}
    classes = [row(c, names.get(c, c), fold._get(fold.classes, c)) for c in class_codes]

    hours = [row(h, f"{h:02d}:00-{h + 1:02d}:00", fold.hours[h]) for h in sorted(fold.hours)]

    service_names = {s.code: s.name for s in hall.services}
    reasons = [
        {"service": svc, "name": service_names.get(svc, svc), "reason": reason, "count": n}
        for (svc, reason), n in fold.reasons.most_common()
    ]
    alerts: dict[str, int] = {}
    for a in fold.alerts.values():
        alerts[a.kind] = alerts.get(a.kind, 0) + 1

    totals = row(hall.id, hall.name, fold.hall)
    totals["tickets"] = fold.hall.issued
    return {
        "hall": hall.id,
        "hall_name": hall.name,
        "period": period,
        "period_name": PERIOD_NAMES.get(period, period),
        "first_day": first.isoformat() if first else None,
        "last_day": last.isoformat() if last else None,
        # Halls compare weeks and months per working day: a week with 国庆 in it has fewer.
        "working_days": hall.calendar.working_days(first, last) if first and last else None,
        "events": fold.seq,
        "totals": totals,
        "services": services,
        "windows": windows,
        "clerks": clerks,
        "classes": classes,
        "hours": hours,
        "reasons": reasons,
        "alerts": alerts,
    }


# -- one table for files and the command line ---------------------------------------------------------
COLUMNS = (  # (key, label); durations in minutes and rates in percent in the table
    ("key", "代码"),
    ("name", "名称"),
    ("issued", "取号"),
    ("transferred_in", "转入"),
    ("called", "叫号"),
    ("served", "办理"),
    ("done", "办结"),
    ("unresolved", "未办成"),
    ("no_show", "过号"),
    ("cancelled", "取消"),
    ("expired", "作废"),
    ("transferred", "转出"),
    ("transferred_to_window", "转窗口"),
    ("held", "挂起"),
    ("hold_expired", "挂起超时"),
    ("priority_raised", "提级"),
    ("wait_avg_min", "平均等候(分)"),
    ("wait_p90_min", "P90等候(分)"),
    ("wait_max_min", "最长等候(分)"),
    ("service_avg_min", "平均办理(分)"),
    ("service_p90_min", "P90办理(分)"),
    ("rated", "评价数"),
    *((f"rating_{lv.key}", lv.zh) for lv in rating.LEVELS),
    ("satisfaction_pct", "满意率(%)"),
    ("followups_opened", "差评整改"),
    ("followups_closed", "整改办结"),
    ("followups_late", "逾期办结"),
    ("utilisation_pct", "利用率(%)"),
    ("reasons", "未办成原因"),
)


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _pct(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def table_row(r: dict) -> list:
    """One report row as the table's cells (numbers stay numbers; None stays empty)."""
    derived = {
        "wait_avg_min": _minutes(r["wait_avg_s"]),
        "wait_p90_min": _minutes(r["wait_p90_s"]),
        "wait_max_min": _minutes(r["wait_max_s"]),
        "service_avg_min": _minutes(r["service_avg_s"]),
        "service_p90_min": _minutes(r["service_p90_s"]),
        "satisfaction_pct": _pct(r["satisfaction"]),
        "utilisation_pct": _pct(r["utilisation"]),
        "reasons": "；".join(f"{k or '未注明'}×{v}" for k, v in r["reasons"].items()),
    }
    return [derived[k] if k in derived else r.get(k) for k, _ in COLUMNS]


def sections(report: dict) -> list[tuple[str, list[list]]]:
    """(label, rows) per section, the totals first."""
    out = []
    for key, label in SECTIONS:
        rows = [report["totals"]] if key == "hall" else report[key]
        out.append((label, [table_row(r) for r in rows]))
    return out
