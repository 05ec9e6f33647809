"""The hall board and the window screen follow calls live, announce them in order, and survive a
server restart."""

from __future__ import annotations

import time

HERO = "document.querySelector('#hero').dataset.number"
ID_NUMBER = "110101195001010017"


def board_url(hall, extra: str = "") -> str:
    return f"/board.html?hall=demo{extra}#token={hall.token('display')}"


def test_a_call_appears_on_the_board_and_the_window_screen_within_a_second(hall, pages):
    hall.issue("tax-general")
    hall.issue("tax-general")
    hall.act(26, "open", "clerk1")
    board = pages(board_url(hall))
    screen = pages(f"/window.html?hall=demo&window=26#token={hall.token('display')}", 800, 480)
    assert screen.locator("#w-clerk").inner_text() == "测试员1"
    assert screen.locator("#w-staff").inner_text() == "T001"
    assert board.locator("[data-service='tax-general'] .s-wait").inner_text() == "2"

    hall.act(26, "call-next", "clerk1")
    t0 = time.monotonic()
    board.wait_for_function(f"{HERO} === 'E001'", timeout=1000)
    left = max(0.05, 1.0 - (time.monotonic() - t0))
    screen.wait_for_function("document.querySelector('#w-main').dataset.ticket === 'E001'", timeout=left * 1000)
    assert time.monotonic() - t0 < 1.0

    assert board.locator("#hero-win").inner_text() == "26"
    assert board.locator("#recent li.newest").get_attribute("data-number") == "E001"
    board.wait_for_function(
        "document.querySelector(\"[data-service='tax-general'] .s-wait\").textContent === '1'", timeout=2000
    )
    assert "E001" in screen.locator("#w-ticket").inner_text()

    # the window screen follows the window: serving, then paused with the reason
    hall.act(26, "start", "clerk1")
    screen.wait_for_function("document.querySelector('#w-main').classList.contains('serving')", timeout=2000)
    hall.act(26, "finish", "clerk1", {"result": "done"})
    hall.act(26, "pause", "clerk1", {"reason": "内部会议"})
    screen.wait_for_function("document.querySelector('#w-main').dataset.state === 'paused'", timeout=2000)
    assert screen.locator(".w-paused-title").inner_text() == "暂停服务"
    assert screen.locator("#w-reason").inner_text() == "内部会议"


def test_burst_calls_are_announced_in_order_without_overlap(hall, pages):
    windows = [(26, "clerk1"), (27, "clerk2"), (21, "clerk3")]
    services = {26: "tax-general", 27: "tax-general", 21: "biz-setup"}
    for w, clerk in windows:
        hall.issue(services[w])
        hall.act(w, "open", clerk)
    board = pages(board_url(hall, "&repeat=1"))
    board.click("#voice-btn")  # the one click a browser needs before it plays sound
    board.wait_for_function("document.documentElement.dataset.voice === 'on'")

    called = [hall.act(w, "call-next", clerk)["ticket"]["number"] for w, clerk in windows]  # a burst
    board.wait_for_function(
        "window.hallq.announcer.log.filter(e => e.end !== null).length === 3 && window.hallq.announcer.pending === 0",
        timeout=60000,
    )
    log = board.evaluate("window.hallq.announcer.log")
    assert [e["number"] for e in log] == called
    assert [e["window"] for e in log] == [w for w, _ in windows]
    assert [e["seq"] for e in log] == sorted(e["seq"] for e in log)
    assert all(e["mode"] == "server" and "error" not in e for e in log), log
    for before, after in zip(log, log[1:]):
        assert after["start"] >= before["end"], "two announcements overlapped"
    for e in log:  # a chime (1.6 s) and the spoken call: a few seconds each, not a clipped blip
        assert 3000 < e["end"] - e["start"] < 20000, e
    assert board.evaluate("document.querySelector('#voice-btn').hidden")


def test_the_board_survives_a_server_restart(hall, pages):
    hall.issue("tax-general")
    hall.issue("tax-general")
    hall.act(26, "open", "clerk1")
    # While the server is down, Chromium itself reports the refused websocket connections.
    board = pages(board_url(hall), allow=(r"WebSocket connection to .* failed", r"Failed to load resource"))
    hall.act(26, "call-next", "clerk1")
    board.wait_for_function(f"{HERO} === 'E001'", timeout=2000)

    hall.kill()
    banner = board.locator(".live-banner")
    banner.wait_for(state="visible", timeout=10000)
    assert "连接中断" in banner.inner_text()
    hall.start_again()

    hall.act(26, "finish", "clerk1", {"result": "done"})
    hall.act(26, "call-next", "clerk1")
    board.wait_for_function(f"{HERO} === 'E002'", timeout=20000)
    banner.wait_for(state="hidden", timeout=5000)
    numbers = board.eval_on_selector_all("#recent li[data-number]", "els => els.map(e => e.dataset.number)")
    assert numbers[:2] == ["E002", "E001"]


def test_a_backlog_is_said_newest_first_and_brief_and_a_newer_call_at_a_window_supersedes(hall, pages):
    windows = [
        (26, "clerk1", "tax-general"),
        (27, "clerk2", "tax-general"),
        (21, "clerk3", "biz-setup"),
        (22, "clerk4", "biz-setup"),
        (1, "clerk5", "property-transfer"),
        (2, "clerk6", "property-transfer"),
    ]
    for w, clerk, service in windows:
        hall.issue(service)
        hall.act(w, "open", clerk)
    board = pages(board_url(hall))
    # Sound not allowed yet: the calls wait in the board's queue, as they would pile up in a rush.
    for w, clerk, _ in windows:
        hall.act(w, "call-next", clerk)
    hall.act(26, "recall", "clerk1")  # window 26 calls again: its first call need not be said any more
    board.wait_for_function("window.hallq.announcer.queue.length === 6")
    # The server makes its voice pack at the first announcement after it starts: done here, so the
    # timings below are the board's alone.
    assert hall.http.get(hall.events("ticket.called")[0]["data"]["audio_url"]).status_code == 200
    board.click("#voice-btn")
    board.wait_for_function(
        "window.hallq.announcer.log.filter(e => e.end !== null).length === 7 && window.hallq.announcer.pending === 0",
        timeout=90000,
    )
    log = board.evaluate("window.hallq.announcer.log")
    [superseded] = [e for e in log if e["mode"] == "superseded"]
    assert superseded["window"] == 26 and superseded["recall"] == 0
    said = [e for e in log if e["mode"] != "superseded"]
    assert len(said) == 6 and all(e["mode"] == "server" and "error" not in e for e in said), said
    assert [e["seq"] for e in said] == sorted((e["seq"] for e in said), reverse=True)  # newest first
    assert said[0]["window"] == 26 and said[0]["recall"] == 1
    assert all(e["brief"] for e in said)
    for e in said:  # the brief form: number and window, played faster: well under the full announcement
        assert 500 < e["end"] - e["start"] < 4000, e


def test_a_cleared_trial_run_leaves_the_board_and_the_window_screen(hall, pages):
    """`hallq clear-day` after a trial run: the pages drop the trial's calls and closed windows at once."""
    import subprocess
    import sys

    from tests.support.live import CLOCK

    hall.issue("tax-general")
    hall.act(26, "open", "clerk1")
    board = pages(board_url(hall))
    screen = pages(f"/window.html?hall=demo&window=26#token={hall.token('display')}", 800, 480)
    hall.act(26, "call-next", "clerk1")
    board.wait_for_function(f"{HERO} === 'E001'", timeout=5000)
    screen.wait_for_function("document.querySelector('#w-main').dataset.ticket === 'E001'", timeout=5000)

    cleared = subprocess.run(
        [sys.executable, "-m", "queue_server.cli", "clear-day", "--clock", CLOCK, "--yes"],
        env=hall.srv.env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert cleared.returncode == 0, cleared.stderr
    board.wait_for_function(f"{HERO} === ''", timeout=10000)
    assert board.locator("#recent li[data-number]").count() == 0
    assert board.locator("[data-service='tax-general'] .s-wait").inner_text() == "0"
    screen.wait_for_function("document.querySelector('#w-main').dataset.state === 'closed'", timeout=10000)
    assert not screen.evaluate("document.querySelector('#w-main').dataset.ticket")


# Every element of the board inside its box and the screen, no text cut (the notice line is a marquee).
OVERFLOW = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('.b-foot, [hidden], #setup, #voice-btn, script, style')) continue;
    const r = e.getBoundingClientRect();
    if (!r.width && !r.height) continue;
    const name = `${e.tagName}.${e.className}[${e.textContent.trim().slice(0, 30)}]`;
    if (e.scrollWidth > e.clientWidth + 1) out.push(`${name} is ${e.scrollWidth - e.clientWidth}px too wide`);
    if (getComputedStyle(e).overflowY !== 'visible' && e.scrollHeight > e.clientHeight + 1) {
      out.push(`${name} is cut below: ${e.scrollHeight} > ${e.clientHeight}`);
    }
    if (r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5) out.push(`${name} leaves the screen`);
    const box = e.parentElement.getBoundingClientRect();
    const out_by = Math.max(r.right - box.right, box.left - r.left, r.bottom - box.bottom, box.top - r.top);
    if ((e.parentElement.tagName === 'LI' || getComputedStyle(e.parentElement).overflow !== 'visible') && out_by > 1) {
      out.push(`${name} sticks out of its box by ${Math.round(out_by)}px`);
    }
  }
  return out;
}"""


def _fits(page, label: str) -> None:
    problems = page.evaluate(OVERFLOW)
    assert problems == [], f"{label}: {problems}"


def _page_shown(page, dots: str) -> int:
    """Which page of a paged list is on screen (-1: the list fits on one)."""
    return page.evaluate(f"[...document.querySelectorAll('{dots} i')].findIndex(i => i.classList.contains('on'))")


def test_the_longest_names_and_a_three_hour_wait_fit_both_modes_in_both_languages(hall, pages, screenshots_dir):
    hall.act(14, "open", "clerk1")  # the one window of 住房公积金个人住房贷款 (30 min a matter)
    for _ in range(7):
        hall.issue("gjj-loan")
    hall.act(14, "call-next", "clerk1")
    hall.act(15, "open", "clerk2")
    hall.act(15, "pause", "clerk2", {"reason": "业务培训，10:30 恢复，急办请到 16 号窗口"})  # a clerk's long reason
    for service in ("tax-general", "exit-entry", "med-insure", "hukou", "marriage", "project-filing"):
        # the longest names, with someone waiting: on both modes' lists
        r = hall.http.post(
            "/api/halls/demo/tickets",
            json={"services": [service], "id_card": {"id_number": ID_NUMBER}},
            headers={"Authorization": f"Bearer {hall.token('kiosk')}"},
        )
        assert r.status_code == 201, r.text
    hall.act(26, "open", "clerk3")
    hall.act(26, "call-next", "clerk3")
    hall.act(26, "no-show", "clerk3")  # a 过号 among the recent calls
    snapshot = hall.http.get("/api/halls/demo/board").json()
    assert [(c["number"], c["missed"]) for c in snapshot["calls"]] == [("E001", True), ("P001", False)]
    loan = next(s for s in snapshot["services"] if s["code"] == "gjj-loan")
    assert loan["eta_seconds"] >= 3 * 3600, loan

    turning = []
    for lang in ("zh", "en"):
        for mode in ("", "&mode=windows"):
            page = pages(board_url(hall, f"&voice=off&lang={lang}{mode}"))
            label = f"{lang} {mode or 'calls'}"
            if mode:
                page.wait_for_selector("#windows li[data-window='14'][data-ticket='P001']")
                assert page.locator("#next [data-service='gjj-loan'] .n-nums").inner_text().split() == [
                    "P002",
                    "P003",
                    "P004",
                ]
            else:
                eta = page.locator("[data-service='gjj-loan'] .s-eta").inner_text()
                assert eta.startswith("约 3 小时" if lang == "zh" else "~3 h"), eta
            page.screenshot(path=str(screenshots_dir / f"board-{lang}-{mode[6:] or 'calls'}.png"))
            dots = "#next-pages" if mode else "#svc-pages"
            _fits(page, label)
            if _page_shown(page, dots) >= 0:
                turning.append((page, label, dots, _page_shown(page, dots)))
    assert turning, "the 20 demo services take two pages of the calls board"
    for page, label, dots, shown in turning:  # the boards turn their pages together, every 10 s
        page.wait_for_function(
            f"[...document.querySelectorAll('{dots} i')].findIndex(i => i.classList.contains('on')) !== {shown}",
            timeout=30000,
        )
        _fits(page, f"{label}, the other page")


def _next_up(page, service: str) -> list[str]:
    return page.eval_on_selector_all(
        f"#next [data-service='{service}'] [data-number]", "els => els.map(e => e.textContent)"
    )


def test_the_window_view_and_next_up_follow_calls_and_a_no_show_is_shown_missed(hall, pages, screenshots_dir):
    for _ in range(4):
        hall.issue("tax-general")
    hall.act(26, "open", "clerk1")
    hall.act(27, "open", "clerk2")
    windows = pages(board_url(hall, "&voice=off&mode=windows"))
    calls = pages(board_url(hall, "&voice=off"))
    tile = "#windows li[data-window='{}']"
    assert windows.locator(tile.format(26)).get_attribute("class") == "free"
    assert _next_up(windows, "tax-general") == ["E001", "E002", "E003"]
    assert windows.locator(tile.format(21)).count() == 0  # a closed window is not on the board

    hall.act(26, "call-next", "clerk1")
    windows.wait_for_selector(f"{tile.format(26)}[data-ticket='E001']", timeout=5000)
    assert "flash" in windows.locator(tile.format(26)).get_attribute("class")
    assert "正在呼叫" in windows.locator(tile.format(26)).inner_text()
    windows.wait_for_function(
        "[...document.querySelectorAll(\"#next [data-service='tax-general'] [data-number]\")].map(e => e.textContent)"
        ".join() === 'E002,E003,E004'",
        timeout=10000,
    )
    hall.act(27, "pause", "clerk2", {"reason": "内部会议"})
    windows.wait_for_selector(f"{tile.format(27)}[data-state='paused']", timeout=5000)
    assert windows.locator(f"{tile.format(27)} .w-ticket").inner_text() == "暂停"
    hall.act(26, "start", "clerk1")
    windows.wait_for_function(f"document.querySelector(\"{tile.format(26)}\").textContent.includes('办理中')")

    # A second call, then the first citizen is marked missed: 过号 on the board, and the hero moves on.
    hall.act(26, "finish", "clerk1", {"result": "done"})
    hall.act(26, "call-next", "clerk1")
    calls.wait_for_function(f"{HERO} === 'E002'", timeout=5000)
    hall.act(26, "no-show", "clerk1")
    calls.wait_for_selector("#recent li[data-number='E002'][data-missed='1']", timeout=5000)
    assert "过号" in calls.locator("#recent li[data-number='E002']").inner_text()
    assert calls.evaluate(HERO) == "E001"  # the newest call still to be answered
    calls.screenshot(path=str(screenshots_dir / "board-zh-missed.png"))
    windows.wait_for_selector(f"{tile.format(26)}[data-ticket='']", timeout=5000)
    # and so from the snapshot, for a board started now
    again = pages(board_url(hall, "&voice=off"))
    assert again.locator("#recent li[data-number='E002']").get_attribute("data-missed") == "1"
    assert again.evaluate(HERO) == "E001"
    assert hall.http.get("/api/halls/demo/board").json()["calls"][0] | {"ts": None} == {
        "number": "E002",
        "window": 26,
        "service": "tax-general",
        "text": hall.events("ticket.called")[-1]["data"]["text"],
        "ts": None,
        "seq": hall.events("ticket.called")[-1]["seq"],
        "missed": True,
    }
