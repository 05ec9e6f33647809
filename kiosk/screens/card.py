"""Reading the ID card: where to put it, what was read (masked name, age priority), and when a
read fails what to do about it, with a way to go on without a card where the matters allow it."""

from __future__ import annotations

from kivy.clock import Clock
from kivy.graphics import Color, Line, RoundedRectangle
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from devices import CardError

from ..devices import card_error_key
from ..i18n import pick
from .base import KioskScreen, message_panel
from .widgets import BLUE, BLUE_DARK, BLUE_LIGHT, GREEN, GREEN_LIGHT, RED, RED_LIGHT, Panel, Row, Scroll, Text, Tile, px

CONTINUE_AFTER = 1.5  # seconds the read card is shown before going on


class CardPicture(Widget):
    """A card above the reader's pad, so nobody has to read to know where the card goes."""

    def __init__(self, height: float = 420, **kw):
        from kivy.app import App

        # A picture, not text: large text mode does not enlarge it (the words below grow instead).
        scale = getattr(App.get_running_app(), "scale", 1.0)
        super().__init__(size_hint_y=None, height=px(height / scale), **kw)
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_):
        self.canvas.clear()
        w = min(self.width * 0.6, px(520))
        h = min(w * 0.63, (self.height - px(120)) / 0.85)
        x = self.center_x - w / 2
        with self.canvas:
            Color(*BLUE_LIGHT)
            RoundedRectangle(pos=(x - px(40), self.y), size=(w + px(80), px(70)), radius=[px(14)])
            Color(*BLUE)
            RoundedRectangle(pos=(x, self.y + px(110)), size=(w, h * 0.85), radius=[px(22)])
            Color(1, 1, 1, 0.9)
            RoundedRectangle(pos=(x + w * 0.07, self.y + px(110) + h * 0.2), size=(w * 0.25, h * 0.45), radius=[px(8)])
            for i in range(3):
                Line(
                    points=[
                        x + w * 0.4,
                        self.y + px(110) + h * (0.6 - i * 0.15),
                        x + w * 0.9,
                        self.y + px(110) + h * (0.6 - i * 0.15),
                    ],
                    width=px(4),
                )
            Color(*BLUE_DARK)
            Line(points=[self.center_x, self.y + px(100), self.center_x, self.y + px(78)], width=px(5))
            Line(
                points=[
                    self.center_x - px(16),
                    self.y + px(92),
                    self.center_x,
                    self.y + px(76),
                    self.center_x + px(16),
                    self.y + px(92),
                ],
                width=px(5),
            )


class CardScreen(KioskScreen):
    NAME = "card"

    def on_pre_enter(self, *args):
        self.identity = None
        self.error = self.params.get("error")
        if self.app.session.identity is not None and not self.error:
            self.identity = self.app.session.identity
        elif self.reader_down():
            self.error = "reader_down"  # say so at once rather than wait for a card that cannot be read
        super().on_pre_enter(*args)

    def reader_down(self) -> bool:
        devices = self.app.kiosk.devices
        return devices.reader is None or devices.reader_state == "unreachable"

    def device_changed(self):
        if self.identity is None and self.error in (None, "reader_down"):
            error = "reader_down" if self.reader_down() else None
            if error != self.error:
                self.error = error
                self.render()

    def on_leave(self, *args):
        Clock.unschedule(self._continue)

    def build(self):
        app = self.app
        box = BoxLayout(orientation="vertical")
        box.add_widget(self.title_row(app.t("card_title"), back=self.back))
        scroll = Scroll(gap=26, pad=(40, 10, 40, 30))  # large text on a landscape screen may not fit
        body = scroll.body
        body.add_widget(CardPicture(height=420 if app.portrait else 300))
        if getattr(self, "identity", None) is not None:
            ident = self.identity
            panel = Panel(color=GREEN_LIGHT, pad=30, kid="card_ok")
            panel.add_widget(
                Text(
                    app.t("card_ok") + "：" + ident.masked,
                    size=40,
                    bold=True,
                    color=GREEN,
                    halign="center",
                    kid="card_name",
                )
            )
            age = ident.age(app.kiosk.today())
            klass = app.catalog.age_class(age)
            if klass:
                panel.add_widget(
                    Text(
                        app.t("age_priority", age=age, klass=pick(klass, app.lang)),
                        size=32,
                        color=BLUE_DARK,
                        halign="center",
                        kid="card_priority",
                    )
                )
            body.add_widget(panel)
            body.add_widget(
                Tile(app.t("card_continue"), self._continue, kind="primary", size=40, height=130, kid="card_continue")
            )
        elif getattr(self, "error", None):
            body.add_widget(message_panel(app.t(self.error), color=RED_LIGHT, text_color=RED, kid="card_error"))
            row = Row(height=130, gap=22)
            if self.error not in ("card_expired", "card_not_valid", "reader_down"):
                row.add_widget(
                    Tile(app.t("card_retry"), self.retry, kind="primary", size=36, height=None, kid="card_retry")
                )
            if self.without_card_allowed():
                row.add_widget(
                    Tile(
                        app.t("no_card_ticket"),
                        self.without_card,
                        kind="secondary",
                        size=36,
                        height=None,
                        kid="card_without",
                    )
                )
            body.add_widget(row)
            if self.without_card_allowed():
                body.add_widget(Text(app.t("card_or_without"), size=28, color=BLUE_DARK, halign="center"))
        else:
            body.add_widget(Text(app.t("card_place"), size=44, bold=True, halign="center", kid="card_prompt"))
            if self.without_card_allowed():
                body.add_widget(
                    Tile(
                        app.t("no_card_ticket"),
                        self.without_card,
                        kind="secondary",
                        size=32,
                        height=110,
                        kid="card_without",
                    )
                )
        if getattr(self, "identity", None) is None and not self.without_card_allowed():
            # A matter that needs the card, and no card: where to go, and what else the hall takes.
            body.add_widget(message_panel(app.t("no_card_help"), kid="no_card_help", size=28))
            body.add_widget(
                Tile(
                    app.t("appt_by_code"),
                    lambda: app.go("appointment"),
                    kind="secondary",
                    size=32,
                    height=110,
                    kid="card_appointment",
                )
            )
        box.add_widget(scroll)
        return box

    # -- what happens -----------------------------------------------------------------------------
    def card_read(self, identity):
        self.identity, self.error = identity, None
        self.render()
        Clock.unschedule(self._continue)
        Clock.schedule_once(self._continue, CONTINUE_AFTER)

    def card_failed(self, key: str):
        self.app.session.identity = None  # a refused card leaves nobody's identity in place
        self.identity, self.error = None, key
        self.render()

    def retry(self):
        self.error = None
        self.render()
        self.app.work(self.app.kiosk.read_card_now, done=self._read_now, fail=self._read_failed)

    def _read_now(self, identity):
        self.app.session.identity = identity
        self.card_read(identity)

    def _read_failed(self, exc):
        self.card_failed(card_error_key(exc) if isinstance(exc, CardError) else "reader_down")

    def _continue(self, *args):
        """Back to where the card was asked for (the confirmation); from home's "刷身份证取号", on
        to the matters this person can take (and their bookings): never back where they started."""
        Clock.unschedule(self._continue)
        if self.app.sm.current != self.NAME:
            return
        name, _ = self.app.previous()
        if name == "home" and self.identity is not None and not len(self.app.session.basket):
            self.app.go("services", mode="mine")
        else:
            self.app.back()

    def codes(self) -> list[str]:
        name, params = self.app.previous()
        if name == "confirm" and params.get("single"):
            return [params["single"]]
        return list(self.app.session.basket)

    def without_card_allowed(self) -> bool:
        cat = self.app.catalog
        return cat is not None and not any(cat.service(c).get("id_card_required") for c in self.codes())

    def without_card(self):
        self.app.session.identity = None
        self._continue()

    def back(self):
        self.app.back()
