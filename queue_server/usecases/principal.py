"""Who is acting: a signed-in user or a device. It becomes the `actor` of every event it causes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeAlias

# A supervisor (电子监察, the city's or county's office) oversees a set of halls, read-only.
ROLES = ("admin", "manager", "clerk", "guide", "supervisor")
# A shipper carries a township hall's event log to the city's server (`hallq ship-log`).
DEVICE_KINDS = ("kiosk", "display", "guide", "rating", "window", "shipper")
# Devices that belong to one window: a rating device (a browser rating page, a pad) rates what it
# served; a window agent (the window's pad and LED screen) also works the caller for its clerk.
WINDOW_DEVICES = ("rating", "window")

# Who caused an event, as its `actor` records it: kind and id, and what else names them.
Actor: TypeAlias = dict[str, Any]


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" or a device kind
    hall: str | None  # None: every hall (an admin without a hall)
    user_id: int | None = None
    username: str | None = None
    role: str | None = None
    name: str = ""
    staff_no: str = ""
    device_id: str | None = None  # a device token's id (the start of its hash, as `hallq tokens` lists it)
    window: int | None = None  # a window device's window
    via: Principal | None = None  # the window device a clerk acts through (the pad's call keys)
    halls: tuple[str, ...] | None = None  # a supervisor's halls (None: every hall of this server)

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    def actor(self) -> Actor:
        if self.is_user:
            # Acting through a device, the clerk stays the actor (reports count the clerk's calls)
            # and `via` names the device that pressed for them.
            who = {"kind": self.role, "id": self.username, "name": self.name}
            return who | {"via": self.via.actor()} if self.via is not None else who
        if self.kind == CITIZEN_KIND:
            return {"kind": "citizen", "id": self.device_id or "ticket"}
        if self.window is not None:
            return {"kind": "device", "id": self.kind, "window": self.window}
        return {"kind": "device", "id": self.kind}

    @property
    def sees_halls_together(self) -> bool:
        """The city's view (GET /api/city, WS /ws/city): a supervisor's, or an admin's."""
        return self.is_user and self.role in ("supervisor", "admin")

    def may_act_in(self, hall: str) -> bool:
        if self.is_user and self.role == "supervisor":
            return self.halls is None or hall in self.halls
        if self.hall is None:  # every hall: an admin's only (a clerk made without a hall, before, gets none)
            return self.is_user and self.role == "admin"
        return self.hall == hall

    def overseen(self, hall_ids: list[str]) -> list[str]:
        """Which of these halls this principal may see the figures of."""
        return [h for h in hall_ids if self.may_act_in(h)]


# The refusal of the city's view to anyone else (code, Chinese, English).
NOT_SUPERVISOR = ("not_supervisor", "仅监察账号可查看各大厅汇总", "only a supervisor sees the halls together")
SYSTEM: Actor = {"kind": "system", "id": "server"}
CITIZEN_KIND = "citizen"
CITIZEN: Actor = {"kind": "citizen", "id": "ticket"}
# A citizen taking a ticket on their own phone (usecases/phone.py): no token, no hall of their own.
PHONE = Principal(kind=CITIZEN_KIND, hall=None, device_id="phone")
