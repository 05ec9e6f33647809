"""An ESC/POS printer on a pty or TCP port: answers DLE EOT as its state says, records every job."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devices.printer.status import PrinterState, encode
from devices.sim.endpoint import Simulator
from devices.sim.paper import Paper, is_cut, next_token, read_paper

STATES = ("ok", "near_end", "paper_out", "cover_open", "offline", "silent")


@dataclass(frozen=True)
class Job:
    raw: bytes
    printed: bool  # False when the printer could not print (paper out, cover open, offline)

    @property
    def paper(self) -> Paper:
        return read_paper(self.raw)


class PrinterSim(Simulator):
    def __init__(self, state: str = "ok", jobs_dir: Path | None = None):
        super().__init__()
        self.state = state
        self.jobs: list[Job] = []
        self.jobs_dir = jobs_dir
        # The state the printer falls into once the next job is cut, e.g. "paper_out" for a roll
        # that runs out on that ticket.
        self.state_after_next_job: str | None = None
        self._buffer = b""
        self._job = b""

    @property
    def state(self) -> str:
        return self._state

    @state.setter
    def state(self, value: str) -> None:
        if value not in STATES:
            raise ValueError(f"printer state {value!r}; use one of {', '.join(STATES)}")
        self._state = value

    def handle(self, data: bytes) -> bytes:
        if self.state == "silent":  # powered off or unplugged: the bytes go nowhere
            return b""
        self._buffer += data
        reply = b""
        pos = 0
        while pos < len(self._buffer):
            found = next_token(self._buffer, pos)
            if found is None:
                break
            token, pos = found
            if token.kind == "realtime":
                reply += self._answer(token.raw)
                continue
            self._job += token.raw
            if is_cut(token):
                self._finish_job()
        self._buffer = self._buffer[pos:]
        return reply

    def _answer(self, raw: bytes) -> bytes:
        if raw[1] != 0x04:
            return b""
        answers = encode(PrinterState(self.state))
        return bytes([answers[raw[2]]]) if raw[2] in answers else b""

    def _finish_job(self) -> None:
        job = Job(self._job, printed=self.state in ("ok", "near_end"))
        self._job = b""
        self.jobs.append(job)
        if self.jobs_dir is not None:
            self.jobs_dir.mkdir(parents=True, exist_ok=True)
            (self.jobs_dir / f"job-{len(self.jobs):04d}.bin").write_bytes(job.raw)
        if self.state_after_next_job is not None:
            self.state, self.state_after_next_job = self.state_after_next_job, None
