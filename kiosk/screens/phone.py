"""A phone number for text messages about the ticket just taken: an optional step from the ticket
screen. The number goes to the server once and comes back masked; the kiosk keeps none of it."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from ..api_client import ApiError
from .base import KioskScreen, message_panel, with_keypad
from .widgets import BLUE, BLUE_DARK, MUTED, RED, RED_LIGHT, TEXT, Keypad, Panel, Row, Scroll, Text, Tile

KEYS = ("123", "456", "789", " 0 ")
DIGITS = 11


class PhoneScreen(KioskScreen):
    NAME = "phone"

    def on_pre_enter(self, *args):
        self.entry = ""
        self.family = False
        self.error = None
        super().on_pre_enter(*args)

    def build(self):
        app = self.app
        box = BoxLayout(orientation="vertical")
        box.add_widget(self.title_row(app.t("sms_title"), back=self.to_ticket))
        scroll = Scroll(gap=20, pad=(24, 8, 24, 16))
        body = scroll.body
        body.add_widget(Text(app.t("sms_hint"), size=32, color=BLUE_DARK, kid="sms_hint"))
        field = Panel(orientation="horizontal", fixed_height=110, pad=18, border=BLUE, radius=24)
        # Grouped 3-4-4 as people read a mobile number aloud.
        shown = " ".join(p for p in (self.entry[:3], self.entry[3:7], self.entry[7:]) if p)
        field.add_widget(
            Text(
                shown or app.t("sms_input"),
                size=44 if self.entry else 30,
                color=TEXT if self.entry else MUTED,
                height=74,
                kid="sms_entry",
            )
        )
        body.add_widget(field)
        body.add_widget(
            Tile(
                app.t("sms_family_on" if self.family else "sms_family"),
                self.toggle_family,
                kind="ok" if self.family else "light",
                size=30,
                height=96,
                kid="sms_family",
            )
        )
        if self.error:
            body.add_widget(message_panel(self.error, color=RED_LIGHT, text_color=RED, kid="sms_error"))
        pad = Keypad(KEYS, self.key, key_height=96, kid="sms_keypad")
        controls = Row(height=96, gap=10)
        controls.add_widget(
            Tile("← " + app.t("delete"), self.on_backspace, kind="light", size=30, height=None, kid="key:back")
        )
        controls.add_widget(
            Tile(
                app.t("sms_submit"),
                self.submit,
                kind="primary",
                size=32,
                height=None,
                kid="sms_submit",
                enabled=len(self.entry) == DIGITS,
            )
        )
        box.add_widget(with_keypad(scroll, pad, controls, app.portrait))
        return box

    def key(self, ch: str) -> None:
        if len(self.entry) < DIGITS:
            self.entry += ch
            self.render()

    def on_backspace(self) -> None:
        self.entry = self.entry[:-1]
        self.render()

    def toggle_family(self) -> None:
        self.family = not self.family
        self.render()

    def submit(self) -> None:
        token = self.params["ticket_screen"]["ticket"]["token"]
        self.app.work(self.app.kiosk.give_phone, token, self.entry, self.family, done=self._given, fail=self._failed)

    def to_ticket(self, notify: dict | None = None) -> None:
        params = self.params["ticket_screen"]
        if notify is not None:  # the ticket now says where the messages go (masked)
            params = params | {"ticket": params["ticket"] | {"notify": notify}}
        self.app.go("ticket", _remember=False, **params)

    def _given(self, notify: dict) -> None:
        self.to_ticket(notify)

    def _failed(self, exc) -> None:
        if not isinstance(exc, ApiError):
            return  # the server is away: the maintenance screen says so
        self.error, self.entry = exc.text(self.app.lang), ""
        self.render()
