"""What the hall offers, as the kiosk shows it: departments, life-event topics, services with their
availability and waits, priority rules. Built from the server's answers; no window needed."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .i18n import pick, t
from .search import ServiceIndex

OPEN, CLOSED, SOLD_OUT = "open", "closed", "sold_out"


@dataclass(frozen=True)
class Availability:
    state: str
    hours_today: str = ""

    @property
    def takeable(self) -> bool:
        return self.state == OPEN

    def text(self, lang: str) -> str:
        if self.state == SOLD_OUT:
            return t("sold_out", lang)
        if self.state == CLOSED:
            if not self.hours_today or self.hours_today in ("休息", "closed", "不办理", "-"):
                return t("closed_today", lang)
            return t("closed_hours", lang, hours=self.hours_today)
        return ""


class Catalog:
    def __init__(self, hall: dict, services: list[dict]):
        self.hall = hall
        self._index: Optional[ServiceIndex] = None
        self._index_key: Optional[tuple] = None
        self.update_services(services)

    # -- services ---------------------------------------------------------------------------
    def update_services(self, services: list[dict]) -> None:
        self.services = {s["code"]: s for s in services}
        self.order = [s["code"] for s in services]

    def service(self, code: str) -> dict:
        return self.services[code]

    def availability(self, code: str) -> Availability:
        s = self.services[code]
        if s.get("remaining_today") == 0:
            return Availability(SOLD_OUT, s.get("hours_today", ""))
        if not s.get("open", False):
            return Availability(CLOSED, s.get("hours_today", ""))
        return Availability(OPEN, s.get("hours_today", ""))

    def by_department(self, department: str) -> list[str]:
        return [c for c in self.order if self.services[c].get("department") == department]

    @property
    def index(self) -> ServiceIndex:
        key = tuple((c, self.services[c]["name"], tuple(self.services[c].get("keywords", []))) for c in self.order)
        if self._index is None or key != self._index_key:
            self._index = ServiceIndex([self.services[c] for c in self.order], self.departments)
            self._index_key = key
        return self._index

    def search(self, query: str) -> list[str]:
        return self.index.search(query)

    # -- hall -------------------------------------------------------------------------------
    def name(self, lang: str) -> str:
        return pick(self.hall, lang)

    @property
    def notice(self) -> str:
        return self.hall.get("notice") or ""

    @property
    def departments(self) -> list[dict]:
        return list(self.hall.get("departments", []))

    def department(self, code: str) -> dict:
        return next((d for d in self.departments if d["code"] == code), {"code": code, "name": code})

    @property
    def topics(self) -> list[dict]:
        """Life events whose services all exist in this hall."""
        return [tp for tp in self.hall.get("topics", []) if all(c in self.services for c in tp.get("services", []))]

    def priority_class(self, code: str) -> Optional[dict]:
        return next((c for c in self.hall.get("priority_classes", []) if c["code"] == code), None)

    def class_name(self, code: str, lang: str) -> str:
        if code == "appointment":
            return "预约" if lang == "zh" else "Appointment"
        cls = self.priority_class(code)
        return pick(cls, lang) if cls else ""

    @property
    def self_service_classes(self) -> list[dict]:
        """Priority classes a citizen may claim at the kiosk (the others need a floor guide)."""
        return [c for c in self.hall.get("priority_classes", []) if c.get("self_service")]

    def age_class(self, age: int) -> Optional[dict]:
        """The class an ID card's age earns, as the server will apply it (the biggest boost wins)."""
        eligible = [c for c in self.hall.get("priority_classes", [])
                    if c.get("min_age") is not None and age >= c["min_age"]]
        return max(eligible, key=lambda c: c.get("boost_minutes", 0)) if eligible else None

    def windows_for(self, code: str) -> list[dict]:
        return [w for w in self.hall.get("windows", []) if code in w.get("services", {})]
