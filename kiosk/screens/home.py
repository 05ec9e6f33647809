"""Home: the four things people come for, a search box, life events ("one whole thing") and
departments, in big tiles."""

from __future__ import annotations

from kivy.core.window import Window

from ..i18n import pick
from .base import KioskScreen, message_panel, section
from .widgets import Grid, Scroll, Tile, fitted, unit


class HomeScreen(KioskScreen):
    NAME = "home"
    HOME = False
    BASKET = True

    def build(self):
        app = self.app
        cat = app.catalog
        scroll = Scroll(gap=26, pad=28)
        body = scroll.body
        if not app.kiosk.printer_ok:
            body.add_widget(message_panel(app.t("printer_banner"), kid="printer_banner"))
        cols = 2 if app.portrait else 4
        tile_width = ((Window.width / unit()) / app.scale - 56 - 18 * (cols - 1)) / cols
        actions = Grid(cols=cols, gap=22)
        actions.add_widget(
            Tile(
                app.t("card_ticket"),
                self.card_ticket,
                kind="primary",
                size=40,
                sub=app.t("card_ticket_sub"),
                min_height=190,
                kid="action:card",
                radius=22,
            )
        )
        actions.add_widget(
            Tile(
                app.t("appointment"),
                lambda: app.go("appointment"),
                kind="ok",
                size=40,
                sub=app.t("appointment_sub"),
                min_height=190,
                kid="action:appointment",
                radius=22,
            )
        )
        actions.add_widget(
            Tile(
                app.t("status"),
                lambda: app.go("status"),
                kind="warn",
                size=40,
                sub=app.t("status_sub"),
                min_height=190,
                kid="action:status",
                radius=22,
            )
        )
        actions.add_widget(
            Tile(
                app.t("guides"),
                self.guides,
                kind="secondary",
                size=40,
                sub=app.t("guides_sub"),
                min_height=190,
                kid="action:guides",
                radius=22,
            )
        )
        body.add_widget(actions)
        example = cat.search_example()
        hint = app.t("search_hint_example", initials=example[0], word=example[1]) if example else app.t("search_hint")
        search = Tile(
            hint,
            lambda: app.go("search"),
            kind="secondary",
            size=30,
            min_height=100,
            kid="search_box",
            bold=False,
            radius=30,
        )
        body.add_widget(search)

        if cat.topics:  # a hall without life events shows no empty heading
            body.add_widget(section(app.t("topics")))
            topics = Grid(cols=cols, gap=18)
            for i, topic in enumerate(cat.topics):
                sub = app.t("n_services", n=len(topic["services"]))
                name = pick(topic, app.lang)
                topics.add_widget(
                    Tile(
                        name,
                        lambda topic=topic: self.topic(topic),
                        kind="light",
                        size=fitted(name, 32, tile_width),
                        sub=sub,
                        min_height=140,
                        kid=f"topic:{i}",
                    )
                )
            body.add_widget(topics)

        body.add_widget(section(app.t("departments")))
        depts = Grid(cols=cols, gap=18)
        for dept in cat.departments:
            n = len(cat.by_department(dept["code"]))
            if not n:
                continue
            name = pick(dept, app.lang)
            depts.add_widget(
                Tile(
                    name,
                    lambda code=dept["code"]: self.department(code),
                    kind="secondary",
                    size=fitted(name, 30, tile_width),
                    sub=app.t("n_services", n=n),
                    min_height=140,
                    kid=f"dept:{dept['code']}",
                )
            )
        body.add_widget(depts)
        return scroll

    def card_ticket(self):
        self.app.go("card")

    def guides(self):
        self.app.session.guide_mode = True
        self.app.go("services", mode="all")

    def topic(self, topic: dict):
        self.app.session.basket.replace(list(topic["services"]))
        self.app.go("services", mode="topic", topic=topic)

    def department(self, code: str):
        self.app.session.guide_mode = False
        self.app.go("services", mode="department", department=code)

    def refresh(self):
        pass  # nothing on this screen shows waits

    def device_changed(self):
        shown = any(getattr(w, "kid", "") == "printer_banner" for w in self.walk(restrict=True))
        if shown != (not self.app.kiosk.printer_ok):
            self.render_when_still()
