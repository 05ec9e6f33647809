"""One visitor at the kiosk: the matters chosen (the "one whole thing" basket), the ID card read,
a claimed priority. Cleared when the visitor leaves (ticket taken, idle timeout), so nothing
personal outlives them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from .catalog import Catalog
from .i18n import mask_name

MAX_MATTERS = 5  # the server's limit per ticket


class BasketFull(Exception):
    pass


class Basket:
    """Ordered service codes: the order is the order the windows will serve them in."""

    def __init__(self, codes: list[str] | None = None):
        self.codes: list[str] = []
        for code in codes or []:
            self.add(code)

    def __len__(self) -> int:
        return len(self.codes)

    def __iter__(self):
        return iter(list(self.codes))

    def __contains__(self, code: str) -> bool:
        return code in self.codes

    def add(self, code: str) -> None:
        if code in self.codes:
            return
        if len(self.codes) >= MAX_MATTERS:
            raise BasketFull(code)
        self.codes.append(code)

    def remove(self, code: str) -> None:
        if code in self.codes:
            self.codes.remove(code)

    def toggle(self, code: str) -> bool:
        """Add or remove; returns whether the code is in the basket afterwards."""
        if code in self.codes:
            self.remove(code)
            return False
        self.add(code)
        return True

    def replace(self, codes: list[str]) -> None:
        self.codes = []
        for code in codes[:MAX_MATTERS]:
            self.add(code)

    def clear(self) -> None:
        self.codes = []

    def blocked(self, catalog: Catalog) -> list[str]:
        """Codes that cannot be taken now (closed, or today's tickets gone)."""
        return [c for c in self.codes if not catalog.availability(c).takeable]

    def needs_card(self, catalog: Catalog) -> list[str]:
        return [c for c in self.codes if catalog.service(c).get("id_card_required")]


@dataclass(frozen=True)
class Identity:
    """What the kiosk keeps of an ID card, for this visitor only."""

    id_number: str
    name: str
    birth: date
    source: str = "sam"

    @property
    def masked(self) -> str:
        if self.name:
            return mask_name(self.name)
        return self.id_number[:3] + "*" * 11 + self.id_number[-4:]

    def age(self, on: date) -> int:
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))


@dataclass
class Session:
    basket: Basket = field(default_factory=Basket)
    identity: Identity | None = None
    priority: str | None = None  # a self-service priority class claimed on the confirm screen
    guide_mode: bool = False  # browsing guides rather than taking a ticket

    def reset(self) -> None:
        self.basket.clear()
        self.identity = None
        self.priority = None
        self.guide_mode = False
