"""All configuration in one typed place, read from HALLQ_* environment variables."""
from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HALLQ_", env_file=".env", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None  # default: SQLite file in data_dir
    secret: str | None = None  # HMAC key for ID numbers; default: generated once into data_dir
    public_url: str = "http://127.0.0.1:8000"  # base of the status URL printed on tickets
    token_hours: int = 12  # user sessions; device tokens do not expire
    log_level: str = "INFO"
    snapshot_after: int = 500  # a display further behind than this many events gets a snapshot
    # live event stream (websockets)
    ws_client_buffer: int = 1000  # messages queued for one client; one that falls further behind is dropped
    ws_replay_cache: int = 2000  # recent events kept in memory to replay without reading the database
    ws_heartbeat_seconds: float = 15.0  # an idle stream gets a {"type": "ping"} this often
    ws_ping_seconds: float = 20.0  # protocol ping interval and timeout: a client that stops answering is closed
    socket_send_buffer: int = 262144  # bytes the kernel holds for one connection (0: its own, up to megabytes)
    event_poll_seconds: float = 1.0  # how often the stored log is read for events no notification announced
    tts_command: str = "espeak-ng"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'hallq.db').resolve()}"

    def secret_key(self) -> bytes:
        return self.secret.encode() if self.secret else _key_file(self.data_dir.resolve())


@lru_cache
def _key_file(data_dir: Path) -> bytes:
    """Generated once and kept: a new key would make every stored ID hash unmatchable. Read once per
    process too, as requests on the event loop ask for it."""
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip().encode()


@lru_cache
def get_settings() -> Settings:
    return Settings()
