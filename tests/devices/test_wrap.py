from devices.printer.gbk import text_width
from devices.printer.wrap import wrap


def test_chinese_breaks_anywhere_and_fills_lines():
    lines = wrap("城乡居民基本养老保险参保登记与待遇领取资格认证", 16)
    assert lines == ["城乡居民基本养老", "保险参保登记与待", "遇领取资格认证"]


def test_latin_words_and_numbers_stay_whole():
    lines = wrap("请携带 ID card 原件 2024-05-06 办理", 16)
    assert "ID card" in "".join(lines) and any("2024-05-06" in line for line in lines)
    assert all(text_width(line) <= 16 for line in lines)


def test_closing_punctuation_never_starts_a_line():
    lines = wrap("一二三四五六七，八九", 14)
    assert lines == ["一二三四五六", "七，八九"]


def test_opening_punctuation_never_ends_a_line():
    lines = wrap("一二三四五六（七八）", 14)
    assert lines == ["一二三四五六", "（七八）"]


def test_word_longer_than_the_line_is_split_and_indent_kept():
    url = "https://hall.example.cn/t/7f3a9c2e41"
    lines = wrap("网址：" + url, 20, indent=6)
    assert "".join(line.strip() for line in lines) == "网址：" + url
    assert all(text_width(line) <= 20 for line in lines)
    assert all(line.startswith(" " * 6) for line in lines[1:])


def test_newlines_and_leading_spaces_are_kept():
    assert wrap("  1. 甲\n乙", 10) == ["  1. 甲", "乙"]
