"""Rendered tickets read back by an independent ESC/POS decoder and a QR decoder."""

from __future__ import annotations

from dataclasses import replace

import pytest
import zxingcpp
from PIL import ImageOps

from devices import PROFILES, Checklist, render, render_checklist
from devices.printer.gbk import KANJI_ON, MISSING, encode_gbk, text_width
from devices.sim.paper import read_paper


def decode_qr(image) -> str:
    # The ticket's QR has a one-module border; paper around it is the rest of the quiet zone.
    padded = ImageOps.expand(image.convert("L"), border=40, fill=255)
    results = zxingcpp.read_barcodes(padded)
    assert len(results) == 1
    return results[0].text


@pytest.mark.parametrize("profile", PROFILES.values(), ids=list(PROFILES))
def test_ticket_text_qr_and_cut(ticket, profile):
    data = render(ticket, profile)
    paper = read_paper(data)

    assert data.startswith(b"\x1b@" + KANJI_ON)
    assert ticket.hall_name in paper.lines
    assert ticket.number in paper.lines
    flat = "".join(paper.text.split())  # undo wrapping and indents
    for matter in ticket.matters:
        assert "".join(matter.split()) in flat
    assert "前面等候：5 人" in paper.lines
    assert "预计等候：约 15 分钟" in paper.lines
    assert "取号时间：2026-11-25 09:31" in paper.lines
    assert "二楼 B区 社保窗口" in paper.text
    assert "?" not in paper.text
    assert paper.cut and data.endswith(b"\x1dV\x00")
    assert all(text_width(line) <= profile.columns for line in paper.lines)

    if profile.native_qr:
        assert paper.qr_codes == [ticket.status_url.encode()]
        assert not paper.images
    else:
        assert not paper.qr_codes
        assert [decode_qr(image) for image in paper.images] == [ticket.status_url]
        assert all(image.width <= profile.dots for image in paper.images)


def test_number_is_printed_double_size(ticket):
    data = render(ticket)
    assert b"\x1d!\x11" + b"\x1bE\x01\x1ba\x01" + b"A012\n" in data


def test_full_width_punctuation_is_gbk_not_question_marks():
    assert encode_gbk("：（）") == bytes.fromhex("a3ba a3a8 a3a9")


def test_characters_outside_gbk_are_replaced_visibly(ticket):
    data = render(replace(ticket, notice="王䶮😀请到窗口"))
    text = read_paper(data).text
    assert f"王{MISSING}{MISSING}请到窗口" in text
    assert encode_gbk("王䶮😀") == encode_gbk("王") + encode_gbk(MISSING) * 2


def test_long_url_shrinks_raster_qr_to_fit_58mm(ticket):
    from dataclasses import replace

    url = "https://hall.example.cn/tickets/" + "x" * 120
    paper = read_paper(render(replace(ticket, status_url=url), PROFILES["58mm"]))
    assert all(image.width <= 384 for image in paper.images)
    assert decode_qr(paper.images[0]) == url


def test_unknown_eta_is_said_not_faked(ticket):
    from dataclasses import replace

    assert "预计等候：正在计算" in read_paper(render(replace(ticket, eta_minutes=None))).lines


@pytest.mark.parametrize("profile", PROFILES.values(), ids=list(PROFILES))
def test_checklist(profile):
    items = ["居民身份证原件及复印件（A4纸）", "户口簿原件", "近期一寸免冠彩色照片 2 张", "申请表（可在自助机打印）"]
    paper = read_paper(render_checklist(Checklist("城乡居民养老保险参保登记", items, "新都区政务服务中心"), profile))
    assert "城乡居民养老保险参保登记" in paper.lines
    assert "所需材料清单" in paper.lines
    joined = paper.text.replace("\n", "").replace(" ", "")
    for number, item in enumerate(items, start=1):
        assert f"{number}.{item.replace(' ', '')}" in joined
    assert paper.cut
    assert all(text_width(line) <= profile.columns for line in paper.lines)


def test_render_is_pure(ticket):
    assert render(ticket) == render(ticket)


def test_a_ticket_without_a_place_prints_no_empty_place_and_english_tickets_are_english(ticket):
    assert "办理地点" not in read_paper(render(replace(ticket, area=""))).text
    english = read_paper(render(replace(ticket, language="en", matters=["Business Deregistration (企业注销登记)"])))
    assert "5 people ahead of you" in english.lines and "Wait at: 二楼 B区 社保窗口" in english.lines
    assert "办理地点" not in english.text and "企业注销登记" in "".join(english.text.split())
