"""The kiosk as a visitor uses it: the real Kivy app under Xvfb, touched on its widgets, against a
live server on loopback, with the printer and ID-card simulators on ptys. Every test leaves a
screenshot (kiosk/tests/ under --screenshots-dir)."""

from __future__ import annotations

import re
import time

import httpx
import pytest

from queue_server.domain.hall import Guide
from queue_server.halls import DEMO, read_hall
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases.halls import load_hall

from .conftest import PIN, SERVER_START_SECONDS, events, start_server

pytestmark = pytest.mark.kiosk


# -- helpers ---------------------------------------------------------------------------------------
def printer_sim(d):
    return d.app.kiosk.devices.printer.simulator


def card_sim(d):
    return d.app.kiosk.devices.reader.simulator


def last_seq(srv) -> int:
    evs = events(srv)
    return evs[-1]["seq"] if evs else 0


def server_ticket(srv, token: str) -> dict:
    return httpx.get(f"{srv.url}/api/tickets/{token}").json()


def shown_ticket(d) -> dict:
    return d.app.sm.get_screen("ticket").params["ticket"]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def decode_qr(path) -> list[str]:
    import zxingcpp
    from PIL import Image

    return [r.text for r in zxingcpp.read_barcodes(Image.open(path))]


def start(d) -> None:
    d.tap("start")
    d.wait_screen("home")


def take_from_department(d, dept: str, code: str) -> None:
    d.tap(f"dept:{dept}")
    d.wait_screen("services")
    d.tap(f"svc:{code}:take")
    d.wait_screen("confirm")


def confirm_and_wait_printed(d) -> dict:
    d.tap("confirm_go")
    d.wait_screen("ticket")
    d.wait(lambda: "请取走号票" in d.text("print_state"), 10, "the ticket to be printed")
    return shown_ticket(d)


def id_number(seq: int) -> str:
    """A valid GB 11643 number for an invented person born 1980-01-01."""
    body = f"11010119800101{seq:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]


# -- taking tickets ---------------------------------------------------------------------------------
def test_one_matter_ticket_is_printed_and_the_screen_returns_home_by_itself(make_kiosk, hall_server):
    d = make_kiosk(hall_server, ticket_seconds=6)
    start(d)
    take_from_department(d, "scjg", "biz-cancel")
    assert d.text("item:biz-cancel") == "企业注销登记"
    ticket = confirm_and_wait_printed(d)
    path = d.shot("one-matter-ticket")
    assert decode_qr(path) == [ticket["status_url"]]  # the on-screen QR leads to the status page too

    on_server = server_ticket(hall_server, ticket["token"])
    assert on_server["services"] == ["biz-cancel"] and on_server["state"] == "waiting"
    assert d.text("ticket_number") == on_server["number"] and on_server["number"].startswith("C")
    assert d.text("ticket_wait").startswith(f"前面还有 {on_server['position']} 人")
    job = printer_sim(d).jobs[-1]
    assert job.printed and on_server["number"] in job.paper.text and "企业注销登记" in job.paper.text
    assert job.paper.qr_codes == [ticket["status_url"].encode()]
    d.wait_screen("home", timeout=10)  # nobody touched "完成"


def test_a_basket_of_three_matters_takes_one_ticket(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    chosen = [("scjg", "food-license"), ("tax", "tax-general"), ("bdc", "property-query")]
    for dept, code in chosen:
        d.tap(f"dept:{dept}")
        d.wait_screen("services")
        d.tap(f"svc:{code}:add")
        assert d.text(f"svc:{code}:add") == "已加入 ✓"
        d.tap("back")
        d.wait_screen("home")
    assert d.text("basket_summary").startswith("一件事：已选 3 项")
    d.tap("basket_go")
    d.wait_screen("confirm")
    names = [d.text(f"item:{code}") for _, code in chosen]
    assert names == [
        "1. 食品经营许可",
        "2. 涉税综合业务（新办纳税人套餐、发票领用、清税证明）",
        "3. 不动产登记资料查询",
    ]
    d.shot("basket-confirm")
    ticket = confirm_and_wait_printed(d)

    on_server = server_ticket(hall_server, ticket["token"])
    assert on_server["services"] == [code for _, code in chosen]
    assert on_server["number"].startswith("D")  # numbered in the first matter's queue
    paper = squash(printer_sim(d).jobs[-1].paper.text)
    assert all(squash(name.split(". ", 1)[1]) in paper for name in names)
    assert d.shows("共 3 个事项，按顺序办理")
    d.shot("basket-ticket")


def test_a_double_tap_on_confirm_issues_one_ticket(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    take_from_department(d, "tax", "tax-property")
    since = last_seq(hall_server)
    d.tap("confirm_go")
    d.tap("confirm_go", check=False) if d.screen == "confirm" and d.has("confirm_go") else None
    d.wait_screen("ticket")
    d.wait(lambda: "请取走号票" in d.text("print_state"))
    issued = [e for e in events(hall_server, since) if e["type"] == "ticket.issued"]
    assert [e["data"]["number"] for e in issued] == [shown_ticket(d)["number"]]
    assert len(printer_sim(d).jobs) == 1
    d.shot("double-tap-one-ticket")


# -- ID cards ----------------------------------------------------------------------------------------
def test_a_70_year_olds_card_gives_the_elderly_priority(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    d.tap("action:card")
    d.wait_screen("card")
    assert d.text("card_prompt") == "请将身份证平放在下方读卡区"
    card_sim(d).place("李秀英")
    d.wait(lambda: d.has("card_name"), 5, "the card to be read")
    assert d.text("card_name") == "读卡成功：李*英"
    assert d.text("card_priority") == "70 周岁，享受「老年人优先」"
    d.shot("card-read-elderly")
    # Goes on by itself, to the matters she can take (not back to where she started).
    d.wait_screen("services")
    assert d.text("title") == "李*英，请选择要办理的事项"
    assert "李*英" in d.text("identity")
    assert all(not d.find(w.kid).disabled for w in d.find_all("svc:", prefix=True) if w.kid.endswith(":take"))
    d.tap("identity_large")  # 70: large type is offered in one tap
    assert d.app.scale == d.app.cfg.elderly_scale and not d.has("identity_large")
    d.tap("svc:med-insure:take")  # a matter that needs the card
    d.wait_screen("confirm")
    assert d.text("identity_name") == "身份证：李*英"
    ticket = confirm_and_wait_printed(d)

    assert server_ticket(hall_server, ticket["token"])["klass"] == "elderly"
    assert d.text("ticket_klass") == "优先类别：老年人优先"
    assert not any("李秀英" in t for t in d.texts())  # the full name is never shown
    d.shot("elderly-ticket")
    d.tap("home")  # the header's home button ends the visit as "完成" does
    d.wait_screen("home")
    assert d.app.session.identity is None and not d.has("identity")


def test_a_second_ticket_for_the_same_person_and_matter_is_refused_with_the_reason(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    card_sim(d).place("王小明")  # placed on the attract screen: the kiosk starts with it
    d.wait_screen("home")
    assert "王*明" in d.text("identity")
    take_from_department(d, "rsj", "ss-card")
    confirm_and_wait_printed(d)
    d.tap("ticket_done")
    d.wait_screen("home")
    assert not d.has("identity")  # the visitor is forgotten once the ticket is taken

    card_sim(d).lift()
    d.pump(0.8)
    card_sim(d).place("王小明")
    d.wait(lambda: d.has("identity"), 5, "the card placed again")
    since = last_seq(hall_server)
    take_from_department(d, "rsj", "ss-card")
    d.tap("confirm_go")
    d.wait(lambda: d.has("refusal"), 10, "the server's refusal")
    assert d.screen == "confirm"
    assert d.text("refusal") == "您今天已取过「社会保障卡申领、补换与激活」的号（每人每天 1 个）"
    assert not [e for e in events(hall_server, since) if e["type"] == "ticket.issued"]
    d.shot("per-person-cap-refused")


def test_card_read_errors_say_what_to_do_and_offer_a_ticket_without_card(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    take_from_department(d, "scjg", "biz-change")
    d.tap("confirm_swipe")
    d.wait_screen("card")
    reader = card_sim(d)
    reader.fault = "lift_mid_read"
    reader.place("张建国")
    d.wait(lambda: d.has("card_error"), 5, "the read error")
    assert d.text("card_error") == "读卡时身份证被移开了。请将身份证平放在读卡区，读完前不要移动，再试一次。"
    assert d.has("card_retry") and d.has("card_without")
    d.shot("card-error")

    reader.fault = "bad_checksum"  # a garbled answer: the card stays where it is
    reader.place("张建国")
    d.wait(lambda: d.has("card_error") and d.text("card_error").startswith("读卡失败"), 5)
    reader.fault = None
    d.tap("card_retry")  # the watcher will not read a card that has not moved; the button does
    d.wait(lambda: d.has("card_name"), 5)
    assert d.text("card_name") == "读卡成功：张*国"
    d.wait_screen("confirm")
    assert d.text("identity_name") == "身份证：张*国"

    d.tap("clear_identity")
    d.tap("confirm_swipe")
    d.wait_screen("card")
    reader.lift()
    d.pump(0.8)
    reader.place("马晓燕")  # expired in 2020
    d.wait(lambda: d.has("card_error"), 5)
    assert d.text("card_error") == "该身份证已过有效期，不能用于取号。请到一楼导服台由工作人员协助。"
    assert not d.has("card_retry")  # reading it again cannot help
    d.tap("card_without")
    d.wait_screen("confirm")
    assert d.shows("未刷身份证")
    ticket = confirm_and_wait_printed(d)
    assert server_ticket(hall_server, ticket["token"])["services"] == ["biz-change"]

    d.tap("ticket_done")
    d.wait_screen("home")
    take_from_department(d, "rsj", "ss-retire")  # needs the card: no way around it
    assert d.text("needs_card:ss-retire") == "「职工退休待遇申领（养老金）」须刷身份证取号"
    d.tap("confirm_go")
    d.wait_screen("card")
    assert not d.has("card_without")


def test_a_missing_card_reader_is_reported_and_visitors_are_told_at_once(make_kiosk, hall_server):
    since = last_seq(hall_server)
    d = make_kiosk(hall_server, id_reader_url="sam+serial:///dev/hallq-no-such-reader", wait_devices=False)
    start(d)
    d.tap("action:card")
    d.wait_screen("card")
    assert d.text("card_error") == "读卡器暂时无法使用，请联系工作人员。"
    assert d.has("card_without") and not d.has("card_retry")
    d.wait(
        lambda: [
            e
            for e in events(hall_server, since)
            if e["type"] == "device.state"
            and e["data"]["device"] == "kiosk-t1.idcard"
            and e["data"]["state"] == "unreachable"
        ],
        10,
        "a device.state event for the reader",
    )
    d.shot("reader-missing")
    d.tap("card_without")
    d.wait_screen("home")


# -- the printer --------------------------------------------------------------------------------------
def test_paper_out_gives_an_on_screen_qr_ticket_and_staff_see_the_printer(make_kiosk, hall_server):
    d = make_kiosk(hall_server, printer_poll_seconds=1)
    since = last_seq(hall_server)
    printer_sim(d).state = "paper_out"
    # The home screen redraws itself with the banner when the kiosk notices; tapping through that
    # redraw would touch a tile that has just been replaced.
    d.wait(lambda: d.has("printer_banner"), 10, "the attract screen's printer banner")
    start(d)
    assert d.has("printer_banner")
    take_from_department(d, "gjj", "gjj-loan")
    d.tap("confirm_go")
    d.wait_screen("ticket")
    d.wait(lambda: "打印机暂时无法出票" in d.text("print_state"), 10)
    ticket = shown_ticket(d)
    assert server_ticket(hall_server, ticket["token"])["state"] == "waiting"  # issued all the same
    assert d.find("ticket_qr").payload == ticket["status_url"]
    path = d.shot("paper-out-qr-ticket")
    assert decode_qr(path) == [ticket["status_url"]]
    assert not any(job.printed for job in printer_sim(d).jobs)

    def printer_event(state):
        return [
            e
            for e in events(hall_server, since)
            if e["type"] == "device.state" and e["data"]["device"] == "kiosk-t1.printer" and e["data"]["state"] == state
        ]

    d.wait(lambda: printer_event("paper_out"), 10, "a device.state event for the printer")
    assert printer_event("paper_out")[0]["data"]["kind"] == "printer"

    d.tap("ticket_done")
    d.wait_screen("home")
    assert d.has("printer_banner")
    # The paper is refilled while a visitor is touching the screen: the kiosk notices by itself, but
    # the banner stays while they touch (taking it away would move the tiles under their finger)
    # and goes once they are still.
    printer_sim(d).state = "ok"
    deadline = time.monotonic() + 10
    touches_after = 5
    while touches_after:
        d.tap("clock")
        d.pump(0.3)
        assert d.has("printer_banner")
        assert time.monotonic() < deadline, "the kiosk did not notice the printer back"
        if d.app.kiosk.printer_ok:
            touches_after -= 1
    d.wait(lambda: not d.has("printer_banner"), 5, "the banner gone once nobody touches the screen")
    d.wait(lambda: printer_event("ok"), 10, "the printer back to ok")


# -- the server going away ------------------------------------------------------------------------------
def test_server_outage_shows_maintenance_and_issuing_resumes_without_restart(make_kiosk, evening_server):
    srv = evening_server
    d = make_kiosk(srv, refresh_seconds=1, retry_max_seconds=0.5)
    start(d)
    take_from_department(d, "scjg", "biz-setup")
    since = last_seq(srv)
    srv.stop()
    d.tap("confirm_go")  # the tap the outage cuts off
    d.wait_screen("maintenance", 15)
    assert d.text("maintenance_title") == "系统维护中"
    d.wait(lambda: d.has("maintenance_pending"), 5, "the note that the cut-off request will be finished")
    d.wait(lambda: "正在重新连接" in d.text("maintenance_retry"), 5)
    d.shot("maintenance")
    d.pump(1.5)  # the kiosk keeps retrying, and nothing breaks
    assert d.screen == "maintenance"

    srv.start(SERVER_START_SECONDS)  # same port, same database
    d.wait_screen("ticket", 20)  # the cut-off tap is finished: one ticket
    d.wait(lambda: "请取走号票" in d.text("print_state"), 10)
    issued = [e for e in events(srv, since) if e["type"] == "ticket.issued"]
    assert [e["data"]["number"] for e in issued] == [shown_ticket(d)["number"]]

    d.tap("ticket_done")
    d.wait_screen("home")
    take_from_department(d, "scjg", "biz-change")
    ticket = confirm_and_wait_printed(d)
    assert server_ticket(srv, ticket["token"])["services"] == ["biz-change"]

    d.tap("ticket_done")
    d.wait_screen("home")
    srv.stop()  # nobody at the kiosk: the periodic refresh finds out
    d.wait_screen("maintenance", 15)
    srv.start(SERVER_START_SECONDS)
    d.wait(lambda: d.screen in ("home", "attract"), 20, "the kiosk back in service")


# -- guides, search, status, appointments -----------------------------------------------------------------
def test_search_by_pinyin_initials_then_the_guide_and_its_printed_checklist(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    # The hint's example comes from the hall's own keywords, and finds what it says.
    initials, word = d.app.catalog.search_example()
    assert d.text("search_box") == f"搜索事项：输入名称或拼音首字母，如 {initials} 查{word}"
    d.tap("search_box")
    d.wait_screen("search")
    for key in initials.upper():
        d.tap(f"key:{key}")
    first = next(w for w in d.find_all("svc:", prefix=True) if w.kid.count(":") == 1).kid.split(":")[1]
    assert word in d.app.catalog.service(first)["keywords"]
    for _ in initials:
        d.key(8)
    for key in "BDC":
        d.tap(f"key:{key}")
    assert d.text("search_query") == "bdc|"
    results = {w.kid.split(":")[1] for w in d.find_all("svc:", prefix=True) if w.kid.count(":") == 1}
    assert results == {"property-transfer", "property-mortgage", "property-query", "tax-property"}
    d.shot("search-bdc")
    d.tap("svc:property-transfer:guide")
    d.wait_screen("guide")
    d.wait(lambda: d.has("guide_materials"), 5)
    guide = httpx.get(f"{hall_server.url}/api/halls/demo/services/property-transfer/guide").json()
    # the five public things, the materials, where
    assert all(
        d.has(kid) for kid in ("guide_basis", "guide_steps", "guide_g_conditions", "guide_time_limit", "guide_fees")
    )
    assert d.shows(guide["basis"][0]) and d.shows(guide["fees"])
    assert d.shows("一楼A区 1、2、3 号窗口")
    assert d.text("material:1").startswith("1. " + guide["materials"][0]["name"])
    d.shot("guide")
    jobs_before = len(printer_sim(d).jobs)
    d.tap("guide_print")
    d.wait(lambda: d.has("print_state") and "材料清单已打印" in d.text("print_state"), 10)
    assert len(printer_sim(d).jobs) == jobs_before + 1
    paper = squash(printer_sim(d).jobs[-1].paper.text)
    assert "不动产转移登记（二手房过户）" in paper and "所需材料清单" in paper
    assert all(squash(m["name"]) in paper for m in guide["materials"])
    assert "办理地点" in paper


def test_a_matter_whose_guide_is_not_written_says_where_to_ask(make_kiosk, tmp_path):
    """Guides are optional in the hall file: the kiosk shows where to ask, not empty boxes."""
    srv = start_server(tmp_path)
    try:
        demo = read_hall(DEMO)
        unwritten = [s.model_copy(update={"guide": Guide()}) if s.code == "biz-cancel" else s for s in demo.services]
        store = Store(make_engine(srv.db_url))
        load_hall(store, demo.model_copy(update={"services": unwritten}))
        store.engine.dispose()
        d = make_kiosk(srv)
        start(d)
        d.tap("dept:scjg")
        d.wait_screen("services")
        d.tap("svc:biz-cancel:guide")
        d.wait_screen("guide")
        d.wait(lambda: d.has("guide_empty"), 5, "the guide to load")
        assert d.shows("本事项的办事指南请到窗口咨询")
        assert not any(d.has(kid) for kid in ("guide_materials", "guide_steps", "guide_basis", "guide_fees"))
        # The guide's area went with it: the place is that of the windows serving the matter.
        assert [(w.number, w.area) for w in demo.windows if "biz-cancel" in w.services] == [
            (23, "二楼F区"),
            (24, "二楼F区"),
        ]
        assert d.shows("二楼F区 23、24 号窗口")
        assert d.find("guide_print").disabled and not d.find("guide_take").disabled
        d.shot("guide-unwritten")
        # Its ticket names that place too, on the screen and on paper (never "请到 等候叫号").
        d.tap("guide_take")
        d.wait_screen("confirm")
        ticket = confirm_and_wait_printed(d)
        assert not ticket.get("area")  # the server has no place for it
        assert d.text("ticket_area") == "请到 二楼F区 等候叫号"
        assert "办理地点：二楼F区" in squash(printer_sim(d).jobs[-1].paper.text)
    finally:
        srv.stop()


def test_a_hall_without_life_events_shows_no_empty_heading(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    assert d.shows("一件事 · 一次取号") and d.has("topic:0")
    d.app.catalog.hall["topics"] = []  # as a hall configured without any would send it
    d.app.sm.current_screen.render()
    d.pump(frames=2)
    assert not d.shows("一件事 · 一次取号") and not d.has("topic:0")
    assert d.shows("按部门选择")


def test_status_lookup_by_scanned_qr_code_and_by_number(make_kiosk, hall_server):
    # Taken at the guide's tablet: this kiosk never saw it, yet its number is looked up on the server.
    headers = {"Authorization": f"Bearer {hall_server.tokens['guide']}", "Idempotency-Key": "status-test-1"}
    r = httpx.post(f"{hall_server.url}/api/halls/demo/tickets", json={"services": ["biz-setup"]}, headers=headers)
    elsewhere = r.json()
    d = make_kiosk(hall_server)
    start(d)
    take_from_department(d, "tax", "tax-general")
    mine = confirm_and_wait_printed(d)
    d.tap("ticket_done")
    d.wait_screen("home")
    d.tap("action:status")
    d.wait_screen("status")
    for key in mine["number"]:
        d.tap(f"key:{key}")
    d.tap("status_lookup")
    d.wait(lambda: d.has("status_result"), 5)
    assert d.text("status_number") == mine["number"]

    for key in elsewhere["number"]:
        d.tap(f"key:{key}")
    d.tap("status_lookup")
    d.wait(lambda: d.has("status_result") and d.text("status_number") == elsewhere["number"], 5)
    now = server_ticket(hall_server, elsewhere["token"])
    assert d.text("status_wait").startswith(f"前面还有 {now['position']} 人")
    assert d.text("status_state") == "状态：等候中"
    d.shot("status-by-number")

    d.tap("key:clear")  # so that the answer to the scan is a fresh one
    assert not d.has("status_result")
    d.type(elsewhere["status_url"], enter=True)  # a QR scanner types the URL and Enter
    d.wait(lambda: d.has("status_result") and d.text("status_number") == elsewhere["number"], 5)
    assert d.text("status_wait").startswith(f"前面还有 {now['position']} 人")
    d.shot("status-by-qr")

    for key in "A999":  # no such number today
        d.tap(f"key:{key}")
    d.tap("status_lookup")
    d.wait(lambda: d.has("status_error"), 5)
    assert d.text("status_error") == "今天没有号码 A999，请核对号票上的号码"
    assert not d.has("status_result")


def test_appointment_check_in_with_the_booking_code(make_kiosk, hall_server):
    r = httpx.post(
        f"{hall_server.url}/api/halls/demo/appointments",
        json={"service": "biz-setup", "day": "2026-11-24", "slot": "10:00", "phone": "13800138000"},
    )
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    d = make_kiosk(hall_server)
    start(d)
    d.tap("action:appointment")
    d.wait_screen("appointment")
    for ch in code:
        d.tap(f"key:{ch}")
    assert len(code) == 12 and "".join(d.text(f"code:{i}") for i in range(12)) == code
    d.tap("appt_find")
    d.wait(lambda: d.has("appt_booking"), 5)
    assert d.text("appt_details").startswith("企业设立登记\n2026-11-24 10:00")
    d.shot("appointment")
    d.tap("appt_check_in")
    d.wait_screen("ticket")
    d.wait(lambda: "请取走号票" in d.text("print_state"), 10)
    ticket = shown_ticket(d)
    assert server_ticket(hall_server, ticket["token"])["klass"] == "appointment"
    assert d.text("ticket_klass") == "优先类别：预约"
    assert httpx.get(f"{hall_server.url}/api/halls/demo/appointments/{code}").json()["state"] == "checked_in"


def test_appointment_check_in_with_the_id_card_it_was_booked_with(make_kiosk, hall_server):
    number = "610103197209303572"  # 张建国 in the simulator's cards
    codes = {}
    for service, slot in (("biz-setup", "11:00"), ("property-transfer", "10:00")):
        r = httpx.post(
            f"{hall_server.url}/api/halls/demo/appointments",
            json={"service": service, "day": "2026-11-24", "slot": slot, "id_number": number},
        )
        assert r.status_code == 201, r.text
        codes[service] = r.json()["code"]
    d = make_kiosk(hall_server)
    start(d)
    d.tap("action:appointment")
    d.wait_screen("appointment")
    card_sim(d).place("张建国")  # placed on the check-in screen: no code typed
    d.wait(lambda: d.has(f"appt_choice:{codes['property-transfer']}"), 10, "the two bookings to choose from")
    assert "您今天有 2 个预约" in " ".join(d.texts())
    d.shot("appointment-by-card")
    d.tap(f"appt_choice:{codes['property-transfer']}")
    d.wait(lambda: d.has("appt_booking"), 5)
    assert d.text("appt_details").startswith("不动产转移登记（二手房过户）\n2026-11-24 10:00")
    d.tap("appt_check_in")
    d.wait_screen("ticket")
    d.wait(lambda: "请取走号票" in d.text("print_state"), 10)
    ticket = shown_ticket(d)
    assert server_ticket(hall_server, ticket["token"])["klass"] == "appointment"
    assert (
        httpx.get(f"{hall_server.url}/api/halls/demo/appointments/{codes['property-transfer']}").json()["state"]
        == "checked_in"
    )
    assert httpx.get(f"{hall_server.url}/api/halls/demo/appointments/{codes['biz-setup']}").json()["state"] == "booked"

    # Another visitor without a booking today is told to type the code.
    d.tap("ticket_done")
    d.wait_screen("home")
    card_sim(d).lift()
    d.pump(0.8)
    card_sim(d).place("王小明")
    d.wait(lambda: d.has("identity"), 5, "the next visitor's card")
    d.tap("action:appointment")
    d.wait_screen("appointment")
    d.wait(lambda: d.has("appt_error"), 10, "the note that this card has no booking today")
    assert d.text("appt_error") == "没有找到该身份证今天的预约，请输入预约码"


def test_sold_out_service_is_greyed_and_cannot_be_taken(make_kiosk, hall_server):
    headers = {"Authorization": f"Bearer {hall_server.tokens['kiosk']}"}
    with httpx.Client(base_url=hall_server.url, headers=headers) as client:
        remaining = client.get("/api/halls/demo/services").json()
        left = next(s for s in remaining if s["code"] == "exit-entry")["remaining_today"]
        for i in range(left):
            r = client.post(
                "/api/halls/demo/tickets",
                json={"services": ["exit-entry"], "id_card": {"id_number": id_number(i), "name": "测试"}},
            )
            assert r.status_code == 201, r.text
    d = make_kiosk(hall_server)
    start(d)
    d.tap("dept:gaj")
    d.wait_screen("services")
    assert d.text("svc:exit-entry:meta") == "今日号已取完"
    assert d.find("svc:exit-entry:take").disabled and d.find("svc:exit-entry:add").disabled
    assert not d.find("svc:exit-entry:guide").disabled  # the guide is still there to read
    assert d.text("svc:hukou:meta").startswith("等候")
    d.shot("sold-out")


def test_closed_services_are_greyed_with_their_hours(make_kiosk, evening_server):
    d = make_kiosk(evening_server)  # Wednesday evening: 政务夜办
    start(d)
    d.tap("dept:scjg")
    d.wait_screen("services")
    assert d.text("svc:biz-cancel:meta") == "现在不办理 · 今日 09:00-17:30"
    assert d.find("svc:biz-cancel:take").disabled
    assert not d.find("svc:biz-setup:take").disabled  # open in the evening until 20:30
    d.shot("closed-services")


# -- people and the unattended kiosk -------------------------------------------------------------------------
def test_large_text_and_english_with_one_tap(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    normal = d.find("action:card").font_size
    d.tap("elderly")
    assert d.find("action:card").font_size == pytest.approx(normal * 1.35, abs=1)
    assert d.text("elderly") == "标准字号"
    d.tap("language")
    assert d.find("action:card").plain == "Take a ticket with ID card"
    assert d.text("dept:gaj").startswith("District Public Security")
    assert d.layout_problems() == []
    d.shot("large-english-home")
    d.tap("language")
    d.tap("elderly")
    assert d.find("action:card").font_size == normal


def test_an_english_visitors_ticket_is_in_english_with_the_chinese_the_clerk_needs(make_kiosk, hall_server):
    d = make_kiosk(hall_server)
    start(d)
    d.tap("language")
    take_from_department(d, "scjg", "food-license")
    ticket = confirm_and_wait_printed_en(d)
    assert d.text("ticket_area") == "Please wait at Floor 2 (二楼F区)"
    assert d.shows("Food Business Licence")
    paper = printer_sim(d).jobs[-1].paper.text
    assert ticket["number"] in paper and "people ahead of you" in paper
    assert "FoodBusinessLicence(食品经营许可)" in squash(paper)  # the clerk reads the Chinese
    assert "Waitat:Floor2(二楼F区)" in squash(paper) and "前面还有" not in paper


def confirm_and_wait_printed_en(d) -> dict:
    d.tap("confirm_go")
    d.wait_screen("ticket")
    d.wait(lambda: d.app.sm.get_screen("ticket").printed is not None, 10, "the ticket to be printed")
    assert d.app.sm.get_screen("ticket").printed.printed
    return shown_ticket(d)


def test_idle_kiosk_returns_to_the_attract_screen_and_forgets_the_visitor(make_kiosk, hall_server):
    d = make_kiosk(hall_server, idle_seconds=8, idle_warning_seconds=0)  # 8: taps on a loaded machine are slow
    start(d)
    card_sim(d).place("欧阳诗琪")
    d.wait(lambda: d.has("identity"), 5)
    d.tap("dept:mzj")
    d.wait_screen("services")
    d.tap("svc:marriage:add")
    d.tap("language")
    d.wait_screen("attract", 20)
    assert time.monotonic() - d.app.last_activity >= 8  # not before the idle time has passed
    session = d.app.session
    assert (len(session.basket), session.identity, d.app.lang, d.app.scale) == (0, None, "zh", 1.0)
    assert d.shows("请点击屏幕开始")
    d.shot("idle-attract")


def test_a_kiosk_started_soon_after_the_machine_starts_opens_on_the_attract_screen(make_kiosk, hall_server):
    """time.monotonic() counts from boot: on a machine up for less than idle_seconds, a kiosk that
    took "never touched" for a touch at 0 would open on the home screen, as if someone had just
    touched it (it did, on freshly started test machines)."""
    d = make_kiosk(hall_server, idle_seconds=time.monotonic() + 3600)
    assert d.screen == "attract"
    d.pump(1.5)  # and stays there: nobody is at it
    assert d.screen == "attract"


def test_a_day_of_visitors_leaves_no_widgets_behind(make_kiosk, hall_server):
    """Screens are rebuilt on every visit; a kiosk running for weeks must not pile them up."""
    import gc

    from kivy.uix.widget import Widget

    def live_widgets() -> int:
        d.pump(1.0)  # touches and scheduled events of the last taps let go of their widgets
        gc.collect()
        return sum(1 for o in gc.get_objects() if issubclass(type(o), Widget))

    d = make_kiosk(hall_server)

    def round_trip():
        start(d)
        d.tap("dept:bdc")
        d.wait_screen("services")
        d.tap("svc:property-query:guide")
        d.wait_screen("guide")
        d.wait(lambda: d.has("guide_materials"), 5)
        d.tap("back")
        d.wait_screen("services")
        d.tap("svc:property-query:add")
        d.tap("basket_go")
        d.wait_screen("confirm")
        d.tap("confirm_back")
        d.wait_screen("services")
        d.tap("home")
        d.wait_screen("home")
        d.app.reset_session()
        d.app.go("attract")
        d.pump(frames=2)

    round_trip()
    before = live_widgets()
    for _ in range(2):
        round_trip()
    after = live_widgets()
    assert after <= before + 5, f"{after - before} more widgets alive after two more visitors"


def test_there_is_no_way_out_without_the_admin_pin(make_kiosk, hall_server):
    from kivy.core.window import Window

    d = make_kiosk(hall_server)
    start(d)
    assert d.key(27) and d.screen == "home"  # Escape is swallowed
    assert Window.dispatch("on_request_close") is True  # closing the window is refused
    for _ in range(5):
        d.tap("hall_name")
    d.wait_screen("admin")
    for key in "1111":
        d.tap(f"key:{key}")
    d.tap("admin_ok")
    assert d.text("admin_error") == "密码错误" and not d.has("admin_exit")
    for key in PIN:
        d.tap(f"key:{key}")
    d.tap("admin_ok")
    assert d.has("admin_exit")
    assert any("printer: sim://  ok" in t for t in d.texts())
    d.shot("admin")
    stopped = []
    d.app.stop = lambda *a: stopped.append(True)  # the real stop would end the test session's event loop
    d.tap("admin_exit")
    assert stopped and d.app.exit_allowed
