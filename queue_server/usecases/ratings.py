"""好差评 after the rating: the follow-ups of 差评 (核实, 整改, 回访) and the export for the provincial
好差评 platform. The rating itself, and the follow-up a 差评 opens with it, are in `followup.py`."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ..domain import rating
from ..domain.calendar import business_day, day_start, local_time
from ..domain.events import FollowUpUpdated
from ..domain.hall import Hall
from ..errors import Conflict, Invalid, NotFound
from ..store.repository import Reader
from ..store.store import Store
from .principal import Principal


def _service_name(hall: Hall, code: str) -> str:
    try:
        return hall.service(code).name
    except KeyError:  # a service since removed from the hall file
        return code


def _view(r: Reader, row: Any, today: date) -> dict[str, Any]:
    level = rating.level_of(row.scale, row.score)
    reason = rating.REASON_CODES.get(row.reason or "")
    tz = r.hall.timezone
    return {
        "id": row.id,
        "number": row.number,
        "matter": row.matter,
        "service": row.service,
        "service_name": _service_name(r.hall, row.service),
        "window": row.window,
        "clerk": row.clerk,
        "level": level.key,
        "level_name": level.zh,
        "level_name_en": level.en,
        "reason": row.reason,
        "reason_name": reason.zh if reason else None,
        "reason_name_en": reason.en if reason else None,
        "reason_text": row.reason_text,
        "opened_at": local_time(row.opened_at, tz).isoformat(),
        "due": row.due.isoformat(),
        "overdue": row.state == "open" and today > row.due,
        "state": row.state,
        "assignee": row.assignee,
        "called_back": local_time(row.called_back, tz).isoformat() if row.called_back else None,
        "result": row.result,
        "closed_at": local_time(row.closed_at, tz).isoformat() if row.closed_at else None,
    }


def _today(r: Reader, store: Store) -> date:
    return business_day(store.clock.now(), r.hall.timezone, r.hall.day_boundary_hour)


def followups(store: Store, hall_id: str, open_only: bool = False) -> list[dict[str, Any]]:
    with store.read(hall_id) as r:
        today = _today(r, store)
        return [_view(r, row, today) for row in r.followups(open_only=open_only)]


def record(store: Store, hall_id: str, followup_id: int, who: Principal, fields: dict[str, Any]) -> dict[str, Any]:
    """A step of a follow-up: `assignee` (who verifies and calls back), `called_back` (the return call
    was made now), `result` (what was found and put right). It closes once the call and the result are
    both in; a closed one is not changed again."""
    with store.write(hall_id) as tx:
        found = tx.followups(followup_id=followup_id)
        if not found:
            raise NotFound("followup_not_found", "没有这条差评整改记录", "no such follow-up")
        row = found[0]
        if row.state == "closed":
            raise Conflict("followup_closed", "该差评整改已办结", "this follow-up is closed already")
        values: dict[str, Any] = {}
        if fields.get("assignee") is not None:
            values["assignee"] = fields["assignee"]
        if fields.get("called_back"):
            values["called_back"] = tx.now
        if fields.get("result") is not None:
            values["result"] = fields["result"]
        if not values:
            raise Invalid(
                "nothing_to_record", "请填写承办人、回访或整改结果", "give an assignee, the return call or the result"
            )
        merged = {k: values.get(k, getattr(row, k)) for k in ("assignee", "called_back", "result")}
        if merged["called_back"] and merged["result"]:
            values |= {"state": "closed", "closed_at": tx.now}
        tx.save_followup(followup_id, **values)
        state = values.get("state", row.state)
        tx.emit(
            FollowUpUpdated(
                followup=followup_id,
                number=row.number,
                service=row.service,
                window=row.window,
                clerk=row.clerk,
                state=state,
                assignee=merged["assignee"],
                called_back=local_time(merged["called_back"], tx.hall.timezone).isoformat()
                if merged["called_back"]
                else None,
                result=bool(merged["result"]),
                due=row.due.isoformat(),
            ),
            who.actor(),
        )
        return _view(
            tx,
            tx.followups(followup_id=followup_id)[0],
            business_day(tx.now, tx.hall.timezone, tx.hall.day_boundary_hour),
        )


EXPORT_MAX_DAYS = 366  # a year at a time: what one upload carries

# The export's columns, in order (docs/ratings-export.md): one row per rating.
EXPORT_FIELDS = (
    "case_no",
    "ticket",
    "matter",
    "service",
    "service_name",
    "window",
    "staff_no",
    "scale",
    "score",
    "level",
    "level_name",
    "reason",
    "reason_name",
    "reason_text",
    "rated_at",
)


def export(store: Store, hall_id: str, first: date, last: date) -> list[dict[str, Any]]:
    """Every rating given from business day `first` to `last`, for upload to the 好差评 platform."""
    if last < first:
        raise Invalid("bad_period", "结束日期早于开始日期", "the last day is before the first")
    if (last - first).days >= EXPORT_MAX_DAYS:
        raise Invalid(
            "period_too_long", f"一次最多导出 {EXPORT_MAX_DAYS} 天", f"export at most {EXPORT_MAX_DAYS} days at a time"
        )
    with store.read(hall_id) as r:
        h = r.hall
        start = day_start(first, h.timezone, h.day_boundary_hour)
        end = day_start(last + timedelta(days=1), h.timezone, h.day_boundary_hour)
        out = []
        for row in r.ratings_between(start, end):
            level = rating.level_of(row.scale, row.score)
            reason = rating.REASON_CODES.get(row.reason or "")
            matters = row.matters
            out.append(
                {
                    "case_no": matters[row.matter].get("case_no") if row.matter < len(matters) else None,
                    "ticket": row.number,
                    "matter": row.matter,
                    "service": row.service,
                    "service_name": _service_name(h, row.service),
                    "window": row.window,
                    "staff_no": row.staff_no or None,
                    "scale": row.scale,
                    "score": row.score,
                    "level": level.key,
                    "level_name": level.zh,
                    "reason": row.reason,
                    "reason_name": reason.zh if reason else None,
                    "reason_text": row.reason_text,
                    "rated_at": local_time(row.ts, h.timezone).isoformat(),
                }
            )
        return out
