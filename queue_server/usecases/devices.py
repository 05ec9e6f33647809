"""Kiosks report their devices' health (a printer out of paper) so staff see it."""
from __future__ import annotations

from ..store.store import Store
from .principal import Principal


def report_state(store: Store, hall_id: str, who: Principal, device: str, kind: str, state: str, detail: str) -> dict:
    with store.write(hall_id) as tx:
        changed = tx.set_device(device, kind, state, detail)
        if changed:
            tx.emit("device.state", who.actor(), {"device": device, "kind": kind, "state": state, "detail": detail})
        return {"device": device, "kind": kind, "state": state, "detail": detail, "changed": changed}
