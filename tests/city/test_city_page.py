"""The city's page in the real browser: three halls side by side, one of them (demo) on its own
server shipping its log here; the page follows the halls live through a cut link, its figures for
the shipped hall end equal to the hall's own report, a hall's name opens that hall's dashboard, and
the cross-hall report downloads."""

from __future__ import annotations

import time

import httpx
import pytest

from queue_server.halls import DEMO, read_hall
from queue_server.store.db import make_engine
from queue_server.store.store import Store
from queue_server.usecases import halls
from tests.city.test_city import add_halls
from tests.city.test_shipping import HALL, Township, city_database, report_of, start_shipper
from tests.support import chromium, live
from tests.support.csp import under_csp


@pytest.fixture(scope="module")
def browser():
    yield from chromium.launch()


def cell(page, hall: str, key: str) -> str:
    return page.locator(f"#halls tr[data-hall='{hall}'] td[data-k='{key}']").inner_text()


def until_cell(page, hall: str, key: str, value: str) -> None:
    page.wait_for_function(
        "([h, k, v]) => { const c = document.querySelector(`#halls tr[data-hall='${h}'] td[data-k='${k}']`);"
        " return c && c.textContent === v; }",
        arg=[hall, key, value],
        timeout=60000,
    )


def test_the_city_page_follows_three_halls_through_a_cut_link(browser, server_factory, sqlite_url, pg_url, tmp_path):
    township = server_factory(sqlite_url)
    city_tokens = city_database(pg_url)
    kiosks = add_halls(pg_url)
    city = server_factory(pg_url, prepare=False)
    tokens = {"township": live.device_token(sqlite_url, "shipper"), "city": city_tokens["shipper"]}
    town = Township(township)
    town.issue(3)
    shipper = start_shipper(township, city, tokens, tmp_path / "shipper.log")

    ctx = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN", accept_downloads=True)
    ctx.set_default_timeout(30000)
    page = under_csp(ctx.new_page())
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{city.url}/city.html")
        page.fill("#username", "county")
        page.fill("#password", live.PASSWORD)
        page.click("#login-btn")
        page.wait_for_selector("#halls tr[data-hall='south']")
        assert page.locator("#halls tbody tr").evaluate_all("rows => rows.map(r => r.dataset.hall)") == [
            "demo",
            "north",
            "south",
        ]
        until_cell(page, HALL, "waiting", "3")  # shipped here from the township's own server
        assert page.locator("#halls tr[data-hall='demo'] .chip.shipped").is_visible()

        r = httpx.post(
            f"{city.url}/api/halls/north/tickets",
            json={"services": ["tax-general"]},
            headers={"Authorization": f"Bearer {kiosks['north']}"},
        )
        assert r.status_code == 201, r.text
        until_cell(page, "north", "waiting", "1")  # a hall that runs here, live too

        store = Store(make_engine(pg_url))  # a hall loaded while the page is open joins it
        halls.load_hall(store, read_hall(DEMO).model_copy(update={"id": "east", "name": "东区政务服务中心"}))
        store.engine.dispose()
        r = httpx.post(
            f"{city.url}/api/halls/north/tickets",
            json={"services": ["tax-general"]},
            headers={"Authorization": f"Bearer {kiosks['north']}"},
        )
        assert r.status_code == 201, r.text
        until_cell(page, "north", "waiting", "2")
        page.wait_for_selector("#halls tr[data-hall='east']")

        shipper.kill()  # the link is cut; the township works on
        shipper.wait(10)
        town.issue(2)
        time.sleep(1)  # long enough for an update that must not come
        assert cell(page, HALL, "waiting") == "3"
        shipper = start_shipper(township, city, tokens, tmp_path / "shipper.log")
        until_cell(page, HALL, "waiting", "5")  # caught up, without reloading the page
        until_cell(page, HALL, "issued", "5")
        page.screenshot(path=str(tmp_path / "city.png"))

        county = city.login("county")
        report = report_of(township.url, town.manager)
        assert report["totals"]["issued"] == 5
        assert report_of(city.url, county) == report  # the city's figures are the hall's own

        with page.expect_download() as got:
            page.click("#report-form button[value='csv']")
        text = open(got.value.path(), encoding="utf-8-sig").read()
        assert text.splitlines()[0].startswith("类别,大厅,代码,名称")
        assert all(name in text for name in ("示范区政务服务中心", "北区政务服务中心", "南区政务服务中心"))

        href = page.locator("#halls tr[data-hall='north'] a").get_attribute("href")
        page.goto(city.url + href)  # the hall's own dashboard, with the supervisor's session
        page.wait_for_function("document.querySelector(\"#tiles [data-tile='tickets'] .tile-v\")?.textContent === '2'")
    finally:
        shipper.kill()
        shipper.wait(10)
        ctx.close()
    assert not errors, errors
