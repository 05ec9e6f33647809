"""What the hall offers, as the kiosk shows it: departments, life-event topics, services with their
availability and waits, priority rules. Built from the server's answers; no window needed."""

from __future__ import annotations

from dataclasses import dataclass

from .i18n import pick, t
from .search import ServiceIndex, has_cjk, spellings

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
        self._index: ServiceIndex | None = None
        self._index_key: tuple | None = None
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

    def search_example(self) -> tuple[str, str] | None:
        """(pinyin initials, the word they find) for the search hint, from this hall's own
        keywords: the first short keyword whose initials really find its matter first."""
        index = self.index
        if getattr(self, "_example_of", None) is not index:
            self._example_of, self._example = index, self._find_example()
        return self._example

    def _find_example(self) -> tuple[str, str] | None:
        for code in self.order:
            for word in self.services[code].get("keywords", []):
                if not 2 <= len(word) <= 4 or not all(has_cjk(ch) for ch in word):
                    continue
                initials = spellings(word)[0]
                if self.search(initials)[:1] == [code]:
                    return initials, word
        return None

    # -- hall -------------------------------------------------------------------------------
    def name(self, lang: str) -> str:
        return pick(self.hall, lang)

    @property
    def notice(self) -> str:
        return self.hall.get("notice") or ""

    @property
    def sms(self) -> bool:
        """Whether the hall sends text messages (a visitor may then leave a phone number)."""
        return bool(self.hall.get("sms"))

    @property
    def departments(self) -> list[dict]:
        return list(self.hall.get("departments", []))

    def department(self, code: str) -> dict:
        return next((d for d in self.departments if d["code"] == code), {"code": code, "name": code})

    @property
    def topics(self) -> list[dict]:
        """Life events whose services all exist in this hall."""
        return [tp for tp in self.hall.get("topics", []) if all(c in self.services for c in tp.get("services", []))]

    def priority_class(self, code: str) -> dict | None:
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

    def age_class(self, age: int) -> dict | None:
        """The class an ID card's age earns, as the server will apply it (the biggest boost wins)."""
        eligible = [
            c for c in self.hall.get("priority_classes", []) if c.get("min_age") is not None and age >= c["min_age"]
        ]
        return max(eligible, key=lambda c: c.get("boost_minutes", 0)) if eligible else None

    def windows_for(self, code: str) -> list[dict]:
        return [w for w in self.hall.get("windows", []) if code in w.get("services", {})]

    def waiting_place(self, ticket: dict, lang: str) -> str:
        """Where the ticket's holder waits: the ticket's area, else the areas (or floors and
        windows) of the windows that serve its first matter; "" when the hall says nothing. In
        English the hall's Chinese sign text stays beside it, as that is what the visitor will see."""
        area = ticket.get("area") or ""
        codes = ticket.get("services") or [m.get("service") for m in ticket.get("matters", [])]
        windows = self.windows_for(codes[0]) if codes else []
        floors = sorted({w["floor"] for w in windows if w.get("floor") is not None})
        if not area:
            areas = list(dict.fromkeys(w["area"] for w in windows if w.get("area")))
            if areas:
                area = "、".join(areas)
            elif windows:
                numbers = "、".join(str(w["number"]) for w in windows)
                area = "、".join(f"{f} 楼" for f in floors) + f" {numbers} 号窗口"
                area = area.strip()
        if lang != "en" or not area:
            return area
        if floors:
            return f"Floor {', '.join(str(f) for f in floors)} ({area})"
        return area
