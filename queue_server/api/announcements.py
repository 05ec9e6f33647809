"""The hall board's voice: `GET /api/halls/{hall}/announcements/{seq}.wav` (the `audio_url` of a
`ticket.called` or `ticket.recalled` event). Public like the board itself: it speaks only calls the
hall made, from the voice pack (see queue_server/tts.py), so no request adds anything to the disk."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.concurrency import run_in_threadpool

from ..tts import VoiceError
from ..usecases.announce import call_of
from .deps import StoreDep
from .errors import error_response
from .schemas import Error, HallId

router = APIRouter(
    prefix="/api/halls/{hall}", responses={404: {"model": Error}, 422: {"model": Error}, 503: {"model": Error}}
)

WAV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"audio/wav": {}}, "description": "mono 16-bit PCM WAV"}
}


class Form(StrEnum):
    full = "full"  # the chime, then the call as often as the hall's voice.repeat says
    brief = "brief"  # the number and the window once, no chime: for a board with calls piling up


@router.get("/announcements/{seq}.wav", response_class=Response, responses=WAV_RESPONSE)
async def announcement(
    hall: HallId,
    seq: Annotated[int, Path(ge=1, le=2**31 - 1)],
    request: Request,
    store: StoreDep,
    form: Form = Form.full,
):
    """The spoken announcement of the call that is event `seq` of the hall (Mandarin). The bound on
    `seq` is the events.seq column's, a 32-bit integer."""
    call = await run_in_threadpool(call_of, store, hall, seq)
    # The hall's voice settings are part of the tag: changing them re-announces with the new ones.
    etag = f'"{seq}-{form.value}-{hashlib.sha256(call.voice.model_dump_json().encode()).hexdigest()[:12]}"'
    headers = {"Cache-Control": "public, max-age=86400", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    try:
        data = await run_in_threadpool(request.app.state.voice.wav, call, form is Form.brief)
    except VoiceError as e:
        return error_response(503, "tts_unavailable", "语音合成不可用", f"speech synthesis unavailable: {e}")
    return Response(data, media_type="audio/wav", headers=headers)
