"""Shown while the server cannot be reached: the kiosk keeps retrying with back-off by itself and
returns to service when the server answers again (finishing a ticket request cut off by the outage)."""

from __future__ import annotations

import math
import time

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ..theme import ATTRACT_SUB, ATTRACT_WARN, DARK_MUTED
from .base import HallName, KioskScreen
from .widgets import BLUE_DARK, WHITE, Text, paint, px


class MaintenanceScreen(KioskScreen):
    NAME = "maintenance"
    HEADER = False

    def on_pre_enter(self, *args):
        self.status = None
        self.attempt, self.next_at = 0, None
        super().on_pre_enter(*args)

    def build(self):
        app = self.app
        box = BoxLayout(orientation="vertical", padding=(px(70), px(120)), spacing=px(40))
        paint(box, BLUE_DARK)
        name = app.catalog.name(app.lang) if app.catalog else app.cfg.hall
        title = HallName(
            app,
            text=name,
            font_size=px(48),
            bold=True,
            color=ATTRACT_SUB,
            halign="center",
            valign="middle",
            size_hint_y=None,
            height=px(140),
        )
        title.bind(size=lambda w, s: setattr(w, "text_size", s))
        box.add_widget(title)
        box.add_widget(Widget())
        refusal = app.kiosk.refusal
        if refusal is not None:  # retrying will not help: say so, and what staff must do
            box.add_widget(
                Text(app.t("out_of_service"), size=96, bold=True, color=WHITE, halign="center", kid="maintenance_title")
            )
            box.add_widget(
                Text(
                    app.t("out_of_service_sub", kiosk=app.cfg.kiosk_id, reason=refusal.text(app.lang)),
                    size=34,
                    color=WHITE,
                    halign="center",
                    kid="maintenance_sub",
                )
            )
            box.add_widget(Widget())
            return box
        box.add_widget(
            Text(app.t("maintenance"), size=96, bold=True, color=WHITE, halign="center", kid="maintenance_title")
        )
        box.add_widget(Text(app.t("maintenance_sub"), size=38, color=WHITE, halign="center", kid="maintenance_sub"))
        if app.kiosk.has_pending:
            box.add_widget(
                Text(
                    app.t("maintenance_pending"),
                    size=34,
                    color=ATTRACT_WARN,
                    halign="center",
                    kid="maintenance_pending",
                )
            )
        self.status = Text("", size=30, color=DARK_MUTED, halign="center", kid="maintenance_retry")
        box.add_widget(self.status)
        box.add_widget(Widget())
        self.tick()
        return box

    def retrying(self, attempt: int, delay: float) -> None:
        self.attempt, self.next_at = attempt, time.monotonic() + delay
        self.tick()

    def tick(self):
        if (
            self.app.kiosk.refusal is not None
            or getattr(self, "status", None) is None
            or not getattr(self, "next_at", None)
        ):
            return
        left = max(0, math.ceil(self.next_at - time.monotonic()))
        self.status.text = self.app.t("maintenance_retry", n=self.attempt, s=left)
