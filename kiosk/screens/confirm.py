"""Confirmation: the matters in the order they will be served, the ID card (or why one is
needed), a priority the visitor may claim, and one big "确认取号". A refusal from the server
(per-person cap, closed, today's tickets gone) is shown here with its reason."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from ..api_client import ApiError, IssueRequest
from ..i18n import pick
from .base import KioskScreen, message_panel, section
from .widgets import BLUE_DARK, GREY_TEXT, RED, RED_LIGHT, FootBar, Panel, Row, Scroll, Text, Tile, px


class ConfirmScreen(KioskScreen):
    NAME = "confirm"

    def codes(self) -> list[str]:
        single = self.params.get("single")
        return [single] if single else list(self.app.session.basket)

    def build(self):
        app, cat, session = self.app, self.app.catalog, self.app.session
        codes = self.codes()
        box = BoxLayout(orientation="vertical")
        box.add_widget(self.title_row(app.t("confirm_title"), back=self.back))
        scroll = Scroll(gap=22, pad=(24, 8, 24, 24))
        body = scroll.body

        items = Panel(pad=26, gap=14, kid="confirm_items")
        items.add_widget(section(app.t("confirm_items") if len(codes) > 1 else app.t("confirm_one")))
        for i, code in enumerate(codes, start=1):
            row = Row(gap=12, size_hint_y=None)
            col = BoxLayout(orientation="vertical", size_hint_y=None)
            number = f"{i}. " if len(codes) > 1 else ""
            name = Text(number + pick(cat.service(code), app.lang), size=34, bold=True, kid=f"item:{code}")
            meta_text, meta_color = self.service_meta(code)
            meta = Text(meta_text, size=26, color=meta_color, kid=f"item:{code}:meta")
            col.add_widget(name)
            col.add_widget(meta)
            col.bind(minimum_height=col.setter("height"))
            row.add_widget(col)
            if not self.params.get("single") and len(codes) > 1:
                row.add_widget(
                    Tile(
                        app.t("remove"),
                        lambda code=code: self.remove(code),
                        kind="secondary",
                        size=26,
                        height=80,
                        width=170 if app.lang == "en" else 130,
                        kid=f"item:{code}:remove",
                    )
                )
            col.bind(height=lambda w, h, row=row: setattr(row, "height", max(h, px(80))))
            items.add_widget(row)
        body.add_widget(items)

        ident = session.identity
        card = Panel(pad=26, gap=12, kid="confirm_identity")
        if ident is not None:
            card.add_widget(Text(app.t("card_read", name=ident.masked), size=32, bold=True, kid="identity_name"))
            age = ident.age(app.kiosk.today())
            klass = cat.age_class(age)
            if klass:
                card.add_widget(
                    Text(
                        app.t("age_priority", age=age, klass=pick(klass, app.lang)),
                        size=28,
                        color=BLUE_DARK,
                        kid="identity_priority",
                    )
                )
        else:
            row = Row(height=90)
            row.add_widget(Text(app.t("no_card_yet"), size=30, color=GREY_TEXT, height=80))
            row.add_widget(
                Tile(
                    app.t("swipe_card"),
                    self.swipe,
                    kind="secondary",
                    size=30,
                    height=None,
                    width=260,
                    kid="confirm_swipe",
                )
            )
            card.add_widget(row)
        body.add_widget(card)

        for code in [c for c in codes if not cat.availability(c).takeable]:
            body.add_widget(
                message_panel(
                    f"{pick(cat.service(code), app.lang)}：{cat.availability(code).text(app.lang)}",
                    kid=f"blocked:{code}",
                )
            )
        if ident is None:
            for code in [c for c in codes if cat.service(c).get("id_card_required")]:
                body.add_widget(
                    message_panel(
                        app.t("needs_card_msg", name=pick(cat.service(code), app.lang)), kid=f"needs_card:{code}"
                    )
                )

        for cls in cat.self_service_classes:
            chosen = session.priority == cls["code"]
            body.add_widget(
                Tile(
                    ("✓ " if chosen else "") + app.t("priority_option", name=pick(cls, app.lang)),
                    lambda code=cls["code"]: self.claim(code),
                    kind="ok" if chosen else "secondary",
                    size=30,
                    height=None,
                    min_height=96,
                    kid=f"priority:{cls['code']}",
                    bold=chosen,
                )
            )

        error = self.params.get("error")
        if error:
            body.add_widget(message_panel(error, color=RED_LIGHT, text_color=RED, kid="refusal"))
        box.add_widget(scroll)

        bar = FootBar(gap=22)
        bar.add(app.t("back"), self.back, kind="secondary", size=36, width=240, kid="confirm_back")
        blocked = not codes or any(not cat.availability(c).takeable for c in codes)
        if ident is None and any(cat.service(c).get("id_card_required") for c in codes):
            bar.add(app.t("card_ticket"), self.swipe, kind="primary", size=40, kid="confirm_go", enabled=not blocked)
        else:
            bar.add(app.t("confirm"), self.confirm, kind="primary", size=44, kid="confirm_go", enabled=not blocked)
        box.add_widget(bar)
        return box

    def back(self):
        self.app.back()

    def remove(self, code: str):
        self.app.session.basket.remove(code)
        self.params = dict(self.params, error=None)
        if not len(self.app.session.basket):
            self.app.go_home()
            return
        self.render()

    def swipe(self):
        self.params = dict(self.params, error=None)
        self.app.go("card")

    def claim(self, code: str):
        session = self.app.session
        session.priority = None if session.priority == code else code
        self.render()

    def confirm(self):
        app, session = self.app, self.app.session
        ident = session.identity
        request = IssueRequest(
            services=self.codes(),
            priority=session.priority,
            id_number=ident.id_number if ident else None,
            name=ident.name if ident else "",
            language=app.lang,
        )
        app.issue(request, on_refused=self.refused)

    def refused(self, error: ApiError):
        self.params = dict(self.params, error=error.text(self.app.lang))
        self.app.kiosk.refresh_soon()
        self.render()

    def refresh(self):
        pass
