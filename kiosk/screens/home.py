"""Home: the four things people come for, a search box, the hall's entry code for taking a ticket on
a phone, life events ("one whole thing") and departments, in big tiles."""

from __future__ import annotations

from kivy.core.window import Window

from ..i18n import pick
from .base import KioskScreen, message_panel, section
from .widgets import BLUE_DARK, MUTED, Grid, Panel, QrCode, Scroll, Text, Tile, fitted, unit


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
        if app.kiosk.entry is not None:
            body.add_widget(self._entry_panel(app.kiosk.entry["url"]))

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

    def _entry_panel(self, url: str) -> Panel:
        panel = Panel(pad=20, gap=22, orientation="horizontal", kid="entry")  # as tall as its words need
        panel.add_widget(QrCode(url, side=180, kid="entry_qr"))
        words = Panel(pad=0, gap=6, color=(0, 0, 0, 0))
        words.add_widget(Text(self.app.t("entry_title"), size=34, bold=True, color=BLUE_DARK))
        words.add_widget(Text(self.app.t("entry_sub"), size=26, color=MUTED))
        panel.add_widget(words)
        return panel

    def entry_changed(self) -> None:
        """A new entry code: drawn in place (the page does not move under a visitor's finger); the
        panel appearing or going changes the layout, which waits until nobody is touching."""
        entry = self.app.kiosk.entry
        qr = next((w for w in self.walk(restrict=True) if getattr(w, "kid", "") == "entry_qr"), None)
        if qr is not None and entry is not None:
            qr.show(entry["url"])
        elif (qr is None) != (entry is None):
            self.render_when_still()

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
        kids = {getattr(w, "kid", "") for w in self.walk(restrict=True)}
        banner_wrong = ("printer_banner" in kids) != (not self.app.kiosk.printer_ok)
        entry_wrong = ("entry_qr" in kids) != (self.app.kiosk.entry is not None)
        if banner_wrong or entry_wrong:
            self.render_when_still()
