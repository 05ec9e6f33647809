"""The shape the use cases answer in: a JSON object the API sends as it is.

Its keys vary with the answer (a ticket, a window, a report row), and FastAPI serialises it
without a response model, so a precise TypedDict per answer would only restate the views."""

from __future__ import annotations

from typing import Any, TypeAlias

Body: TypeAlias = dict[str, Any]
