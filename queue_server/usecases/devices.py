"""Devices report their own health (a kiosk's printer out of paper) so staff see it.

A device token reports only what it is: the kinds of part its kind has (a display token, which sits
in a public screen's address, reports no printer), and only devices it reported first (a device
belongs to the token that named it). A manager may report any."""

from __future__ import annotations

from ..domain.events import DeviceStateChanged
from ..errors import Forbidden
from ..store.store import Store
from .body import Body
from .principal import Principal

PARTS = {
    "kiosk": ("kiosk", "printer", "idcard"),
    "guide": ("guide", "printer", "idcard"),
    "display": ("display",),
    "rating": ("rating",),
    "window": ("pad", "led"),
}


def report_state(store: Store, hall_id: str, who: Principal, device: str, kind: str, state: str, detail: str) -> Body:
    if not who.is_user and kind not in PARTS.get(who.kind, ()):
        raise Forbidden(
            "device_kind",
            f"此设备令牌不能报告 {kind} 的状态",
            f"a {who.kind} token reports only {', '.join(PARTS.get(who.kind, ()))}",
        )
    with store.write(hall_id) as tx:
        row = tx.device(device)
        if not who.is_user and row is not None and row.owner is not None and row.owner != who.device_id:
            raise Forbidden(
                "other_device", f"设备 {device} 属于另一个设备令牌", f"device {device} belongs to another device token"
            )
        changed = tx.set_device(device, kind, state, detail, owner=None if who.is_user else who.device_id)
        if changed:
            tx.emit(DeviceStateChanged(device=device, kind=kind, state=state, detail=detail), who.actor())
        return {"device": device, "kind": kind, "state": state, "detail": detail, "changed": changed}
