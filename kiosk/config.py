"""The kiosk's configuration: one TOML file, every field typed and checked at start-up.

    server_url = "http://127.0.0.1:8000"
    hall = "demo"
    token = "..."                # hallq device-token --hall demo --kind kiosk
    printer_url = "sim://"       # or escpos+serial:///dev/ttyUSB0?profile=58mm, escpos+tcp://10.0.0.5:9100
    id_reader_url = "sim://"     # or sam+serial:///dev/ttyUSB1, wedge://
    idle_seconds = 60
    admin_pin = "2468"

Any field can also come from the environment as HALLQ_KIOSK_<FIELD> (e.g. HALLQ_KIOSK_TOKEN), which
wins over the file, so secrets need not be written into it."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

ENV_PREFIX = "HALLQ_KIOSK_"


class ConfigError(Exception):
    """The configuration file is missing or wrong; the message says what to fix."""


class KioskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    server_url: str = "http://127.0.0.1:8000"
    hall: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,31}$")] = "demo"
    token: Annotated[str, Field(min_length=1)]
    kiosk_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_:-]{1,48}$")] = "kiosk-1"
    printer_url: str = "sim://"
    id_reader_url: str = "sim://"
    # People and screens
    idle_seconds: Annotated[float, Field(gt=0)] = 60  # no touch for this long: back to the attract screen
    idle_warning_seconds: Annotated[float, Field(ge=0)] = 15  # "还在吗？" with a countdown this long before
    ticket_seconds: Annotated[float, Field(gt=0)] = 20  # the ticket screen returns home after this
    # The visitor's card was taken off the reader and nobody touched the screen for this long: they
    # have gone, and their session ends (the next person must not inherit their identity).
    card_gone_seconds: Annotated[float, Field(gt=0)] = 15
    admin_pin: Annotated[str, Field(pattern=r"^\d{4,12}$")]
    language: Literal["zh", "en"] = "zh"
    elderly_scale: Annotated[float, Field(ge=1.0, le=2.0)] = 1.35
    # Spoken guidance: each screen's title, the button pressed, the ticket. "large": when the visitor
    # chose large text (长辈模式); "always"; "off". The voice: see kiosk/speech.py.
    speech: Literal["large", "always", "off"] = "large"
    speech_url: str = "espeak-ng://"
    # Window
    fullscreen: bool = True
    window_size: tuple[int, int] = (1080, 1920)  # when not full screen (development)
    font: Path | None = None  # a CJK font file; default: what fontconfig finds for zh-cn
    font_bold: Path | None = None
    cache_dir: Path | None = None  # where an extracted font face is kept; default ~/.cache/hallq-kiosk
    # Server and devices: timing
    request_timeout: Annotated[float, Field(gt=0)] = 5.0
    # The service list (waiting, ETA) follows the hall's event stream; this refresh is for the ETAs'
    # drift while nothing happens.
    refresh_seconds: Annotated[float, Field(gt=0)] = 60.0
    token_check_seconds: Annotated[float, Field(gt=0)] = 60.0  # the token is checked at start and this often
    retry_min_seconds: Annotated[float, Field(gt=0)] = 1.0  # back-off while the server is unreachable
    retry_max_seconds: Annotated[float, Field(gt=0)] = 30.0
    issue_retry_seconds: Annotated[float, Field(gt=0)] = 8.0  # one tap keeps retrying (same key) this long
    pending_issue_seconds: Annotated[float, Field(ge=0)] = 120.0  # then finishes it when the server is back within this
    printer_poll_seconds: Annotated[float, Field(gt=0)] = 30.0  # printer status checked while idle
    device_retry_seconds: Annotated[float, Field(gt=0)] = 10.0  # a device that failed to open is retried

    @field_validator("server_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not v.startswith(("http://", "https://")):
            raise ValueError("server_url must start with http:// or https://")
        return v.rstrip("/")

    @field_validator("window_size", mode="before")
    @classmethod
    def _size(cls, v):
        if isinstance(v, str):  # "1080x1920", as an environment variable gives it
            w, _, h = v.lower().partition("x")
            return (w, h)
        return v

    @field_validator("retry_max_seconds")
    @classmethod
    def _retry(cls, v: float, info) -> float:
        low = info.data.get("retry_min_seconds", 1.0)
        if v < low:
            raise ValueError(f"retry_max_seconds ({v}) is below retry_min_seconds ({low})")
        return v


def load_config(path: Path | str, env: Mapping[str, str] | None = None) -> KioskConfig:
    path = Path(path)
    environ = os.environ if env is None else env
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"kiosk configuration {path} does not exist (see kiosk/example.toml)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"kiosk configuration {path} is not valid TOML: {exc}") from None
    for name in KioskConfig.model_fields:
        value = environ.get(ENV_PREFIX + name.upper())
        if value is not None:
            data[name] = value
    try:
        return KioskConfig.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'file'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"kiosk configuration {path}: {problems}") from None


def dump_config(values: dict) -> str:
    """TOML text for a dict of settings (tests and the demo write configuration files with it)."""
    lines = []
    for key, value in values.items():
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = repr(value)
        elif isinstance(value, (list, tuple)):
            text = "[" + ", ".join(repr(v) if not isinstance(v, str) else _quote(v) for v in value) + "]"
        else:
            text = _quote(str(value))
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
