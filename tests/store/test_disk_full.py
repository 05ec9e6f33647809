"""A full disk under the SQLite file (a small tmpfs filled up): issuing answers 503 `storage_full`,
never a 500 with a traceback; it is logged once, the dashboard gets an alert, and all is well again
by itself once space is freed."""

from __future__ import annotations

import errno
import os
import subprocess
import time
import uuid

import httpx
import pytest

from tests.conftest import need


@pytest.fixture
def small_disk(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(disk)], capture_output=True)
    need(mounted.returncode == 0, f"cannot mount a small tmpfs here (root needed): {mounted.stderr.decode()[:200]}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)


def fill(path) -> None:
    """Writes until the disk has not one block left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError as e:
                assert e.errno == errno.ENOSPC, e
    finally:
        os.close(fd)


def active_kinds(srv, manager) -> list[str]:
    r = httpx.get(f"{srv.url}/api/halls/demo/alerts", params={"only": "active"}, headers=manager, timeout=30)
    assert r.status_code == 200, r.text
    body = r.json()
    return [a["kind"] for a in (body["alerts"] if isinstance(body, dict) else body)]


def test_a_full_disk_is_refused_cleanly_shown_and_recovered(small_disk, server_factory):
    data = small_disk / "data"
    srv = server_factory(
        f"sqlite:///{data / 'hallq.db'}",
        settings={"HALLQ_DATA_DIR": str(data), "HALLQ_STORAGE_RESERVE_BYTES": str(2 << 20)},
    )
    kiosk = {"Authorization": f"Bearer {srv.tokens['kiosk']}"}
    manager = srv.login("manager1")
    assert (data / "hallq.db.reserve").exists()

    fill(small_disk / "filler")
    answers = []
    with httpx.Client(base_url=srv.url, timeout=30) as c:
        for _ in range(3000):  # the reserve lets the hall go on for a while, then it is full again
            r = c.post(
                "/api/halls/demo/tickets",
                json={"services": ["tax-general"]},
                headers=kiosk | {"Idempotency-Key": uuid.uuid4().hex},
            )
            answers.append((r.status_code, r.json().get("code")))
            if r.status_code == 503 and len([a for a in answers if a[0] == 503]) >= 20:
                break
    assert {a for a in answers if a[0] != 201} == {(503, "storage_full")}, set(answers)

    deadline = time.monotonic() + 60
    while "storage_full" not in active_kinds(srv, manager):
        assert time.monotonic() < deadline, "no storage_full alert on the dashboard"
        time.sleep(0.5)
    log = srv.log_path.read_text()
    assert log.count("storage full") == 1, log[-3000:]
    assert "Traceback" not in log, log[-3000:]

    (small_disk / "filler").unlink()
    deadline = time.monotonic() + 60
    while "storage_full" in active_kinds(srv, manager):
        assert time.monotonic() < deadline, "the storage_full alert did not clear after space was freed"
        time.sleep(0.5)
    r = httpx.post(f"{srv.url}/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk)
    assert r.status_code == 201, r.text
    assert (data / "hallq.db.reserve").exists()  # taken back for the next time
