"""The `hallq` command: the application in base.py, its commands by what they are for."""

from __future__ import annotations

from . import demo, devices, reports, setup, staff  # noqa: F401 - each module adds its commands to `app`
from .base import app

__all__ = ["app"]
