"""One logging setup for the server and the CLI, and the one place every line passes before it is
written: credentials are cut out of it (a token in an address's query, an Authorization header, a
websocket's bearer subprotocol, a ticket's token in /t/…, /api/tickets/…, /ws/tickets/…), so no
access-log line or message holds one, whoever wrote it (uvicorn's access log, its websocket lines)."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from zoneinfo import ZoneInfo

REDACTED = "[redacted]"
_CREDENTIALS = [
    (re.compile(r"([?&;](?:token|access_token|auth|password)=)[^&\s\"']+", re.I), r"\1" + REDACTED),
    (
        re.compile(r"(\b(?:authorization|bearer)\b[\"']?\s*[:=]?\s*[\"']?(?:bearer\s+)?)[A-Za-z0-9._~+/=-]{8,}", re.I),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(\bbearer\.)[A-Za-z0-9_-]+", re.I), r"\1" + REDACTED),
    (re.compile(r"(/(?:t|api/tickets|ws/tickets)/)[A-Za-z0-9_-]{8,64}"), r"\1" + REDACTED),
]


def redact(text: str) -> str:
    for pattern, replacement in _CREDENTIALS:
        text = pattern.sub(replacement, text)
    return text


class Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class HallTime(logging.Formatter):
    """Times in the hall's zone (the one its staff read the clock in), with the offset written out."""

    def __init__(self, fmt: str, tz: str):
        super().__init__(fmt)
        self.zone = ZoneInfo(tz)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802 - logging's name
        return datetime.fromtimestamp(record.created, self.zone).isoformat(timespec="milliseconds")


def setup_logging(
    level: str = "INFO",
    file: Path | None = None,
    max_bytes: int = 10 * 2**20,
    backups: int = 10,
    tz: str = "Asia/Shanghai",
) -> None:
    """Lines to stderr, or to `file` rotated at `max_bytes` with `backups` old files kept (a service
    manager's journal needs no file; a hall without one asks for it: HALLQ_LOG_FILE)."""
    handler: logging.Handler
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        handler = RotatingFileHandler(file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8")
    else:
        handler = logging.StreamHandler()
    handler.setFormatter(HallTime("%(asctime)s %(levelname)s %(name)s: %(message)s", tz))
    handler.addFilter(Redact())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())


def setup_from(settings) -> None:
    setup_logging(
        settings.log_level, settings.log_file, settings.log_max_bytes, settings.log_backups, settings.log_timezone
    )
