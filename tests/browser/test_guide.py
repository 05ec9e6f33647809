"""The guide's tablet: a ticket with several matters and a priority class, looking a number up
and re-activating a missed one."""

from __future__ import annotations

ID_NUMBER = "110101195001010017"  # born 1950, with a valid check digit


def test_the_guide_issues_looks_up_and_reactivates(hall, pages):
    page = pages(f"/guide.html?hall=demo#token={hall.token('guide')}", 1280, 800)
    page.click("#services [data-service='hukou']")
    page.click("#services [data-service='med-insure']")
    assert page.locator("#chosen li").all_inner_texts()[0].startswith("户籍业务")
    assert page.locator("#idcard-need").is_visible()  # these matters need the ID card
    page.click("#classes [data-klass='elderly']")
    page.fill("#id-number", ID_NUMBER)
    page.fill("#id-name", "张三丰")
    page.click("#issue-btn")
    page.wait_for_selector("#dlg-issued[open]")
    number = page.locator("#issued-number").inner_text()
    assert number.startswith("Q")
    page.wait_for_function("document.querySelector('#issued-qr').naturalWidth > 0")
    page.click("#dlg-issued button[value='ok']")
    page.wait_for_function("document.querySelector(\"#waiting [data-service='hukou'] .n\").textContent === '1'")

    [issued] = hall.events("ticket.issued")
    assert issued["data"]["number"] == number and issued["data"]["services"] == ["hukou", "med-insure"]

    hall.act(15, "open", "clerk1")
    hall.act(15, "call-next", "clerk1")
    hall.act(15, "no-show", "clerk1")

    page.fill("#lookup-number", number.lower())
    page.click("#lookup-btn")
    page.wait_for_selector("#reactivate-btn")
    assert "已过号" in page.locator("#lookup-result").inner_text()
    assert "张*丰" in page.locator("#lookup-result").inner_text()  # masked, never the whole name
    page.click("#reactivate-btn")
    page.wait_for_function("document.querySelector('#lookup-result').textContent.includes('已重新排队')")
    assert hall.events("ticket.reactivated")[0]["data"]["number"] == number


def test_the_tablet_held_upright_has_touch_sized_controls_and_room_for_the_id_number(hall, pages, screenshots_dir):
    hall.issue("tax-general")
    for lang in ("zh", "en"):
        page = pages(f"/guide.html?hall=demo&lang={lang}#token={hall.token('guide')}", 800, 1280)
        page.wait_for_selector("#services [data-service='hukou']")
        page.click("#services [data-service='hukou']")  # the ID-card line shows
        page.fill("#id-number", ID_NUMBER)
        page.screenshot(path=str(screenshots_dir / f"guide-portrait-{lang}.png"), full_page=True)
        small = page.evaluate(
            """() => [...document.querySelectorAll('button, input, select')]
              .filter((e) => e.offsetParent !== null && !e.closest('dialog'))
              .map((e) => [e.id || e.dataset.service || e.dataset.klass || e.textContent.trim(), e.getBoundingClientRect()])
              .filter(([, r]) => r.height < 44 || r.right > innerWidth || r.left < 0)
              .map(([name, r]) => `${name}: ${Math.round(r.width)}x${Math.round(r.height)} at ${Math.round(r.left)}`)"""
        )
        assert small == [], f"{lang}: {small}"
        field = page.locator("#id-number")
        assert field.bounding_box()["width"] >= 300, field.bounding_box()
        assert field.evaluate("e => e.scrollWidth <= e.clientWidth"), "the 18 digits do not fit"
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
