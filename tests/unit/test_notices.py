"""The text messages' words and the phone numbers they go to (queue_server/domain/notices.py)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from queue_server.domain.hall import NotifyRules
from queue_server.domain.notices import (
    CALLED,
    CODE,
    FOLLOWUP,
    FOLLOWUP_CLOSED,
    NEAR,
    NO_SHOW,
    RECALLED,
    REMINDER,
    Notice,
    mask_phone,
    normalise_phone,
)


@pytest.mark.parametrize(
    ("given", "number"),
    [("13812341234", "13812341234"), ("+86 138 1234 1234", "13812341234"), ("0086-199-0000-1111", "19900001111")],
)
def test_mobile_numbers_as_people_write_them(given, number):
    assert normalise_phone(given) == number


@pytest.mark.parametrize("given", ["12812341234", "1381234123", "138123412345", "010-12345678", "", "一三八"])
def test_what_is_not_a_mobile_number(given):
    assert normalise_phone(given) is None


def test_masked_as_the_citizen_recognises_it():
    assert mask_phone("13812341234") == "138****1234"


def test_each_kind_says_what_to_do():
    hall = "示范区政务服务中心"
    assert Notice(NEAR, hall, "A012", ahead=3).text() == f"【{hall}】您的A012号前面还有3人，请回到等候区留意叫号。"
    assert "即将叫到" in Notice(NEAR, hall, "A012", ahead=0).text()
    assert Notice(CALLED, hall, "A012", window=21, floor=2).text() == f"【{hall}】请A012号到2楼21号窗口办理。"
    assert Notice(RECALLED, hall, "A012", window=21, floor=2).text().startswith(f"【{hall}】再次呼叫")
    no_show = Notice(NO_SHOW, hall, "A012", window=21, floor=2, minutes=30).text()
    assert "已过号" in no_show and "30分钟内" in no_show and "21号窗口" in no_show
    # One message each: UCS-2 carries 70 characters in one SMS.
    for kind in (NEAR, CALLED, RECALLED, NO_SHOW):
        assert len(Notice(kind, hall, "A012", ahead=3, window=21, floor=2, minutes=30).text()) <= 70
    followup = Notice(FOLLOWUP, hall, "A012", service="企业设立登记", due="2026-12-15").text()
    assert "「企业设立登记」" in followup and "12月15日前" in followup and "回访" in followup
    assert "已核实处理" in Notice(FOLLOWUP_CLOSED, hall, "A012", service="企业设立登记").text()
    reminder = Notice(REMINDER, hall, "", service="企业设立登记", slot="明天（11月25日）10:30", code="ACDEFHJKMNPR")
    assert "明天（11月25日）10:30" in reminder.text() and "ACDEFHJKMNPR" in reminder.text()
    assert Notice(CODE, hall, "", code="123456", minutes=5).text() == (
        f"【{hall}】您的取号验证码是123456，5分钟内有效。如非本人操作，请忽略。"
    )
    with pytest.raises(ValueError):
        Notice("unknown", hall, "A012").text()


def test_the_hall_sets_how_near_is_near():
    assert NotifyRules().ahead == 3
    assert NotifyRules(ahead=5).ahead == 5
    with pytest.raises(ValidationError):
        NotifyRules(ahead=0)
