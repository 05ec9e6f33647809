"""What the hall says for a call: exhaustive over every window number and every ticket number."""

from __future__ import annotations

import pytest

from queue_server.domain import announcement as a
from queue_server.halls import DEMO, read_hall

UNITS = {"shi": 10, "bai": 100, "qian": 1000}


def read_number(words: list[str]) -> int:
    """An independent reading of a Chinese numeral back to its value."""
    total, digit = 0, None
    for w in words:
        if w in UNITS:
            total += (1 if digit is None else digit) * UNITS[w]
            digit = None
        else:
            digit = int(w)
    return total + (digit or 0)


@pytest.mark.parametrize(
    "n,chinese",
    [
        (0, "零"),
        (1, "一"),
        (5, "五"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (26, "二十六"),
        (31, "三十一"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (116, "一百一十六"),
        (220, "二百二十"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (9999, "九千九百九十九"),
    ],
)
def test_window_numbers_read_as_numbers(n, chinese):
    assert a.spoken(a.number_words(n)) == chinese


def test_every_window_number_reads_back_to_itself_in_canonical_form():
    for n in range(a.MAX_WINDOW + 1):
        words = a.number_words(n)
        assert read_number(words) == n, (n, words)
        text = a.spoken(words)
        assert "零零" not in text and (n == 0 or not text.endswith("零")), (n, text)
        assert not text.startswith("一十"), (n, text)  # 十六, never 一十六
        assert all(w in a.WORDS for w in words)


def test_window_numbers_out_of_range_are_refused():
    for n in (-1, a.MAX_WINDOW + 1):
        with pytest.raises(ValueError):
            a.number_words(n)


def test_ticket_numbers_spell_the_letter_apart_and_read_every_digit():
    assert a.ticket_words("A012") == ["A", a.PAUSE, "0", "1", "2"]
    assert a.spoken(a.ticket_words("A012")) == "A 零一二"
    for letter in a.LETTERS:
        for i in range(1000):
            number = f"{letter}{i:03d}"
            words = a.ticket_words(number)
            assert words[:2] == [letter, a.PAUSE]
            assert [a.WORDS[w] for w in words[2:]] == [a.DIGITS[int(ch)] for ch in f"{i:03d}"]


@pytest.mark.parametrize("bad", ["", "a012", "A-12", "A０12", "Ａ012", "A 12"])
def test_anything_but_capitals_and_ascii_digits_is_refused(bad):
    with pytest.raises(ValueError):
        a.ticket_words(bad)


def test_the_call_forms():
    assert a.spoken(a.call_words("A012", 26)) == "请A 零一二号 到二十六号窗口"
    assert a.spoken(a.call_words("A012", 26, recall=True)) == "再次呼叫 A 零一二号 到二十六号窗口"
    assert a.spoken(a.call_words("A012", 26, brief=True)) == "A 零一二 到二十六号"


def test_an_announcement_is_the_chime_then_the_call_repeated_with_gaps():
    once = a.call_words("E001", 3)
    assert a.announcement("E001", 3, repeat=1) == [a.CHIME, *once]
    assert a.announcement("E001", 3, repeat=3) == [a.CHIME, *once, a.GAP, *once, a.GAP, *once]
    assert a.announcement("E001", 3, repeat=2, brief=True) == a.call_words("E001", 3, brief=True)
    assert all(w in a.CLIPS or w in (a.PAUSE, a.GAP) for w in a.announcement("Z999", 9999, repeat=2, recall=True))


def test_the_demo_halls_forms_use_every_prefix_window_and_digit():
    hall = read_hall(DEMO)
    prefixes = {s.prefix: [w.number for w in hall.windows_for(s.code)] for s in hall.services}
    forms = a.forms(prefixes)
    assert {f.number[0] for f in forms} == set(prefixes)
    assert {(f.number[0], f.window) for f in forms} == {(p, w) for p, ws in prefixes.items() for w in ws}
    assert {ch for f in forms for ch in f.number[1:]} == set("0123456789")
    assert {(f.recall, f.brief) for f in forms} == {(False, False), (True, False), (False, True)}


def test_the_hall_files_voice_section_is_checked():
    from pydantic import ValidationError

    from queue_server.domain.hall import VoiceRules

    assert read_hall(DEMO).voice == VoiceRules(
        repeat=1, speed=1.3, volume=1.0, pause_ms=100, gap_ms=400, max_delay_seconds=60
    )
    for bad in ({"repeat": 0}, {"repeat": 4}, {"speed": 0.2}, {"volume": 0}, {"max_delay_seconds": 0}, {"pitch": 3}):
        with pytest.raises(ValidationError):
            VoiceRules(**bad)
