"""The hall board's voice: `GET /api/halls/{hall}/announcements.wav?text=...` (the `audio_url` of a
`ticket.called` event). Public like the board itself; the text is bounded and each one is
rendered once (see queue_server/tts.py)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from ..errors import NotFound
from ..tts import MAX_TEXT, Tts, TtsUnavailable, valid_text
from .deps import SettingsDep, StoreDep
from .errors import error_response
from .schemas import Error, HallId

router = APIRouter(prefix="/api/halls/{hall}", responses={404: {"model": Error}, 422: {"model": Error},
                                                          503: {"model": Error}})

WAV_RESPONSE = {200: {"content": {"audio/wav": {}}, "description": "mono 16-bit PCM WAV"}}


def _tts(request: Request, settings) -> Tts:
    tts = getattr(request.app.state, "tts", None)
    if tts is None:
        tts = request.app.state.tts = Tts(settings.tts_command, cache_dir=settings.data_dir / "tts")
    return tts


@router.get("/announcements.wav", response_class=Response, responses=WAV_RESPONSE)
async def announcement(hall: HallId, request: Request, store: StoreDep, settings: SettingsDep,
                       text: Annotated[str, Query(min_length=1, max_length=MAX_TEXT)]):
    """The spoken announcement of `text` (Mandarin), cached per text."""
    if not valid_text(text):
        return error_response(422, "bad_text", "播报内容无效", "text must be printable characters")
    if hall not in await run_in_threadpool(store.hall_ids):
        raise NotFound("hall_not_found", f"没有大厅 {hall}", f"no hall {hall!r}")
    tts = _tts(request, settings)
    etag = f'"{tts.key(text)[:32]}"'
    headers = {"Cache-Control": "public, max-age=86400", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    try:
        data = await run_in_threadpool(tts.wav, text)
    except TtsUnavailable as e:
        return error_response(503, "tts_unavailable", "语音合成不可用", f"speech synthesis unavailable: {e}")
    return Response(data, media_type="audio/wav", headers=headers)
