"""A service guide (办事指南): the five public things — legal basis, procedure, conditions, time
limit, fees — the materials checklist, and the windows and floor; the checklist can be printed."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from ..api_client import ApiError
from ..i18n import pick
from ..session import MAX_MATTERS, BasketFull
from .base import KioskScreen, message_panel, section
from .widgets import GREEN, GREEN_LIGHT, MUTED, RED, RED_LIGHT, FootBar, Panel, Scroll, Text


class GuideScreen(KioskScreen):
    NAME = "guide"

    def on_pre_enter(self, *args):
        self.guide = None
        self.error = None
        self.print_result = None
        super().on_pre_enter(*args)
        code = self.params["code"]
        self.app.work(self.app.kiosk.guide, code, done=lambda g: self._loaded(code, g), fail=self._failed)

    def _loaded(self, code, guide):
        if self.params.get("code") == code:
            self.guide = guide
            self.render()

    def _failed(self, exc):
        if isinstance(exc, ApiError):
            self.error = exc.text(self.app.lang)
            self.render()

    def time_limit(self, g: dict) -> str:
        tl = g.get("time_limit") or {}
        kind = tl.get("kind", "instant")
        if kind == "instant":
            return self.app.t("instant")
        return self.app.t("joint" if kind == "joint" else "promised", n=tl.get("working_days", 0))

    def where(self, g: dict) -> str:
        """The guide's area, else the areas of the windows that serve the matter, and those windows."""
        served_by = self.app.catalog.windows_for(g["code"])
        area = g.get("area") or "、".join(dict.fromkeys(w["area"] for w in served_by if w.get("area")))
        windows = "、".join(str(w) for w in g.get("windows", []))
        if not windows:
            return area or self.app.t("guide_ask_window")
        return self.app.t("windows", area=area, windows=windows).strip(" ,")

    def build(self):
        app = self.app
        code = self.params["code"]
        s = app.catalog.service(code)
        box = BoxLayout(orientation="vertical")
        box.add_widget(self.title_row(app.t("guide_title"), back=self.back))
        scroll = Scroll(gap=18, pad=(24, 8, 24, 24))
        body = scroll.body
        body.add_widget(Text(pick(s, app.lang), size=44, bold=True, kid="guide_name"))
        g = self.guide
        if self.error:
            body.add_widget(message_panel(self.error, color=RED_LIGHT, text_color=RED, kid="guide_error"))
        elif g is None:
            body.add_widget(Text("…", size=40, color=MUTED, halign="center", kid="guide_loading"))
        else:
            if self.print_result is not None:
                if self.print_result.printed:
                    body.add_widget(
                        message_panel(
                            app.t("checklist_printed"), color=GREEN_LIGHT, text_color=GREEN, kid="print_state"
                        )
                    )
                else:
                    body.add_widget(message_panel(app.t("checklist_failed"), kid="print_state"))
            if g.get("summary"):
                body.add_widget(self.block("g_summary", [g["summary"]], numbered=False))
            body.add_widget(self.block("g_where", [self.where(g)], numbered=False, kid="guide_where"))
            if self.published(g):
                if g.get("materials"):
                    body.add_widget(self.materials(g))
                if g.get("conditions"):
                    body.add_widget(self.block("g_conditions", g["conditions"]))
                if g.get("steps"):
                    body.add_widget(self.block("g_steps", g["steps"], kid="guide_steps"))
                body.add_widget(
                    self.block("g_time_limit", [self.time_limit(g)], numbered=False, kid="guide_time_limit")
                )
                body.add_widget(self.block("g_fees", [g.get("fees") or "—"], numbered=False, kid="guide_fees"))
                if g.get("basis"):
                    body.add_widget(self.block("g_basis", g["basis"], numbered=False, kid="guide_basis"))
            else:
                # A hall may list a matter before its guide is written: say where to ask, not empty boxes.
                body.add_widget(message_panel(app.t("guide_ask_window"), kid="guide_empty"))
            if g.get("phone"):
                body.add_widget(self.block("g_phone", [g["phone"]], numbered=False))
        box.add_widget(scroll)

        bar = FootBar()
        avail = app.catalog.availability(code)
        bar.add(
            app.t("print_checklist"),
            self.print_checklist,
            kind="secondary",
            size=32,
            kid="guide_print",
            enabled=g is not None and bool(g.get("materials")),
        )
        in_basket = code in app.session.basket
        bar.add(
            app.t("in_basket") if in_basket else app.t("add_basket"),
            self.add,
            kind="light",
            size=32,
            kid="guide_add",
            enabled=avail.takeable or in_basket,
        )
        bar.add(
            app.t("take_ticket") if avail.takeable else avail.text(app.lang),
            lambda: app.go("confirm", single=code),
            kind="primary",
            size=34,
            kid="guide_take",
            enabled=avail.takeable,
        )
        box.add_widget(bar)
        return box

    @staticmethod
    def published(g: dict) -> bool:
        """Whether the hall has written this matter's guide (a summary alone is not one)."""
        return any(g.get(key) for key in ("materials", "conditions", "steps", "basis", "fees"))

    def block(self, title_key: str, lines: list[str], numbered: bool = True, kid: str = "") -> Panel:
        panel = Panel(pad=24, gap=8, kid=kid or f"guide_{title_key}")
        panel.add_widget(section(self.app.t(title_key)))
        for i, line in enumerate(lines, start=1):
            panel.add_widget(Text(f"{i}. {line}" if numbered and len(lines) > 1 else line, size=29))
        return panel

    def materials(self, g: dict) -> Panel:
        app = self.app
        panel = Panel(pad=24, gap=8, kid="guide_materials")
        panel.add_widget(section(app.t("g_materials")))
        for i, m in enumerate(g.get("materials", []), start=1):
            kind = app.t("original") if m.get("original") else app.t("copy")
            panel.add_widget(
                Text(
                    f"{i}. {m['name']}（{kind} {app.t('copies', n=m.get('copies', 1))}）",
                    size=30,
                    bold=True,
                    kid=f"material:{i}",
                )
            )
            if m.get("note"):
                panel.add_widget(Text("    " + m["note"], size=26, color=MUTED))
        return panel

    def print_checklist(self):
        if self.guide is None:
            return
        guide = self.guide
        self.app.show_overlay(self.app.t("printing"))

        def done(result):
            self.app.hide_overlay()
            self.print_result = result
            self.render()

        self.app.work(self.app.kiosk.print_checklist, guide, done=done, fail=lambda exc: self.app.hide_overlay())

    def add(self):
        try:
            self.app.session.basket.toggle(self.params["code"])
        except BasketFull:
            self.app.toast(self.app.t("basket_full", n=MAX_MATTERS), "warn")
        self.render()

    def back(self):
        self.app.back()
