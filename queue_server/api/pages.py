"""The files under displays/, and the pages that are not plain files there: the citizen's ticket page
at the `status_url` printed on tickets (`/t/{token}`), and QR codes rendered on the server (no
external assets)."""

from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

import displays

from .errors import error_response

router = APIRouter(include_in_schema=False)
# Found as a package, not beside this file: an installed wheel has no checkout around it.
DISPLAYS = FilePath(displays.__file__).parent
# The address holds the ticket's secret: not cached by proxies, not passed on as a referrer.
TICKET_HEADERS = {"Cache-Control": "no-cache, private", "Referrer-Policy": "no-referrer"}


class Pages(StaticFiles):
    """The files of displays/. Its Python (the package's __init__ and bytecode) is there for the
    wheel's sake and is no page."""

    def lookup_path(self, path: str) -> tuple[str, os.stat_result | None]:
        if path.endswith((".py", ".pyc")) or "__pycache__" in FilePath(path).parts:
            return "", None
        return super().lookup_path(path)


@router.get("/t/{token}")
def ticket_page(token: Annotated[str, Path(max_length=100)]) -> FileResponse:
    """The mobile ticket page; it reads the token from its own address (and says so when the
    token is unknown, rather than answering a mistyped address with JSON)."""
    return FileResponse(DISPLAYS / "ticket.html", media_type="text/html", headers=TICKET_HEADERS)


# A status link or an appointment code is well under this; a long text costs tens of milliseconds.
QR_MAX = 256


@router.get("/qr.svg")
def qr_svg(data: Annotated[str, Query(min_length=1, max_length=QR_MAX)]) -> Response:
    """A QR code of `data` as SVG (appointment codes, ticket status links)."""
    if not data.isprintable():
        return error_response(422, "bad_data", "二维码内容无效", "data must be printable characters")
    return Response(_qr(data), media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@lru_cache(maxsize=512)
def _qr(data: str) -> bytes:
    """Drawn once per text: a board or a phone asks for the same code again and again."""
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(
        data,
        image_factory=qrcode.image.svg.SvgPathFillImage,
        box_size=10,
        border=2,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
    )
    out = io.BytesIO()
    img.save(out)
    return out.getvalue()
