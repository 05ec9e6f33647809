"""All configuration in one typed place, read from HALLQ_* environment variables."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    # The system's environment file (deploy/hallq.env.example), then a .env beside the command;
    # variables set in the environment win over both.
    model_config = SettingsConfigDict(env_prefix="HALLQ_", env_file=("/etc/hallq/hallq.env", ".env"), extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = None  # default: SQLite file in data_dir
    # PostgreSQL connections one server process opens for requests (held, and beyond them for a
    # burst); each process also holds 3 for the live stream. See the README's sizing.
    db_pool_size: int = Field(10, ge=1, le=200)
    db_max_overflow: int = Field(5, ge=0, le=200)
    secret: str | None = None  # HMAC key for ID numbers; default: generated once into data_dir
    # A key file every server process reads (one key for all): PostgreSQL needs it or `secret`.
    secret_file: Path | None = None
    public_url: str = "http://127.0.0.1:8000"  # base of the status URL printed on tickets
    token_hours: int = 12  # user sessions; device tokens do not expire
    log_level: str = "INFO"
    log_file: Path | None = None  # lines to this file, rotated, instead of stderr
    log_max_bytes: int = 10 * 2**20  # ... a new file after this size
    log_backups: int = 10  # ... and this many old ones kept
    log_timezone: str = "Asia/Shanghai"  # the zone of the times in log lines (the hall's)
    snapshot_after: int = 500  # a display further behind than this many events gets a snapshot
    # live event stream (websockets)
    ws_client_buffer: int = 1000  # messages queued for one client; one that falls further behind is dropped
    ws_replay_cache: int = 2000  # recent events kept in memory to replay without reading the database
    ws_heartbeat_seconds: float = 15.0  # an idle stream gets a {"type": "ping"} this often
    ws_ping_seconds: float = 20.0  # protocol ping interval and timeout: a client that stops answering is closed
    socket_send_buffer: int = 262144  # bytes the kernel holds for one connection (0: its own, up to megabytes)
    event_poll_seconds: float = 1.0  # how often the stored log is read for events no notification announced
    # what one anonymous client may hold (see queue_server/api/limits.py and `hallq serve`)
    max_body_bytes: int = 256 * 1024  # a larger request body is refused (413) before it is read
    body_timeout_seconds: float = 30.0  # a body not received within this is refused (408)
    header_timeout_seconds: float = 10.0  # a connection that has not sent its request headers by then is closed
    max_connections: int = 8000  # open connections (and within the file limit); beyond: 503
    ws_followers_per_ticket: int = 8  # phones following one ticket (/ws/tickets/{token})
    storage_reserve_bytes: int = 8 * 1024 * 1024  # SQLite: disk space held back for a full disk (store/health.py)
    ws_per_address: int = 200  # websockets from one client address (a hall's devices behind a proxy share one)
    # Rate limits (api/ratelimit.py), each [burst, seconds for one more attempt], per server process.
    limit_login_account: tuple[int, float] = (5, 60.0)  # wrong passwords for one account
    limit_login_address: tuple[int, float] = (20, 15.0)  # wrong passwords from one client address
    limit_booking_lookup_address: tuple[int, float] = (30, 10.0)  # booking lookups and cancels by code
    limit_booking_address: tuple[int, float] = (10, 360.0)  # bookings made from one address
    limit_booking_person: tuple[int, float] = (3, 3600.0)  # bookings for one ID number or phone
    # Tickets on the phone: a hall's Wi-Fi puts many phones behind one address, so these are loose;
    # the per-person cap and the codes' own limits (usecases/phone.py) do the real bounding.
    limit_phone_code_address: tuple[int, float] = (30, 10.0)  # SMS codes asked for from one address
    limit_phone_ticket_address: tuple[int, float] = (60, 5.0)  # phone tickets taken from one address
    # the hall's voice (README "The hall's voice")
    tts_command: str = "espeak-ng"
    voice_piper_model: Path | None = None  # a Piper .onnx voice (its .onnx.json beside it) instead of espeak-ng
    voice_clips_dir: Path | None = None  # the hall's recorded clips; default data_dir/voice-clips
    voice_cache_bytes: int = 16 * 2**20  # the engine's clips cached on disk (data_dir/voice), all packs together
    # Text messages to citizens who give a phone number (README, "Text messages"): a GSM modem by
    # its device URL (gsm+serial:///dev/ttyUSB3, sim://), or a provider's HTTP gateway by a URL
    # template with {phone} and {text}; neither: no messages, and the kiosk asks for no number.
    sms_modem_url: str | None = None
    sms_gateway_url: str | None = None
    sms_gateway_method: str = "POST"  # POST also sends {"phone", "text"} as JSON; GET only the URL
    sms_gateway_token: str | None = None  # sent as "Authorization: Bearer …"
    sms_gateway_user: str | None = None  # ... or basic auth
    sms_gateway_password: str | None = None
    voice_memory_bytes: int = 8 * 2**20  # assembled announcements kept in memory

    def is_postgres(self) -> bool:
        return self.resolved_database_url().startswith(("postgresql", "postgres:"))

    def sqlite_file(self) -> Path | None:
        """The embedded database's file (None on PostgreSQL), absolute: a command run from another
        directory must not quietly find (or make) another database."""
        if self.database_url:
            url = self.database_url
            return Path(url.removeprefix("sqlite:///")).resolve() if url.startswith("sqlite:///") else None
        return (self.data_dir / "hallq.db").resolve()

    def database_label(self) -> str:
        """Where the data is, for messages (a PostgreSQL URL without its password)."""
        path = self.sqlite_file()
        if path is not None:
            return str(path)
        scheme, _, rest = (self.database_url or "").partition("://")
        return f"{scheme}://{rest.rpartition('@')[2]}"

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return f"sqlite:///{(self.data_dir / 'hallq.db').resolve()}"

    def resolved_voice_clips_dir(self) -> Path:
        return self.voice_clips_dir or self.data_dir / "voice-clips"

    def secret_key(self) -> bytes:
        if self.secret:
            return self.secret.encode()
        if self.secret_file:
            return _read_key(self.secret_file.resolve())
        if self.is_postgres():
            raise MissingSecret(MISSING_SECRET)
        return _key_file(self.data_dir.resolve())


MISSING_SECRET = (
    "On PostgreSQL every server process must hash ID numbers with the same key, or one person's card "
    "counts as a different person on each process (and the per-person limits break). Set HALLQ_SECRET, or "
    "HALLQ_SECRET_FILE to a key file every process reads (e.g. one made with `openssl rand -hex 32`)."
)


class MissingSecret(RuntimeError):
    """The server cannot hash ID numbers consistently: it must not start."""


@lru_cache
def _read_key(path: Path) -> bytes:
    key = path.read_text().strip()
    if len(key) < 16:
        raise MissingSecret(f"the key file {path} holds less than 16 characters")
    return key.encode()


@lru_cache
def _key_file(data_dir: Path) -> bytes:
    """Generated once and kept: a new key would make every stored ID hash unmatchable. Read once per
    process too, as requests on the event loop ask for it."""
    path = data_dir / "secret.key"
    if not path.exists():
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


@lru_cache
def get_settings() -> Settings:
    return Settings()
