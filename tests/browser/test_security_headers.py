"""Every answer carries the security headers; the pages still work under the Content-Security-Policy
(the other browser tests open each page and fail on any console error, a blocked resource included),
the API reference at /docs renders from the server alone, and no page can be framed."""

from __future__ import annotations

PAGES = [
    "/",
    "/index.html",
    "/board.html?hall=demo",
    "/console.html?hall=demo",
    "/dashboard.html?hall=demo",
    "/book.html?hall=demo",
    "/t/nosuchticket0000",
    "/docs",
    "/openapi.json",
    "/healthz",
    "/api/halls/demo/board",
]


def test_every_answer_has_the_security_headers(hall):
    for path in PAGES:
        r = hall.http.get(path)
        assert r.status_code in (200, 404), (path, r.status_code)
        csp = r.headers.get("content-security-policy", "")
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, (path, csp)
        assert r.headers.get("x-content-type-options") == "nosniff", path
        assert r.headers.get("x-frame-options") == "DENY", path
        assert r.headers.get("referrer-policy"), path
    # the ticket page keeps its stricter referrer policy (its address holds the ticket's secret)
    assert hall.http.get("/t/nosuchticket0000").headers["referrer-policy"] == "no-referrer"


def test_docs_render_offline_under_the_policy(hall, pages):
    page = pages("/docs", wait_live=False)
    page.wait_for_selector(".opblock", timeout=30000)  # Swagger UI drew the operations
    assert page.locator(".opblock").count() > 20
    assert "/api/halls/{hall}/tickets" in page.content()
    loaded = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert loaded and [u for u in loaded if not u.startswith(hall.url)] == []


def test_pages_cannot_be_framed(hall, pages):
    host = pages("/index.html", wait_live=False, allow=("frame-ancestors",))
    host.evaluate(
        """url => { const f = document.createElement('iframe'); f.id = 'f'; f.src = url;
                               document.body.append(f); }""",
        f"{hall.url}/console.html?hall=demo",
    )
    host.wait_for_timeout(2000)
    # A blocked frame holds the browser's error page (no document of ours); a drawn one, the console.
    drawn = host.evaluate("() => !!document.getElementById('f').contentDocument?.querySelector('body *')")
    assert not drawn
