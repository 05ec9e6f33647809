"""The kiosk's logic without a window: search, basket, availability, configuration, fonts, the
server client (one ticket per tap across a lost answer), device-state reporting."""

from __future__ import annotations

import shutil
import threading
import time

import httpx
import pytest

from kiosk.api_client import (
    ApiClient,
    ApiError,
    Backoff,
    IssueRequest,
    ServerUnavailable,
    issue_with_retry,
    token_from_scan,
)
from kiosk.catalog import Catalog
from kiosk.config import ConfigError, dump_config, load_config
from kiosk.devices import StateReporter, card_error_key, checklist_for_printer
from kiosk.fonts import FontMissing, extract_face, face_family, find_cjk_font
from kiosk.i18n import mask_name, wait_text
from kiosk.search import ServiceIndex, spellings
from kiosk.session import Basket, BasketFull
from queue_server.halls import DEMO, read_hall
from tests.conftest import need

from .conftest import events


@pytest.fixture(scope="module")
def demo():
    hall = read_hall(DEMO)
    services = [
        s.model_dump(mode="json")
        | {"open": True, "hours_today": "09:00-17:30", "waiting": 0, "eta_seconds": None, "remaining_today": None}
        for s in hall.services
    ]
    info = {
        "name": hall.name,
        "name_en": hall.name_en,
        "departments": [d.model_dump() for d in hall.departments],
        "topics": [t.model_dump() for t in hall.topics],
        "priority_classes": [c.model_dump() for c in hall.priority_classes],
        "windows": [],
    }
    return info, services


# -- search ---------------------------------------------------------------------------------------
def test_pinyin_initials_full_pinyin_chinese_and_english_find_the_matter(demo):
    info, services = demo
    index = ServiceIndex(services, info["departments"])
    property_codes = {"property-transfer", "property-mortgage", "property-query", "tax-property"}
    assert set(index.search("bdc")) == property_codes  # 不动产
    assert set(index.search("budongchan")) == property_codes
    assert index.search("bdccx") == ["property-query"]  # 不动产查询, a keyword
    assert index.search("yyzz")[0] == "biz-setup"  # 营业执照, a keyword
    assert index.search("营业执照")[0] == "biz-setup"
    assert index.search("开饭店") == ["food-license"]
    assert index.search("gjj")[:2] == ["gjj-withdraw", "gjj-loan"]
    assert index.search("passport") == ["exit-entry"]
    assert index.search("  ") == [] and index.search("xqzw") == []


def test_spellings_strip_tones_and_punctuation():
    assert spellings("不动产登记") == ("bdcdj", "budongchandengji")
    assert spellings("企业变更（备案）登记") == ("qybgbadj", "qiyebiangengbeiandengji")


# -- basket and availability ----------------------------------------------------------------------
def test_basket_keeps_the_order_refuses_a_sixth_matter_and_knows_what_needs_a_card(demo):
    info, services = demo
    catalog = Catalog(info, services)
    basket = Basket(["tax-property", "property-transfer"])
    basket.add("property-transfer")  # twice is once
    assert list(basket) == ["tax-property", "property-transfer"]
    for code in ("gjj-loan", "property-mortgage", "med-insure"):
        basket.add(code)
    with pytest.raises(BasketFull):
        basket.add("hukou")
    assert basket.needs_card(catalog) == ["med-insure"]
    assert basket.toggle("gjj-loan") is False and "gjj-loan" not in basket


def test_closed_and_sold_out_services_say_why(demo):
    info, services = demo
    services = [dict(s) for s in services]
    by_code = {s["code"]: s for s in services}
    by_code["build-permit"].update(open=False, hours_today="09:00-17:30")
    by_code["plan-permit"].update(open=False, hours_today="休息")
    by_code["exit-entry"].update(remaining_today=0)
    catalog = Catalog(info, services)
    assert catalog.availability("build-permit").text("zh") == "现在不办理 · 今日 09:00-17:30"
    assert catalog.availability("plan-permit").text("zh") == "今日不办理"
    assert catalog.availability("exit-entry").text("zh") == "今日号已取完"
    assert catalog.availability("exit-entry").text("en") == "No tickets left today"
    assert Basket(["biz-setup", "exit-entry"]).blocked(catalog) == ["exit-entry"]
    assert catalog.age_class(70)["code"] == "elderly" and catalog.age_class(64) is None
    assert [c["code"] for c in catalog.self_service_classes] == ["pregnant"]


def test_waits_and_names_as_people_read_them():
    assert wait_text(None, 3, "zh") == "暂无窗口开放"
    assert wait_text(30, 0, "zh") == "无需等候"
    assert wait_text(601, 4, "zh") == "约 11 分钟"
    assert wait_text(4000, 30, "en") == "1 h 7 min"
    assert [mask_name(n) for n in ("张三", "李秀英", "欧阳诗琪")] == ["张*", "李*英", "欧**琪"]


# -- configuration and fonts ----------------------------------------------------------------------
def test_configuration_file_is_checked_and_the_environment_wins(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(
        dump_config(
            {"server_url": "http://10.0.0.2:8000/", "token": "t0k", "admin_pin": "2468", "window_size": [1920, 1080]}
        )
    )
    cfg = load_config(path, env={"HALLQ_KIOSK_TOKEN": "from-env", "HALLQ_KIOSK_IDLE_SECONDS": "30"})
    assert (cfg.server_url, cfg.token, cfg.idle_seconds, cfg.window_size) == (
        "http://10.0.0.2:8000",
        "from-env",
        30,
        (1920, 1080),
    )
    assert cfg.printer_url == "sim://" and cfg.fullscreen is True

    path.write_text('server_url = "10.0.0.2"\nadmin_pin = "12"\nidle_secs = 3\n')
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    text = str(err.value)
    assert "token" in text and "server_url" in text and "admin_pin" in text and "idle_secs" in text
    path.write_text("token = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(path, env={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml", env={})


def test_without_fontconfig_or_a_chinese_font_the_message_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no fc-match anywhere
    with pytest.raises(FontMissing, match="fonts-noto-cjk"):
        find_cjk_font(cache_dir=tmp_path)
    fake = tmp_path / "fc-match"  # a fontconfig that knows only a Latin font
    fake.write_text("#!/bin/sh\nprintf '/usr/share/fonts/DejaVuSans.ttf\\n0\\nen|fr|de\\n'\n")
    fake.chmod(0o755)
    with pytest.raises(FontMissing, match="fonts-noto-cjk"):
        find_cjk_font(cache_dir=tmp_path, fc_match=str(fake))
    with pytest.raises(FontMissing, match="does not exist"):
        find_cjk_font(configured=tmp_path / "nope.ttf", cache_dir=tmp_path)


def test_the_simplified_chinese_face_is_taken_out_of_the_collection(tmp_path):
    need(shutil.which("fc-match") is not None, "fontconfig is not installed")
    try:
        fonts = find_cjk_font(cache_dir=tmp_path)
    except FontMissing as exc:
        need(False, str(exc))
    data = fonts.regular.read_bytes()
    assert data[:4] in (b"OTTO", b"\x00\x01\x00\x00")  # a single font, not a collection
    family = face_family(data)
    assert "CJK" not in family or "SC" in family, family  # Noto Sans CJK SC, not its JP face
    assert find_cjk_font(cache_dir=tmp_path) == fonts  # cached: extracted once
    with pytest.raises(ValueError):
        extract_face(data, 0)


# -- the server client ----------------------------------------------------------------------------
def test_token_from_what_a_scanner_types():
    assert (
        token_from_scan("http://10.0.0.2:8000/t/7sjPnLncr2XQ5BWl3b1Dku8NM6kxgRHm\n")
        == "7sjPnLncr2XQ5BWl3b1Dku8NM6kxgRHm"
    )
    assert token_from_scan("7sjPnLncr2XQ5BWl3b1Dku8NM6kxgRHm") == "7sjPnLncr2XQ5BWl3b1Dku8NM6kxgRHm"
    assert token_from_scan("A012") is None
    assert token_from_scan("https://example.com/other/page") is None
    assert token_from_scan("") is None


class LoseFirstAnswer(httpx.BaseTransport):
    """The first POST reaches the server, which commits the ticket, and then the connection drops
    before the answer arrives, as on a flaky hall network."""

    def __init__(self):
        self.inner = httpx.HTTPTransport()
        self.posts = 0

    def handle_request(self, request):
        response = self.inner.handle_request(request)
        if request.method == "POST":
            self.posts += 1
            if self.posts == 1:
                response.read()
                response.close()
                raise httpx.ReadError("connection reset before the answer arrived", request=request)
        return response


def test_a_lost_answer_is_retried_with_the_same_key_and_one_ticket_is_issued(hall_server):
    before = events(hall_server)[-1]["seq"] if events(hall_server) else 0
    transport = LoseFirstAnswer()
    client = ApiClient(hall_server.url, "demo", hall_server.tokens["kiosk"], transport=transport)
    request = IssueRequest(services=["biz-change"])
    ticket = issue_with_retry(client, request, patience=5, backoff=Backoff(0.05, 0.2))
    assert transport.posts == 2
    issued = [e for e in events(hall_server, before) if e["type"] == "ticket.issued"]
    assert [e["data"]["number"] for e in issued] == [ticket["number"]]
    again = issue_with_retry(client, request, patience=5, backoff=Backoff(0.05, 0.2))  # the same tap, later
    assert again["token"] == ticket["token"]
    with pytest.raises(ApiError) as err:
        client.issue({"services": ["no-such-service"]}, "kiosk-other-key")
    assert err.value.status == 404 and err.value.code == "service_not_found"
    client.close()


def test_an_unreachable_server_is_retried_until_patience_runs_out():
    client = ApiClient("http://127.0.0.1:9", "demo", "t", timeout=0.5)  # the discard port: refused
    slept = []
    start = time.monotonic()
    with pytest.raises(ServerUnavailable):
        issue_with_retry(
            client,
            IssueRequest(services=["biz-setup"]),
            patience=1.0,
            backoff=Backoff(0.1, 0.4, jitter=0),
            sleep=lambda s: (slept.append(s), time.sleep(s)),
        )
    assert slept[:3] == [0.1, 0.2, 0.4] and time.monotonic() - start < 3


# -- device states --------------------------------------------------------------------------------
def test_device_states_are_sent_once_settled_and_again_after_an_outage():
    sent, down = [], threading.Event()
    down.set()

    def send(device, kind, state, detail):
        if down.is_set():
            raise ServerUnavailable("down")
        sent.append((device, state))

    reporter = StateReporter(send, settle=0.3, retry=Backoff(0.1, 0.2)).start()
    try:
        reporter.report("k.idcard", "idcard", "error", "bad frame")
        reporter.report("k.idcard", "idcard", "ok")  # a one-poll flicker is not news
        reporter.report("k.printer", "printer", "paper_out", "paper end")
        time.sleep(0.6)
        assert sent == []  # the server is away: kept, not lost
        down.clear()
        deadline = time.monotonic() + 5
        while len(sent) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(sent) == [("k.idcard", "ok"), ("k.printer", "paper_out")]
    finally:
        reporter.stop()


def test_card_errors_become_advice_and_guides_become_checklists():
    from devices import CardExpired, CardRemoved, DeviceTimeout, NoCard
    from kiosk.devices import ReadFailed

    assert card_error_key(NoCard("x")) == "card_no_card"
    assert card_error_key(CardRemoved("x")) == "card_removed"
    assert card_error_key(CardExpired("x")) == "card_expired"
    try:
        raise ReadFailed("no answer") from DeviceTimeout("t")
    except ReadFailed as exc:
        assert card_error_key(exc) == "reader_down"
    checklist = checklist_for_printer(
        {
            "name": "企业设立登记",
            "area": "二楼F区",
            "windows": [21, 22],
            "phone": "028",
            "materials": [{"name": "公司章程", "copies": 1, "original": True, "note": "签字"}],
        },
        "示范区政务服务中心",
    )
    assert checklist.items == ["公司章程（原件 1 份）：签字"]
    assert "二楼F区 21、22 号窗口" in checklist.notice


def test_the_search_hint_and_the_life_events_come_from_the_hall(demo):
    info, services = demo
    catalog = Catalog(info, services)
    initials, word = catalog.search_example()
    assert catalog.search(initials)[0] in [s["code"] for s in services if word in s.get("keywords", [])]
    # Another hall: its own words, and no life events to head.
    other = [dict(s, keywords=["婚姻登记"] if s["code"] == "marriage" else []) for s in services]
    catalog = Catalog(dict(info, topics=[]), other)
    assert catalog.search_example() == ("hydj", "婚姻登记") and catalog.topics == []
    assert Catalog(info, [dict(s, keywords=[]) for s in services]).search_example() is None


def test_the_waiting_place_comes_from_the_windows_when_the_hall_names_no_area(demo):
    info, services = demo
    windows = [
        {"number": 5, "floor": 2, "area": "二楼F区", "services": {"biz-setup": 1}},
        {"number": 6, "floor": 2, "area": "", "services": {"biz-change": 1}},
        {"number": 7, "floor": 3, "area": "", "services": {"biz-change": 1}},
    ]
    catalog = Catalog(dict(info, windows=windows), services)
    assert catalog.waiting_place({"area": "一楼A区", "services": ["biz-setup"]}, "zh") == "一楼A区"
    assert catalog.waiting_place({"area": "", "services": ["biz-setup"]}, "zh") == "二楼F区"
    assert catalog.waiting_place({"area": "", "services": ["biz-setup"]}, "en") == "Floor 2 (二楼F区)"
    assert catalog.waiting_place({"area": "", "services": ["biz-change"]}, "zh") == "2 楼、3 楼 6、7 号窗口"
    assert catalog.waiting_place({"area": "", "matters": [{"service": "tax-general"}]}, "zh") == ""
