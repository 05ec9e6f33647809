"""Log lines as an operator reads them: to a rotating file when asked, with the hall's local time,
one line per request, no credential in any of them (a live server, its real log file)."""

from __future__ import annotations

import re
import time

import httpx

from tests.support import live


def test_a_log_file_with_local_times_and_no_credentials(tmp_path, sqlite_url):
    tokens = live.prepare(sqlite_url)
    srv = live.LiveServer(db_url=sqlite_url, data_dir=tmp_path)
    log = tmp_path / "logs" / "hallq.log"
    env = srv.env() | {
        "HALLQ_LOG_FILE": str(log),
        "HALLQ_LOG_LEVEL": "INFO",
        "HALLQ_LOG_MAX_BYTES": "4000",
        "HALLQ_LOG_BACKUPS": "3",
    }
    srv.env = lambda: env  # type: ignore[method-assign]
    srv.start()
    try:
        kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            ticket = c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk).json()
            for _ in range(40):  # enough lines to roll the file over
                c.get(f"/api/tickets/{ticket['token']}")
                c.get("/api/halls/demo/services", params={"token": tokens["display"]})
    finally:
        srv.stop()
    files = sorted(log.parent.glob("hallq.log*"))
    assert len(files) >= 2 and len(files) <= 4, files  # rotated, at most 3 old ones kept
    text = "".join(f.read_text(encoding="utf-8") for f in files)
    requests = [line for line in text.splitlines() if "GET /api/halls/demo/services" in line]
    assert requests, text[-2000:]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+08:00 ", requests[-1]), requests[-1]
    for secret in (tokens["kiosk"], tokens["display"], ticket["token"]):
        assert secret not in text


def test_a_clerk_changes_their_own_password_and_other_sessions_end(sqlite_url, server_factory):
    srv = server_factory(sqlite_url)
    with httpx.Client(base_url=srv.url, timeout=10) as c:
        first, second = srv.login("clerk1"), srv.login("clerk1")
        wrong = c.post("/api/auth/password", json={"current": "nope-nope", "new": "new-pass-99"}, headers=first)
        assert wrong.status_code == 401 and wrong.json()["code"] == "bad_password"
        weak = c.post("/api/auth/password", json={"current": live.PASSWORD, "new": "x"}, headers=first)
        assert weak.status_code == 422
        done = c.post("/api/auth/password", json={"current": live.PASSWORD, "new": "new-pass-99"}, headers=first)
        assert done.status_code == 204, done.text
        assert c.get("/api/auth/me", headers=first).status_code == 200  # the session that changed it stays
        ended = None
        for _ in range(150):  # other server-side caches forget a principal within seconds
            ended = c.get("/api/auth/me", headers=second).status_code
            if ended == 401:
                break
            time.sleep(0.1)
        assert ended == 401
        assert c.post("/api/auth/login", json={"username": "clerk1", "password": "new-pass-99"}).status_code == 200
        device = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
        assert (
            c.post("/api/auth/password", json={"current": "a", "new": "new-pass-99"}, headers=device).status_code == 401
        )
