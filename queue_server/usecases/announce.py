"""Which call an announcement's audio is: the server speaks only the calls it made, addressed by
the seq of their `ticket.called` / `ticket.recalled` event, never by text from the address."""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.events import CALLS, TicketRecalled
from ..domain.hall import VoiceRules
from ..errors import NotFound
from ..store.store import Store


@dataclass(frozen=True)
class Call:
    hall: str
    seq: int
    number: str
    window: int
    recall: bool
    voice: VoiceRules


def audio_url(hall: str, seq: int) -> str:
    return f"/api/halls/{hall}/announcements/{seq}.wav"


def call_of(store: Store, hall: str, seq: int) -> Call:
    with store.read(hall) as r:
        found = r.events_after(seq - 1, 1) if seq > 0 else []
        if not found or found[0].seq != seq or found[0].kind not in CALLS:
            raise NotFound("announcement_not_found", f"没有第 {seq} 号叫号事件", f"event {seq} is not a call")
        d = found[0].data
        return Call(hall, seq, d["number"], d["window"], found[0].kind is TicketRecalled, r.hall.voice)
