"""The API reference at /docs, with Swagger UI served by the server itself: a hall network is
offline, and the page runs no inline script (the Content-Security-Policy forbids it)."""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from .pages import DISPLAYS

PAGE = DISPLAYS / "docs"
# The package's copy of Swagger UI's own files (the JS bundle and its CSS).
ASSETS = Path(fastapi_offline.__file__).parent / "static"


def install(app: FastAPI) -> None:
    """The page's own script is a file of the displays, served with them."""
    app.mount("/docs/assets", StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(PAGE / "index.html", media_type="text/html")
