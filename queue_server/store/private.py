"""The data directory holds password hashes, ID-number HMACs, every ticket's token and the secret
key: only the server's own user may read it."""

from __future__ import annotations

import os
from pathlib import Path

from .db import normalise_url


def keep_private(data_dir: Path, database_url: str) -> None:
    """From here on the process creates files 0600 and directories 0700 (the database, its WAL, the
    key, the speech cache, exports), and what an earlier version left readable is closed."""
    os.umask(0o077)
    data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = [data_dir, *data_dir.rglob("*")]
    url = normalise_url(database_url)
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        db = Path(url.removeprefix("sqlite:///"))
        paths += [db.with_name(db.name + suffix) for suffix in ("", "-wal", "-shm")]
    for path in paths:
        try:
            if path.is_symlink() or not path.exists() or path.stat().st_uid != os.getuid():
                continue
            path.chmod(0o700 if path.is_dir() else 0o600)
        except OSError:
            continue  # vanished meanwhile (a WAL checkpointed away)
