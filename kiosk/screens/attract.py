"""The attract screen: what the kiosk shows while nobody uses it. Any touch starts."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from ..theme import ATTRACT_SUB, ATTRACT_WARN
from .base import HallName, KioskScreen
from .widgets import BLUE, BLUE_DARK, WHITE, Panel, Text, Tile, paint, px

WEEKDAYS = {"zh": "一二三四五六日", "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}


class AttractScreen(KioskScreen):
    NAME = "attract"
    HEADER = False

    def build(self):
        app = self.app
        u = 1 / app.scale  # a poster for whoever comes next: large text is a visitor's choice, not its
        box = BoxLayout(
            orientation="vertical",
            padding=(px(70 * u), px((90 if app.portrait else 50) * u)),
            spacing=px((36 if app.portrait else 24) * u),
        )
        paint(box, BLUE)
        name = app.catalog.name(app.lang) if app.catalog else app.cfg.hall
        title = HallName(
            app,
            text=name,
            font_size=px(64 * u),
            bold=True,
            color=WHITE,
            halign="center",
            valign="middle",
            size_hint_y=None,
            height=px(200 * u),
        )
        # A long (English) name wraps: the title grows with it rather than cut it off.
        title.bind(
            width=lambda w, width: setattr(w, "text_size", (width, None)),
            texture_size=lambda w, size: setattr(w, "height", max(px(120 * u), size[1])),
        )
        box.add_widget(title)
        self.clock = Text("", size=44 * u, color=WHITE, halign="center", kid="attract_clock")
        box.add_widget(self.clock)
        box.add_widget(Text(app.t("attract_sub"), size=34 * u, color=ATTRACT_SUB, halign="center"))
        box.add_widget(Widget())
        box.add_widget(
            Tile(
                app.t("touch_to_start"),
                app.go_home,
                kind="warn",
                size=56 * u,
                height=220 * u,
                kid="start",
                radius=40 * u,
            )
        )
        box.add_widget(Text(app.t("attract_card"), size=34 * u, color=WHITE, halign="center"))
        box.add_widget(Widget())
        if not app.kiosk.printer_ok:
            box.add_widget(
                Text(app.t("printer_banner"), size=30 * u, color=ATTRACT_WARN, halign="center", kid="printer_banner")
            )
        self.notice = app.catalog.notice if app.catalog else ""
        if self.notice:
            notice = Panel(color=BLUE_DARK, pad=26 * u)
            notice.add_widget(Text(self.notice, size=26 * u, color=ATTRACT_SUB, kid="notice"))
            box.add_widget(notice)
        self.tick()
        return box

    def tick(self):
        now = self.app.kiosk.now()
        if self.app.lang == "zh":
            text = f"{now:%Y年%m月%d日} 星期{WEEKDAYS['zh'][now.weekday()]}  {now:%H:%M}"
        else:
            text = f"{WEEKDAYS['en'][now.weekday()]} {now:%Y-%m-%d}  {now:%H:%M}"
        if getattr(self, "clock", None) is not None:
            self.clock.text = text

    def on_touch_down(self, touch):
        # The hall name keeps its own taps (admin); anywhere else starts.
        if super().on_touch_down(touch):
            return True
        self.app.go_home()
        return True

    def refresh(self):
        """The hall's figures changed: a notice the manager put up (or took down) shows at once."""
        if self.app.catalog is not None and self.app.catalog.notice != self.notice:
            self.render()

    def device_changed(self):
        self.render()
