"""A manager's live notice reaches the hall board's notice line at once, stays after a reload,
and can be published and cleared from the supervision dashboard."""

from __future__ import annotations

import time

from tests.support import live

NOTICE = "document.querySelector('#notice').textContent"


def board_url(hall) -> str:
    return f"/board.html?hall=demo#token={hall.token('display')}"


def put_notice(hall, text: str) -> dict:
    r = hall.http.put("/api/halls/demo/notice", json={"text": text}, headers=hall.user("manager1"))
    assert r.status_code == 200, r.text
    return r.json()


def test_a_notice_set_through_the_api_shows_on_an_open_board_and_after_a_reload(hall, pages):
    board = pages(board_url(hall))
    configured = board.evaluate(NOTICE)
    assert "政务夜办" in configured

    text = "因系统升级，不动产登记今日 14:00 起暂停受理，请改日办理。"
    put_notice(hall, text)
    t0 = time.monotonic()
    board.wait_for_function(f"{NOTICE} === {text!r}", timeout=2000)
    assert time.monotonic() - t0 < 2.0

    board.reload()
    board.wait_for_function("document.documentElement.dataset.live === 'open'")
    assert board.evaluate(NOTICE) == text

    put_notice(hall, "")
    board.wait_for_function(f"{NOTICE} === {configured!r}", timeout=2000)


def test_the_dashboard_publishes_and_clears_the_notice(hall, pages):
    board = pages(board_url(hall))
    configured = board.evaluate(NOTICE)
    dash = pages("/dashboard.html?hall=demo", 1440, 1000, wait_live=False)
    dash.fill("#username", "manager1")
    dash.fill("#password", live.PASSWORD)
    dash.click("#login-btn")
    dash.wait_for_selector("#live-dot[data-status=open]", timeout=10_000)
    assert dash.text_content("#notice-now") == configured
    assert dash.text_content("#notice-source") == "默认公告"

    text = "二楼 21 号窗口临时关闭，请到 22 号窗口办理"
    dash.fill("#notice-text", text)
    dash.click("#notice-form button[type=submit]")
    board.wait_for_function(f"{NOTICE} === {text!r}", timeout=2000)
    dash.wait_for_selector("#notice-source.live")
    assert dash.text_content("#notice-now") == text
    assert dash.input_value("#notice-text") == ""

    dash.click("#notice-clear")
    board.wait_for_function(f"{NOTICE} === {configured!r}", timeout=2000)
    dash.wait_for_selector("#notice-source.configured")
    actors = [e["actor"]["id"] for e in hall.events("hall.notice")]
    assert actors == ["manager1", "manager1"]

    dash.click("#lang")
    assert dash.text_content("#notice-source") == "Configured notice"
    assert dash.text_content("#notice-form button[type=submit]") == "Publish"


def test_a_reloaded_hall_file_reaches_an_open_board(hall, pages, tmp_path):
    """`hallq load-hall` against the running server: the open board reads the new names without a reload."""
    import subprocess
    import sys

    import yaml

    from queue_server.halls import DEMO

    board = pages(board_url(hall))
    assert board.text_content("#hall-name") == "示范区政务服务中心"
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["name"] = "示范区政务服务中心（新址）"
    changed = tmp_path / "renamed.yaml"
    changed.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    loaded = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "load-hall", str(changed)],
        env=hall.srv.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert loaded.returncode == 0, loaded.stderr
    board.wait_for_function("document.querySelector('#hall-name').textContent === '示范区政务服务中心（新址）'")
