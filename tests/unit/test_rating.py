"""好差评: the scales, a 差评's reason and the follow-up's last day (queue_server/domain/rating.py)."""

from datetime import date

import pytest

from queue_server.domain import rating
from queue_server.domain.errors import DomainError
from queue_server.domain.opening import Calendar


# Off the scale, or not a whole point of it (a float, or a bool that Python counts as 1).
@pytest.mark.parametrize(
    ("scale", "score"),
    [("national5", s) for s in (0, 6, -1, 2.5, 4.0, True, None, "4")] + [("legacy4", 5), ("legacy4", 0)],
)
def test_bad_scores_are_refused(scale, score):
    with pytest.raises(DomainError) as e:
        rating.check(scale, score, "attitude", None)
    assert e.value.code == "bad_score"


def test_the_five_levels_follow_the_national_scheme():
    levels = [rating.check("national5", s, "slow", None).level.zh for s in (5, 4, 3, 2, 1)]
    assert levels == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert [rating.check("national5", s, "slow", None).bad for s in (5, 4, 3, 2, 1)] == [False] * 3 + [True] * 2


def test_old_ratings_keep_their_meaning():
    # A stored 2 without a scale is the old 一般 (neither 好评 nor 差评), not the national 不满意.
    assert rating.level_of(None, 2) is rating.AVERAGE and rating.level_of("national5", 2) is rating.DISSATISFIED
    assert rating.level_of(None, 4) is rating.level_of("national5", 4) is rating.SATISFIED
    assert rating.check("legacy4", 1, "slow", None).bad and not rating.check("legacy4", 2, None, None).bad


@pytest.mark.parametrize(
    ("reason", "text", "code"),
    [
        (None, None, "reason_required"),
        ("nonsense", None, "reason_required"),
        ("other", "  ", "reason_required"),
        ("unstated", None, "reason_required"),
        ("slow", "x" * 201, "reason_too_long"),
    ],
)
def test_a_poor_rating_needs_a_reason(reason, text, code):
    with pytest.raises(DomainError) as e:
        rating.check("national5", 1, reason, text)
    assert e.value.code == code


def test_reasons_are_kept_only_with_a_poor_rating_and_a_pad_may_give_none():
    r = rating.check("national5", 2, "other", " 窗口无人 ")
    assert (r.reason, r.reason_text) == ("other", "窗口无人")
    assert rating.check("national5", 5, "slow", "ignored").reason is None
    assert rating.check("legacy4", 1, None, None, pad=True).reason == "unstated"


def test_the_follow_up_is_due_on_the_15th_working_day_by_the_hall_calendar():
    plain = Calendar()
    # Thursday 2026-12-03: three weeks of weekdays later, Thursday 2026-12-24.
    assert rating.follow_up_due(plain, date(2026, 12, 3)) == date(2026, 12, 24)
    # A holiday week pushes it on; a make-up Saturday pulls it back one day.
    cal = Calendar.model_validate({"holidays": [{"2026-12-07..2026-12-11": "假日"}], "workdays": ["2026-12-19"]})
    assert rating.follow_up_due(cal, date(2026, 12, 3)) == date(2026, 12, 30)
