"""Backing up and restoring an embedded (SQLite) hall server while it serves.

Copying `hallq.db` with `cp` while the server runs misses whatever is still in the write-ahead log
(every ticket of the last minutes), so the backup uses SQLite's online backup API, which copies a
consistent snapshot page by page while writers carry on. The archive also holds `secret.key` when
the key lives in the data directory: without it every stored ID-number hash is unmatchable and the
per-person caps and bookings by ID card stop working after a restore.

PostgreSQL is backed up with its own tools (`pg_dump`); see the README.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

DB_NAME = "hallq.db"
KEY_NAME = "secret.key"
MANIFEST = "manifest.json"


class BackupError(RuntimeError):
    pass


@dataclass(frozen=True)
class Summary:
    halls: dict[str, int]  # hall -> last event seq
    tickets: int
    events: int

    def as_dict(self) -> dict:
        return {"halls": self.halls, "tickets": self.tickets, "events": self.events}


def _summary(conn: sqlite3.Connection) -> Summary:
    halls = dict(conn.execute("SELECT id, event_seq FROM halls ORDER BY id").fetchall())
    tickets = conn.execute("SELECT count(*) FROM tickets").fetchone()[0]
    events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    return Summary(halls, tickets, events)


def sqlite_path(database_url: str) -> Path:
    if not database_url.startswith("sqlite:///") or database_url == "sqlite:///:memory:":
        raise BackupError(
            'hallq backup copies the embedded SQLite database; for PostgreSQL use pg_dump (see the README, "Backups")'
        )
    return Path(database_url.removeprefix("sqlite:///"))


def backup(database_url: str, key_file: Path | None, out: Path) -> Summary:
    """Writes a .tar.gz of a consistent snapshot of the database (and the key file, if given)."""
    db = sqlite_path(database_url)
    if not db.exists():
        raise BackupError(f"no database at {db}")
    with tempfile.TemporaryDirectory() as tmp:
        snapshot = Path(tmp) / DB_NAME
        src = sqlite3.connect(db, timeout=30)
        dst = sqlite3.connect(snapshot)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            summary = _summary(dst)
        finally:
            dst.close()
            src.close()
        manifest = {
            "made_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": DB_NAME,
            "secret_key": KEY_NAME if key_file else None,
            **summary.as_dict(),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        partial = out.with_name(out.name + ".partial")
        # The archive holds password hashes, ID-number hashes and the key to them: owner only.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as f, tarfile.open(fileobj=f, mode="w:gz") as tar:
            tar.add(snapshot, arcname=DB_NAME)
            if key_file:
                tar.add(key_file, arcname=KEY_NAME)
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        partial.replace(out)
    return summary


def _file(tar: tarfile.TarFile, archive: Path, name: str) -> IO[bytes]:
    member = tar.extractfile(name)
    if member is None:  # a directory or device under that name: nothing to read
        raise BackupError(f"{archive} is not a hallq backup ({name} in it is not a file)")
    return member


def restore(archive: Path, data_dir: Path) -> Summary:
    """Unpacks a backup into a data directory that holds no database yet, and checks it."""
    if (data_dir / DB_NAME).exists():
        raise BackupError(f"{data_dir / DB_NAME} exists: restore into a new, empty data directory")
    try:
        tar = tarfile.open(archive, mode="r:gz")
    except (OSError, tarfile.TarError) as e:
        raise BackupError(f"cannot read {archive}: {e}") from None
    with tar:
        names = set(tar.getnames())
        if not {DB_NAME, MANIFEST} <= names:
            raise BackupError(f"{archive} is not a hallq backup (it holds {sorted(names)})")
        # Every member is checked before anything is written.
        members = {name: _file(tar, archive, name) for name in (MANIFEST, DB_NAME, KEY_NAME) if name in names}
        manifest = json.loads(members[MANIFEST].read())
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name in (DB_NAME, KEY_NAME):
            if name in members:
                target = data_dir / name
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as f:
                    shutil.copyfileobj(members[name], f, 1 << 20)
    conn = sqlite3.connect(data_dir / DB_NAME)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{archive}: the database in it is damaged")
        summary = _summary(conn)
    finally:
        conn.close()
    if summary.as_dict() != {k: manifest[k] for k in ("halls", "tickets", "events")}:
        raise BackupError(f"{archive}: the database does not match its manifest")
    return summary
