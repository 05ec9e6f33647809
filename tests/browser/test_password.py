"""Staff change their own password from the page they work on (the console here; the dashboard and
the guide tablet share the code): the session they are in goes on, the old password stops working."""

from __future__ import annotations

from tests.browser.test_console import sign_in
from tests.support import live


def test_a_clerk_changes_their_own_password_from_the_console(hall, pages):
    page = pages("/console.html?hall=demo", 1024, 768, allow=(r"status of 401",), wait_live=False)  # the wrong password
    assert not page.locator("#change-password").is_visible()  # signed out: nothing to change
    sign_in(page, "clerk2", 12)
    page.click("#change-password")
    page.wait_for_selector("#dlg-password[open]")

    def submit(current: str, new: str, again: str) -> None:
        page.fill("#pw-current", current)
        page.fill("#pw-new", new)
        page.fill("#pw-again", again)
        page.click("#pw-save")

    submit("wrong-pass-1", "fresh-pass-2", "fresh-pass-2")
    page.wait_for_function("document.querySelector('#pw-error').textContent !== ''")
    assert page.locator("#pw-error").inner_text() == "当前密码错误"
    submit(live.PASSWORD, "fresh-pass-2", "fresh-pass-3")
    assert page.locator("#pw-error").inner_text() == "两次输入的新密码不一致"
    submit(live.PASSWORD, "fresh-pass-2", "fresh-pass-2")
    page.wait_for_function("document.querySelector('#pw-done').textContent !== ''")
    assert page.locator("#pw-done").inner_text() == "密码已修改；其他设备上的登录已退出"
    page.wait_for_selector("#dlg-password", state="hidden")

    login = "/api/auth/login"
    assert hall.http.post(login, json={"username": "clerk2", "password": live.PASSWORD}).status_code == 401
    assert hall.http.post(login, json={"username": "clerk2", "password": "fresh-pass-2"}).status_code == 200
    page.reload()  # the page's own session was kept
    page.wait_for_function("document.documentElement.dataset.live === 'open'")
    assert not page.locator("#view-login").is_visible() and page.locator("#who").inner_text() != ""
    assert page.locator("#change-password").is_visible()
