"""Reading a hall file as its author writes it: the small example hall, English and guides left
out, and mistakes reported where they are, in Chinese and English (real files on disk)."""

from __future__ import annotations

import pytest
import yaml

from queue_server.halls import HERE, HallFileError, read_hall

EXAMPLE = HERE / "example.yaml"


def write(tmp_path, change) -> object:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "hall.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def problems(tmp_path, change) -> str:
    with pytest.raises(HallFileError) as e:
        read_hall(write(tmp_path, change))
    text = str(e.value)
    assert "errors.pydantic.dev" not in text and "Value error" not in text, text
    return text


def test_the_example_hall_loads_without_english_or_full_guides():
    hall = read_hall(EXAMPLE)
    assert (len(hall.departments), len(hall.services), len(hall.windows)) == (3, 5, 6)
    assert hall.name_en == hall.name and hall.service("medical").name_en == "医疗保险"
    assert hall.service("medical").guide.steps == [] and hall.service("biz").guide.time_limit.working_days == 3
    assert hall.calendar.holidays  # the national calendar it lists is joined


def test_a_missing_prefix_is_named_by_the_service(tmp_path):
    text = problems(tmp_path, lambda d: d["services"][2].pop("prefix"))
    assert "服务 #3「户籍办理」缺少 prefix" in text and "service #3 (户籍办理): prefix is missing" in text


@pytest.mark.parametrize(
    "change,zh,en",
    [
        (lambda d: d["services"][0].update(prefix="I"), "不用 I 和 O", "not I or O"),
        (lambda d: d["services"][0].update(prefix="O"), "不用 I 和 O", "not I or O"),
        (lambda d: d["services"][1].update(avg_service_minutes=-5), "avg_service_minutes：应 > 0", "must be > 0"),
        (lambda d: d.update(timezone="Beijing"), "时区 'Beijing' 无效", "unknown timezone 'Beijing'"),
        (lambda d: d["windows"][4].update(floor=3), "5 号窗口所在楼层 3 不在 floors 中", "window 5: floor 3"),
        (
            lambda d: d.update(windows=[w for w in d["windows"] if "biz" not in w["services"]]),
            "服务 #5「企业登记」没有窗口办理",
            "no window serves it",
        ),
        (lambda d: d.update(window_weight=2), "不认识 window_weight", "window_weight is not a field"),
        (
            lambda d: d["services"][0].update(short_name="社会保障卡申领补换与激活业务"),
            "short_name：应不超过 12 个字",
            "at most 12",
        ),
        (
            lambda d: d["windows"][0].update(services={"pension": 0}),
            "1 号窗口的 services",
            "window 1: services: service weights must be positive",
        ),
    ],
)
def test_mistakes_say_what_and_where_in_both_languages(tmp_path, change, zh, en):
    text = problems(tmp_path, change)
    assert zh in text and en in text, text


def test_all_cross_check_problems_at_once(tmp_path):
    def two(d):
        d["timezone"] = "Beijing"
        d["windows"][0]["floor"] = 7

    text = problems(tmp_path, two)
    assert "Beijing" in text and "floor 7" in text


def test_a_file_saved_in_gbk_is_refused_with_how_to_fix_it(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes(EXAMPLE.read_text(encoding="utf-8").encode("gbk"))
    with pytest.raises(HallFileError, match="UTF-8"):
        read_hall(path)


def test_a_missing_calendar_file_is_named(tmp_path):
    text = str(
        pytest.raises(
            HallFileError, read_hall, write(tmp_path, lambda d: d["calendar"].update(files=["calendar-cn-1999.yaml"]))
        ).value
    )
    assert "calendar-cn-1999.yaml" in text


def test_the_reference_names_every_field_of_the_hall_file():
    from pathlib import Path

    from queue_server.domain import hall as h
    from queue_server.domain.opening import Calendar

    doc = (Path(__file__).resolve().parents[2] / "docs" / "hall-file.md").read_text(encoding="utf-8")
    models = [
        h.Hall,
        h.Service,
        h.Window,
        h.PriorityClass,
        h.Guide,
        h.Material,
        h.TimeLimit,
        h.Department,
        h.Topic,
        h.Floor,
        h.CallingRules,
        h.IssuingRules,
        h.AppointmentRules,
        h.RatingRules,
        h.VoiceRules,
    ]
    missing = [
        f"{m.__name__}.{name}"
        for m in models
        for name in m.model_fields
        if f"`{name}`" not in doc and f"{name}:" not in doc and f"{name}," not in doc
    ]
    missing += [name for name in ("holidays", "workdays", "workday_hours", "hours", "files") if f"{name}:" not in doc]
    assert not missing, f"docs/hall-file.md does not explain {missing}"
    assert set(Calendar.model_fields) <= {"holidays", "workdays", "hours"}
