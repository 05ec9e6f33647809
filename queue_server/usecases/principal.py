"""Who is acting: a signed-in user or a device. It becomes the `actor` of every event it causes."""
from __future__ import annotations

from dataclasses import dataclass

ROLES = ("admin", "manager", "clerk", "guide")
DEVICE_KINDS = ("kiosk", "display", "guide")


@dataclass(frozen=True)
class Principal:
    kind: str  # "user" or a device kind
    hall: str | None  # None: every hall (an admin without a hall)
    user_id: int | None = None
    username: str | None = None
    role: str | None = None
    name: str = ""
    staff_no: str = ""

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    def actor(self) -> dict:
        if self.is_user:
            return {"kind": self.role, "id": self.username, "name": self.name}
        return {"kind": "device", "id": self.kind}

    def may_act_in(self, hall: str) -> bool:
        return self.hall is None or self.hall == hall


SYSTEM = {"kind": "system", "id": "server"}
CITIZEN = {"kind": "citizen", "id": "ticket"}
