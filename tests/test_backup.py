"""`hallq backup` while kiosks issue tickets, `hallq restore` into a new directory: every ticket and
event committed before the backup is in it, and the ID-hash key came along (a restored server
still knows today's ID cards). Real server, real SQLite files, the CLI as an operator runs it."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
from datetime import date

import httpx
import pytest

from queue_server import backup
from queue_server.domain.identity import check_digit
from tests.support import live


def cli(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def id_card(serial: int) -> dict:
    first17 = f"510114{date(1980, 5, 1):%Y%m%d}{serial:03d}"
    return {"id_number": first17 + check_digit(first17), "name": "张三"}


def test_backup_under_load_and_restore_into_a_new_directory(tmp_path):
    data = tmp_path / "data"
    db_url = f"sqlite:///{data / 'hallq.db'}"
    tokens = live.prepare(db_url)
    srv = live.LiveServer(db_url=db_url, data_dir=data)
    # The key in the data directory, as a hall that set no HALLQ_SECRET has it.
    env = srv.env()
    env.pop("HALLQ_SECRET")
    srv.env = lambda: env  # type: ignore[method-assign]
    srv.start()
    kiosk = {"Authorization": f"Bearer {tokens['kiosk']}"}
    issued: list[dict] = []
    stop = threading.Event()

    def issue_forever():
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            while not stop.is_set():
                r = c.post("/api/halls/demo/tickets", json={"services": ["tax-general"]}, headers=kiosk)
                assert r.status_code == 201, r.text
                issued.append(r.json())

    try:
        with httpx.Client(base_url=srv.url, timeout=10) as c:
            card = c.post(
                "/api/halls/demo/tickets", json={"services": ["biz-setup"], "id_card": id_card(7)}, headers=kiosk
            )
            assert card.status_code == 201, card.text
        workers = [threading.Thread(target=issue_forever) for _ in range(3)]
        for w in workers:
            w.start()
        while len(issued) < 30:
            threading.Event().wait(0.05)
        before = len(issued)
        archive = tmp_path / "backups" / "hallq.tar.gz"
        made = cli(env, "backup", str(archive))
        after = len(issued)
        threading.Event().wait(0.3)
        stop.set()
        for w in workers:
            w.join()
    finally:
        srv.stop()
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(os.stat(archive).st_mode) == 0o600

    restored = tmp_path / "restored"
    done = cli(env, "restore", str(archive), "--data-dir", str(restored))
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(restored / "hallq.db") as conn:
        tickets = {row[0] for row in conn.execute("SELECT token FROM tickets")}
        seqs = [row[0] for row in conn.execute("SELECT seq FROM events WHERE hall = 'demo' ORDER BY seq")]
    # Everything answered before the backup began is in it; what came while it ran may be.
    assert {t["token"] for t in issued[:before]} <= tickets
    assert len(tickets) <= after + 1 + 1
    assert seqs == list(range(1, len(seqs) + 1))  # gap-free: a snapshot, not a torn copy
    assert (restored / "secret.key").read_text() == (data / "secret.key").read_text()

    again = cli(env, "restore", str(archive), "--data-dir", str(restored))
    assert again.returncode == 2 and "empty data directory" in again.stderr

    # A server on the restored directory: the tickets answer, and the ID card's hash still matches
    # (the per-person cap refuses a second ticket for the same card and service today).
    env2 = env | {"HALLQ_DATA_DIR": str(restored), "HALLQ_DATABASE_URL": f"sqlite:///{restored / 'hallq.db'}"}
    srv2 = live.LiveServer(db_url=env2["HALLQ_DATABASE_URL"], data_dir=restored)
    srv2.env = lambda: env2  # type: ignore[method-assign]
    srv2.start()
    try:
        with httpx.Client(base_url=srv2.url, timeout=10) as c:
            assert c.get(f"/api/tickets/{issued[0]['token']}").status_code == 200
            twice = c.post(
                "/api/halls/demo/tickets", json={"services": ["biz-setup"], "id_card": id_card(7)}, headers=kiosk
            )
            assert twice.status_code == 409, twice.text
    finally:
        srv2.stop()


def test_backup_of_a_postgresql_database_points_to_pg_dump(tmp_path):
    env = os.environ | {
        "HALLQ_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/none",
        "HALLQ_SECRET": "x",
        "HALLQ_DATA_DIR": str(tmp_path),
    }
    r = cli(env, "backup", str(tmp_path / "x.tar.gz"))
    assert r.returncode == 2 and "pg_dump" in r.stderr


def test_an_archive_whose_database_is_not_a_file_is_refused_before_anything_is_written(tmp_path):
    archive = tmp_path / "odd.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        manifest = json.dumps({"halls": 1, "tickets": 0, "events": 0}).encode()
        info = tarfile.TarInfo(backup.MANIFEST)
        info.size = len(manifest)
        tar.addfile(info, io.BytesIO(manifest))
        db = tarfile.TarInfo(backup.DB_NAME)
        db.type = tarfile.DIRTYPE
        tar.addfile(db)
    with pytest.raises(backup.BackupError, match="hallq.db in it is not a file"):
        backup.restore(archive, tmp_path / "data")
    assert not (tmp_path / "data").exists()
