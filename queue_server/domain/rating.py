"""好差评: the rating scales, the reasons a 差评 carries and the follow-up's deadline, defined here only.

Since 国办发〔2019〕51号 halls rate on five levels (非常满意 … 非常不满意); the four-level scale of the
older pads (满意, 基本满意, 一般, 不满意) is kept so that their ratings, and every rating stored before
the five levels, keep their meaning: a rating is stored as a score on a named scale, and reports count
levels, which both scales share where their words are the same. A level is a 好评 (good), a 差评 (bad)
or neither (the old 一般); the satisfaction rate is 好评 / ratings on either scale."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from .errors import DomainError
from .opening import Calendar

Verdict = Literal["good", "neutral", "bad"]


@dataclass(frozen=True)
class Level:
    key: str
    zh: str
    en: str
    verdict: Verdict


VERY_SATISFIED = Level("very_satisfied", "非常满意", "Very satisfied", "good")
SATISFIED = Level("satisfied", "满意", "Satisfied", "good")
BASICALLY = Level("basically_satisfied", "基本满意", "Basically satisfied", "good")
AVERAGE = Level("average", "一般", "Average", "neutral")
DISSATISFIED = Level("dissatisfied", "不满意", "Dissatisfied", "bad")
VERY_DISSATISFIED = Level("very_dissatisfied", "非常不满意", "Very dissatisfied", "bad")

# Reports' order, best first; a scale uses some of them.
LEVELS = (VERY_SATISFIED, SATISFIED, BASICALLY, AVERAGE, DISSATISFIED, VERY_DISSATISFIED)

NATIONAL = "national5"
LEGACY = "legacy4"
# scale -> {score: level}; the highest score is the best level.
SCALES: dict[str, dict[int, Level]] = {
    NATIONAL: {5: VERY_SATISFIED, 4: SATISFIED, 3: BASICALLY, 2: DISSATISFIED, 1: VERY_DISSATISFIED},
    LEGACY: {4: SATISFIED, 3: BASICALLY, 2: AVERAGE, 1: DISSATISFIED},
}
# A rating stored without its scale (the events and rows written before the five levels) was on this one.
UNNAMED_SCALE = LEGACY


@dataclass(frozen=True)
class Reason:
    code: str
    zh: str
    en: str


REASONS = (
    Reason("attitude", "服务态度不好", "Unfriendly service"),
    Reason("slow", "办理效率低、等候久", "Slow, long wait"),
    Reason("unclear", "政策、材料讲解不清", "Rules or papers not explained"),
    Reason("again", "让我多次跑、反复补材料", "Made to come back again"),
    Reason("not_done", "事情没有办成", "The matter was not done"),
    Reason("other", "其他", "Other"),
)
# A hardware pad has no keys for a reason: its 差评 carries this one, and the return call asks why.
UNSTATED = Reason("unstated", "评价器未说明，回访询问", "Not given on the pad; asked on the return call")
REASON_CODES = {r.code: r for r in (*REASONS, UNSTATED)}
REASON_TEXT_MAX = 200

FOLLOW_UP_WORKING_DAYS = 15  # 国办发〔2019〕51号: a 差评 is verified, put right and called back within this


@dataclass(frozen=True)
class Rated:
    """A rating as checked: its scale, score, level and (for a 差评) reason."""

    scale: str
    score: int
    level: Level
    reason: str | None
    reason_text: str

    @property
    def bad(self) -> bool:
        return self.level.verdict == "bad"


def level_of(scale: str | None, score: int) -> Level:
    """The level of a stored rating (no scale: one stored before the five levels)."""
    return SCALES[scale or UNNAMED_SCALE][score]


def check(scale: str, score: object, reason: str | None, reason_text: str | None, *, pad: bool = False) -> Rated:
    """A rating on `scale`, refused with a reason the citizen can read. A 差评 needs a reason from
    the list (`other` needs words too); a hardware pad (`pad`) may give none: it is UNSTATED."""
    levels = SCALES.get(scale)
    if levels is None:
        raise DomainError("bad_scale", f"未知的评价等级制：{scale}", f"unknown rating scale {scale!r}")
    if type(score) is not int or score not in levels:  # whole points only: True or 2.5 is no score
        top = max(levels)
        raise DomainError("bad_score", f"评价须为 1 至 {top}", f"score must be 1..{top}")
    level = levels[score]
    text = (reason_text or "").strip()
    if len(text) > REASON_TEXT_MAX:
        raise DomainError(
            "reason_too_long", f"原因最多 {REASON_TEXT_MAX} 字", f"the reason is at most {REASON_TEXT_MAX} characters"
        )
    if level.verdict != "bad":
        return Rated(scale, score, level, None, "")
    if reason is None and pad and not text:
        reason = UNSTATED.code
    if reason not in REASON_CODES or (reason == UNSTATED.code and not pad):
        raise DomainError("reason_required", "差评请选择原因", "a poor rating needs a reason from the list")
    if reason == "other" and not text:
        raise DomainError("reason_required", "选择“其他”时请写明原因", "with 'other', say what the reason was")
    return Rated(scale, score, level, reason, text)


def follow_up_due(calendar: Calendar, day: date) -> date:
    """The last day of a 差评's follow-up: the 15th working day after the rating's day."""
    return calendar.add_working_days(day, FOLLOW_UP_WORKING_DAYS)


def scale_view(scale: str) -> dict[str, Any]:
    """What a rating page draws: the levels best first, and the reasons of a 差评."""
    return {
        "scale": scale,
        "levels": [
            {"score": s, "key": lv.key, "zh": lv.zh, "en": lv.en, "bad": lv.verdict == "bad"}
            for s, lv in sorted(SCALES[scale].items(), reverse=True)
        ],
        "reasons": [{"code": r.code, "zh": r.zh, "en": r.en} for r in REASONS],
        "reason_text_max": REASON_TEXT_MAX,
    }
