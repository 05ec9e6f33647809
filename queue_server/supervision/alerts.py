"""Alerts (预警): which warning conditions hold in a hall now. Pure: the engine gives the present state.

A condition has a key naming its episode (`wait:<ticket>`, `idle:<window>`…). The engine raises an
`alert.raised` event when a key starts to hold and `alert.cleared` when it stops, so each episode is
raised once however often it is checked. A low rating is `sticky`: raised once, never cleared by
the engine, it stays until a manager acknowledges it.

Kinds and their thresholds (the hall's `alerts` section, `AlertRules`):
- wait_long        a ticket waiting longer than wait_minutes
- queue_unstaffed  more than queue_waiting people waiting for a service no open window serves
                   (the episode ends when a window opens for it or the queue halves)
- window_idle      an open window without a ticket for idle_minutes while its services have people waiting
- service_long     a service running longer than its limit (service_minutes, or service_factor x
                   the service's average minutes in the configuration)
- break_long       a window paused longer than break_minutes
- rating_low       a 差评 (不满意, 非常不满意), or a rating of rating_at_most or lower
- followup_overdue a 差评's follow-up still open after its last day (15 working days; raised again
                   each day it stays overdue, until it is closed)
- device_trouble   a device reporting anything but "ok" (a printer out of paper)
- storage_full     the server's disk is full (changes are refused until space is freed)
- signin_locked    sign-in locked for an account or a client address after repeated wrong
                   passwords (sticky, as a low rating: someone may be guessing)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ..domain import rating
from ..domain.calendar import business_day, day_start
from ..domain.events import AlertRaised
from ..domain.hall import Hall
from ..domain.window import WindowStatus
from .source import Current, Waiting

KINDS = {
    "wait_long": ("等候超时", "long wait"),
    "queue_unstaffed": ("无窗口受理", "queue without a window"),
    "window_idle": ("窗口空闲", "idle window"),
    "service_long": ("办理超时", "long service"),
    "break_long": ("暂停超时", "long break"),
    "rating_low": ("差评", "low rating"),
    "followup_overdue": ("差评整改逾期", "overdue follow-up"),
    "device_trouble": ("设备故障", "device trouble"),
    "storage_full": ("存储空间已满", "storage full"),
    "signin_locked": ("登录锁定", "sign-in locked"),
}
DEVICE_STATES = {
    "near_end": "纸将用尽",
    "paper_out": "缺纸",
    "cover_open": "盖板打开",
    "offline": "离线",
    "unreachable": "无法连接",
    "error": "故障",
    # the text-message sender (a GSM modem or a provider's gateway)
    "no_sim": "未插SIM卡",
    "no_signal": "无手机信号",
    "no_credit": "短信发送被拒（余额不足）",
    "bad_credentials": "短信平台拒绝账号",
}
WARNING_DEVICE_STATES = {"near_end"}


@dataclass(frozen=True)
class Condition:
    key: str
    kind: str
    level: str  # warning | critical
    message: str
    message_en: str
    data: dict = field(default_factory=dict)
    sticky: bool = False

    def event(self) -> AlertRaised:
        return AlertRaised(
            key=self.key,
            kind=self.kind,
            level=self.level,
            message=self.message,
            message_en=self.message_en,
            sticky=self.sticky,
            details=self.data,
        )


@dataclass(frozen=True)
class WindowNow:
    number: int
    state: str  # open, paused, closed
    since: datetime | None
    clerk: str | None  # display name
    pause_reason: str | None = None
    current: Current | None = None
    released_at: datetime | None = None  # the last time a ticket left it (from the log)


@dataclass(frozen=True)
class Rating:
    id: int
    matter: int
    number: str
    score: int
    service: str
    window: int | None
    clerk: str | None
    scale: str | None = None  # None: a rating stored before the five levels
    reason: str | None = None


@dataclass(frozen=True)
class FollowUp:
    """An open follow-up of a 差评."""

    id: int
    number: str
    service: str
    window: int | None
    clerk: str | None
    due: date
    assignee: str | None


@dataclass(frozen=True)
class Device:
    device: str
    kind: str
    state: str
    detail: str
    since: datetime | None


@dataclass(frozen=True)
class Lockout:
    seq: int
    account: str | None
    address: str | None


@dataclass
class HallNow:
    now: datetime
    waiting: list[Waiting]
    windows: list[WindowNow]
    ratings: list[Rating] = field(default_factory=list)
    devices: list[Device] = field(default_factory=list)
    storage_full_since: datetime | None = None
    lockouts: list[Lockout] = field(default_factory=list)
    followups: list[FollowUp] = field(default_factory=list)


def duration_text(seconds: float) -> tuple[str, str]:
    if seconds < 60:
        return f"{int(seconds)} 秒", f"{int(seconds)} s"
    minutes = int(seconds // 60)
    return f"{minutes} 分钟", f"{minutes} min"


def service_limit_s(hall: Hall, code: str) -> float:
    rules = hall.alerts
    if code in rules.service_minutes:
        return rules.service_minutes[code] * 60
    try:
        avg = hall.service(code).avg_service_minutes
    except KeyError:
        avg = 10.0
    return rules.service_factor * avg * 60


def evaluate(
    hall: Hall, state: HallNow, open_keys: set[str] | frozenset = frozenset()
) -> tuple[list[Condition], datetime | None]:
    """The conditions holding now, and the first later moment one more would start to hold if
    nothing else changed (when to look again), or None."""
    rules = hall.alerts
    now = state.now
    out: list[Condition] = []
    due: list[datetime] = []

    def name(code: str) -> str:
        try:
            return hall.service(code).name
        except KeyError:
            return code

    # wait_long
    wait_s = rules.wait_minutes * 60
    for w in state.waiting:
        waited = (now - w.queued_at).total_seconds()
        if waited >= wait_s:
            zh, en = duration_text(waited)
            lim_zh, lim_en = duration_text(wait_s)
            out.append(
                Condition(
                    f"wait:{w.id}",
                    "wait_long",
                    "warning",
                    f"{w.number}（{name(w.service)}）已等候 {zh}，超过 {lim_zh}",
                    f"{w.number} ({w.service}) has waited {en}, over {lim_en}",
                    {
                        "ticket": w.id,
                        "number": w.number,
                        "service": w.service,
                        "klass": w.klass,
                        "queued_at": w.queued_at.isoformat(),
                        "threshold_s": wait_s,
                    },
                )
            )
        else:
            due.append(w.queued_at + timedelta(seconds=wait_s))

    # queue_unstaffed
    counts: dict[str, int] = {}
    oldest: dict[str, datetime] = {}
    for w in state.waiting:
        counts[w.service] = counts.get(w.service, 0) + 1
        if w.service not in oldest or w.queued_at < oldest[w.service]:
            oldest[w.service] = w.queued_at
    open_for: dict[str, int] = {}
    for win in state.windows:
        if win.state != WindowStatus.open:
            continue
        try:
            served = hall.window(win.number).services
        except KeyError:
            continue
        for code in served:
            open_for[code] = open_for.get(code, 0) + 1
    for code, n in sorted(counts.items()):
        key = f"queue:{code}"
        limit = rules.queue_waiting if key not in open_keys else rules.queue_waiting // 2
        if open_for.get(code, 0) == 0 and n > limit:
            out.append(
                Condition(
                    key,
                    "queue_unstaffed",
                    "critical",
                    f"「{name(code)}」有 {n} 人等候，没有开放的窗口",
                    f"{n} waiting for {code} and no window open for it",
                    {"service": code, "waiting": n, "threshold": rules.queue_waiting},
                )
            )

    # window_idle, service_long, break_long
    idle_s = rules.idle_minutes * 60
    break_s = rules.break_minutes * 60
    for win in state.windows:
        try:
            served = hall.window(win.number).services
        except KeyError:
            continue
        if win.state == WindowStatus.open and win.current is None:
            people = [oldest[c] for c in served if c in oldest]
            if people:
                since = max([t for t in (win.since, win.released_at, min(people)) if t is not None])
                idle = (now - since).total_seconds()
                if idle >= idle_s:
                    zh, en = duration_text(idle)
                    n = sum(counts.get(c, 0) for c in served)
                    out.append(
                        Condition(
                            f"idle:{win.number}",
                            "window_idle",
                            "warning",
                            f"{win.number} 号窗口（{win.clerk or '—'}）空闲 {zh}，仍有 {n} 人等候",
                            f"window {win.number} idle for {en} with {n} waiting",
                            {
                                "window": win.number,
                                "clerk": win.clerk,
                                "waiting": n,
                                "since": since.isoformat(),
                                "threshold_s": idle_s,
                            },
                        )
                    )
                else:
                    due.append(since + timedelta(seconds=idle_s))
        cur = win.current
        if cur is not None and cur.state == "serving" and cur.started_at is not None:
            limit_s = service_limit_s(hall, cur.service)
            took = (now - cur.started_at).total_seconds()
            if took >= limit_s:
                zh, en = duration_text(took)
                lim_zh, lim_en = duration_text(limit_s)
                out.append(
                    Condition(
                        f"service:{win.number}:{cur.id}",
                        "service_long",
                        "warning",
                        f"{win.number} 号窗口办理 {cur.number}（{name(cur.service)}）已 {zh}，超过 {lim_zh}",
                        f"window {win.number} has served {cur.number} ({cur.service}) for {en}, over {lim_en}",
                        {
                            "window": win.number,
                            "clerk": win.clerk,
                            "ticket": cur.id,
                            "number": cur.number,
                            "service": cur.service,
                            "started_at": cur.started_at.isoformat(),
                            "threshold_s": limit_s,
                        },
                    )
                )
            else:
                due.append(cur.started_at + timedelta(seconds=limit_s))
        if win.state == WindowStatus.paused and win.since is not None:
            paused = (now - win.since).total_seconds()
            if paused >= break_s:
                zh, en = duration_text(paused)
                lim_zh, lim_en = duration_text(break_s)
                out.append(
                    Condition(
                        f"break:{win.number}",
                        "break_long",
                        "warning",
                        f"{win.number} 号窗口（{win.clerk or '—'}）暂停 {zh}（{win.pause_reason or '暂停服务'}），超过 {lim_zh}",
                        f"window {win.number} paused for {en}, over {lim_en}",
                        {
                            "window": win.number,
                            "clerk": win.clerk,
                            "reason": win.pause_reason,
                            "since": win.since.isoformat(),
                            "threshold_s": break_s,
                        },
                    )
                )
            else:
                due.append(win.since + timedelta(seconds=break_s))

    # rating_low
    for r in state.ratings:
        level = rating.level_of(r.scale, r.score)
        if level.verdict == "bad" or (rules.rating_at_most is not None and r.score <= rules.rating_at_most):
            reason = rating.REASON_CODES.get(r.reason or "")
            where = f"{r.window} 号窗口" if r.window is not None else "窗口"
            out.append(
                Condition(
                    f"rating:{r.id}:{r.matter}",
                    "rating_low",
                    "warning",
                    f"{r.number} 对{where}（{r.clerk or '—'}）办理「{name(r.service)}」的评价：{level.zh}"
                    + (f"（{reason.zh}）" if reason else ""),
                    f"{r.number} rated window {r.window} ({r.service}): {level.en}"
                    + (f" ({reason.en})" if reason else ""),
                    {
                        "ticket": r.id,
                        "matter": r.matter,
                        "number": r.number,
                        "score": r.score,
                        "level": level.key,
                        "reason": r.reason,
                        "service": r.service,
                        "window": r.window,
                        "clerk": r.clerk,
                    },
                    sticky=True,
                )
            )

    # followup_overdue: the day after its last day, the follow-up is late
    today = business_day(now, hall.timezone, hall.day_boundary_hour)
    for f in state.followups:
        if today > f.due:
            out.append(
                Condition(
                    f"followup:{f.id}",
                    "followup_overdue",
                    "warning",
                    f"{f.number} 的差评（{f.window or '—'} 号窗口，{f.clerk or '—'}）整改回访已逾期：应于 {f.due} 前办结"
                    + (f"，承办人 {f.assignee}" if f.assignee else "，尚未指派"),
                    f"the follow-up of {f.number}'s poor rating (window {f.window}) was due by {f.due}",
                    {
                        "followup": f.id,
                        "number": f.number,
                        "service": f.service,
                        "window": f.window,
                        "clerk": f.clerk,
                        "due": f.due.isoformat(),
                        "assignee": f.assignee,
                    },
                )
            )
        else:
            due.append(day_start(f.due + timedelta(days=1), hall.timezone, hall.day_boundary_hour))

    # device_trouble
    for d in state.devices:
        if d.state == "ok":
            continue
        label = DEVICE_STATES.get(d.state, d.state)
        extra = f"：{d.detail}" if d.detail and d.detail != label else ""
        out.append(
            Condition(
                f"device:{d.device}",
                "device_trouble",
                "warning" if d.state in WARNING_DEVICE_STATES else "critical",
                f"设备 {d.device}（{d.kind}）{label}{extra}",
                f"device {d.device} ({d.kind}) is {d.state}{(': ' + d.detail) if d.detail else ''}",
                {"device": d.device, "device_kind": d.kind, "state": d.state, "detail": d.detail},
            )
        )

    # storage_full
    if state.storage_full_since is not None:
        out.append(
            Condition(
                "storage:full",
                "storage_full",
                "critical",
                "服务器存储空间已满：取号和窗口操作可能失败，请立即清理磁盘",
                "the server's storage is full: issuing and window actions may fail; free disk space now",
                {"since": state.storage_full_since.isoformat()},
            )
        )
    # signin_locked
    for lo in state.lockouts:
        who, who_en = (
            (f"账号 {lo.account}", f"account {lo.account}")
            if lo.account
            else (f"地址 {lo.address}", f"address {lo.address}")
        )
        out.append(
            Condition(
                f"signin:{lo.seq}",
                "signin_locked",
                "critical",
                f"{who} 多次密码错误，登录已锁定（来自 {lo.address}）",
                f"sign-in locked for {who_en} after repeated wrong passwords (from {lo.address})",
                {"account": lo.account, "address": lo.address},
                sticky=True,
            )
        )
    return out, (min(due) if due else None)
