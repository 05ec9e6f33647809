"""Shared test fixtures. `need()` is how a test says it needs a system part: it skips with the
reason on a developer machine and fails under CI=true, where every part must be present."""
from __future__ import annotations

import os

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"missing system part under CI=true: {reason}")
    pytest.skip(reason)
