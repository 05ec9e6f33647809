"""The real Chromium, headless, through Playwright: one browser per test module."""

from __future__ import annotations

import os
from collections.abc import Iterator

from tests.conftest import need

CHROMIUM = os.environ.get("HALLQ_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def launch() -> Iterator:
    """A pytest fixture body: yields a launched browser, skips (fails under CI) without one."""
    need(os.path.exists(CHROMIUM), f"Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        need(False, "playwright (Python) is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield b
        finally:
            b.close()
