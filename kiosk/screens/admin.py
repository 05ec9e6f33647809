"""Behind the admin PIN (five taps on the hall's name): device and server state, a test print, and
the only way to quit the kiosk program."""

from __future__ import annotations

import time

from kivy.uix.boxlayout import BoxLayout

from devices import Checklist

from ..i18n import PRINTER_STATES
from .base import KioskScreen, message_panel
from .widgets import RED, RED_LIGHT, Column, Keypad, Panel, Row, Scroll, Text, Tile, px

MAX_TRIES = 5
LOCKOUT_SECONDS = 60


class AdminScreen(KioskScreen):
    NAME = "admin"
    HOME = False

    def __init__(self, app, **kw):
        super().__init__(app, **kw)
        self.failures = 0
        self.locked_until = 0.0

    def on_pre_enter(self, *args):
        self.pin = ""
        self.unlocked = False
        self.error = None
        self.note = None
        super().on_pre_enter(*args)

    def build(self):
        app = self.app
        box = BoxLayout(orientation="vertical", padding=px(40), spacing=px(24))
        if not self.unlocked:
            box.add_widget(Text(app.t("admin_pin"), size=44, bold=True, halign="center"))
            box.add_widget(Text("●" * len(self.pin) or " ", size=60, halign="center", kid="pin_dots"))
            if self.error:
                box.add_widget(message_panel(self.error, color=RED_LIGHT, text_color=RED, kid="admin_error"))
            box.add_widget(Keypad(("123", "456", "789", " 0 "), self.key, key_height=120, kid="pinpad"))
            row = Row(height=120)
            row.add_widget(
                Tile(app.t("cancel"), self.leave, kind="secondary", size=34, height=None, kid="admin_cancel")
            )
            row.add_widget(Tile(app.t("ok"), self.submit, kind="primary", size=34, height=None, kid="admin_ok"))
            box.add_widget(row)
            box.add_widget(Column(grow=False))
            return box
        scroll = Scroll(gap=24, pad=40)  # large text on a landscape screen is taller than it
        box = scroll.body
        box.add_widget(Text(app.t("admin_title"), size=48, bold=True, kid="admin_title"))
        panel = Panel(pad=28, gap=10, kid="admin_state")
        kiosk = app.kiosk
        lines = [
            f"kiosk: {app.cfg.kiosk_id}   hall: {app.cfg.hall}",
            f"server: {app.cfg.server_url}  {'online' if kiosk.online else 'UNREACHABLE'}",
            f"printer: {app.cfg.printer_url}  {kiosk.devices.printer_state} "
            f"({PRINTER_STATES.get(kiosk.devices.printer_state, ('', ''))[0]})",
            f"ID reader: {app.cfg.id_reader_url}  {kiosk.devices.reader_state}",
        ]
        for line in lines:
            panel.add_widget(Text(line, size=28, kid="admin_line"))
        box.add_widget(panel)
        if self.note:
            box.add_widget(message_panel(self.note, kid="admin_note"))
        box.add_widget(
            Tile(
                app.t("admin_test_print"),
                self.test_print,
                kind="secondary",
                size=34,
                height=120,
                kid="admin_test_print",
            )
        )
        box.add_widget(Tile(app.t("admin_close"), self.leave, kind="primary", size=34, height=120, kid="admin_close"))
        box.add_widget(Tile(app.t("admin_exit"), app.quit, kind="danger", size=34, height=120, kid="admin_exit"))
        return scroll

    def key(self, ch: str) -> None:
        if len(self.pin) < 12:
            self.pin += ch
            self.render()

    def submit(self) -> None:
        now = time.monotonic()
        if now < self.locked_until:
            self.error, self.pin = self.app.t("admin_wrong") + f" ({int(self.locked_until - now)} s)", ""
        elif self.pin == self.app.cfg.admin_pin:
            self.unlocked, self.failures, self.error = True, 0, None
        else:
            self.failures += 1
            if self.failures >= MAX_TRIES:
                self.locked_until, self.failures = now + LOCKOUT_SECONDS, 0
            self.error, self.pin = self.app.t("admin_wrong"), ""
        self.render()

    def test_print(self) -> None:
        def done(result):
            self.note = f"printer: {result.state} {result.detail}"
            self.render()

        page = Checklist(
            title="打印测试页 / test page",
            items=["中文 GBK 打印正常", "ABC 0123456789"],
            hall_name=self.app.catalog.name("zh") if self.app.catalog else "",
        )
        self.app.work(self.app.kiosk.devices.print_checklist, page, done=done)

    def leave(self) -> None:
        self.app.reset_session()
        self.app.go("home" if self.app.kiosk.online else "maintenance", _remember=False)

    def device_changed(self):
        if self.unlocked:
            self.render()
