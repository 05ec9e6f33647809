"""What every screen shares: the header (hall, clock, large text, language, home), the "one whole
thing" basket bar, and rendering from the app's state (a language or text-size switch, or a
rotated screen, simply renders the screen again)."""

from __future__ import annotations

import time

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.core.window import Window
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from ..i18n import pick, wait_text
from ..theme import ORANGE_TEXT
from .widgets import (
    BG,
    BLUE,
    BLUE_DARK,
    GREY_TEXT,
    MUTED,
    ORANGE,
    ORANGE_LIGHT,
    WHITE,
    Column,
    Panel,
    Row,
    Text,
    Tile,
    paint,
    px,
)

ADMIN_TAPS = 5
ADMIN_TAP_SECONDS = 4.0
LARGE_TYPE_AGE = 60  # a card this old is offered large type (长辈模式)
STILL_SECONDS = 2.0
# The widgets whose text is a screen's title, for the voice.
SPOKEN_TITLES = (
    "title",
    "card_prompt",
    "card_error",
    "card_name",
    "maintenance_title",
    "maintenance_sub",
)  # a redraw the visitor did not ask for waits this long after the last touch


class HallName(ButtonBehavior, Label):
    """The hall's name; five quick taps on it open the admin PIN pad (no visible way out otherwise)."""

    def __init__(self, app, **kw) -> None:
        super().__init__(**kw)
        self.app = app
        self.kid = "hall_name"
        self._taps: list[float] = []

    def on_release(self):
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t < ADMIN_TAP_SECONDS] + [now]
        if len(self._taps) >= ADMIN_TAPS:
            self._taps = []
            self.app.go("admin")


class Header(BoxLayout):
    """The hall's name, the clock and the large-text, language and home buttons in one blue bar;
    the name gets a row of its own when it does not fit beside them (a long English name in large
    type on a portrait screen), rather than being cut to "De…"."""

    NAME_SIZE, ROW, PAD, GAP = 34, 112, (24, 14), 14

    def __init__(self, app, home: bool = True, **kw):
        super().__init__(orientation="vertical", size_hint_y=None, **kw)
        paint(self, BLUE)
        name = app.catalog.name(app.lang) if app.catalog else app.cfg.hall
        self.clock = Label(text="", font_size=px(30), color=WHITE, size_hint_x=None, width=px(110))
        self.clock.kid = "clock"
        buttons = [
            Tile(
                app.t("elderly_off") if app.scale > 1 else app.t("elderly_on"),
                app.toggle_elderly,
                kind="header",
                size=26,
                height=None,
                width=190,
                kid="elderly",
            ),
            Tile(app.t("language"), app.toggle_lang, kind="header", size=26, height=None, width=160, kid="language"),
        ]
        if home:
            buttons.append(Tile(app.t("home"), app.go_home, kind="header", size=26, height=None, width=130, kid="home"))
        beside = (
            Window.width
            - sum(w.width for w in [self.clock, *buttons])
            - px(2 * self.PAD[0])
            - px(self.GAP) * (len(buttons) + 1)
        )
        hall = HallName(
            app,
            text=name,
            font_size=px(self.NAME_SIZE),
            bold=True,
            color=WHITE,
            halign="left",
            valign="middle",
            shorten=True,
            shorten_from="right",
        )
        hall.bind(size=lambda w, s: setattr(w, "text_size", s))
        if self.width_of(name) <= beside:
            self.add_widget(self.row(hall, self.clock, *buttons))
        else:
            self.add_widget(self.row(hall))
            self.add_widget(self.row(self.clock, Widget(), *buttons))
        self.height = sum(row.height for row in self.children)
        self.tick(app)

    def row(self, *widgets: Widget) -> BoxLayout:
        row = BoxLayout(
            orientation="horizontal",
            size_hint_y=None,
            height=px(self.ROW),
            padding=(px(self.PAD[0]), px(self.PAD[1])),
            spacing=px(self.GAP),
        )
        for w in widgets:
            row.add_widget(w)
        return row

    def width_of(self, name: str) -> float:
        label = CoreLabel(text=name, font_size=px(self.NAME_SIZE), bold=True)
        label.refresh()
        return label.texture.size[0] if label.texture else 0

    def tick(self, app) -> None:
        self.clock.text = app.kiosk.now().strftime("%H:%M")


class KioskScreen(Screen):
    NAME = ""
    HEADER = True
    HOME = True
    BASKET = False

    def __init__(self, app, **kw) -> None:
        super().__init__(name=self.NAME, **kw)
        self.app = app
        self.params: dict = {}
        self.header: Header | None = None

    def on_pre_enter(self, *args):
        self.render()

    def on_enter(self, *args):
        self.app.screen_shown(self)

    def spoken(self) -> str:
        """What the voice says when this screen is shown: its title."""
        from ..i18n import plain_text

        shown = list(self.walk(restrict=True))
        titles = [w for w in shown if getattr(w, "kid", "") in SPOKEN_TITLES]
        if not titles:  # home: the hall's name is its title
            titles = [w for w in shown if getattr(w, "kid", "") == "hall_name"][:1]
        return "。".join(plain_text(w.text) for w in titles)

    def render(self) -> None:
        self.clear_widgets()
        frame = BoxLayout(orientation="vertical")
        paint(frame, BG)
        self.header = None
        if self.HEADER:
            self.header = Header(self.app, home=self.HOME)
            frame.add_widget(self.header)
            if self.app.session.identity is not None and self.NAME not in ("ticket",):
                frame.add_widget(self.identity_bar())
        frame.add_widget(self.build())
        if self.BASKET and len(self.app.session.basket):
            frame.add_widget(self.basket_bar())
        self.add_widget(frame)

    def build(self) -> Widget:
        raise NotImplementedError

    def render_when_still(self) -> None:
        """Renders again once nobody has touched the kiosk for a moment: redrawn just as a visitor
        taps (a banner pushing the tiles down), the tile under their finger would move."""
        quiet = time.monotonic() - self.app.last_activity
        if quiet >= STILL_SECONDS:
            self.render()
        else:
            Clock.schedule_once(self._look_again, STILL_SECONDS - quiet)

    def _look_again(self, _dt) -> None:
        if self.manager is not None and self.manager.current == self.name:
            self.device_changed()

    def device_changed(self) -> None:
        """A device's state changed (a screen that shows it renders again)."""

    def tick(self) -> None:
        if self.header is not None:
            self.header.tick(self.app)

    # -- shared pieces --------------------------------------------------------------------------
    def identity_bar(self) -> Widget:
        app = self.app
        ident = app.session.identity
        bar = Row(height=84, padding=(px(24), px(10)))
        paint(bar, ORANGE_LIGHT)
        text = app.t("identity_bar", name=ident.masked)
        klass = app.catalog.age_class(ident.age(app.kiosk.today())) if app.catalog else None
        if klass:
            text += " · " + app.t("age_priority", age=ident.age(app.kiosk.today()), klass=pick(klass, app.lang))
        label = Text(text, size=28, kid="identity", pos_hint={"center_y": 0.5})
        # Large text or English wraps it to two lines: the bar grows rather than cut it off.
        label.bind(height=lambda w, h: setattr(bar, "height", max(px(84), h + px(20))))
        bar.add_widget(label)
        age = ident.age(app.kiosk.today())
        if age >= LARGE_TYPE_AGE and app.scale == 1.0:  # offered in one tap, never imposed
            bar.add_widget(
                Tile(
                    app.t("large_for_you"),
                    app.toggle_elderly,
                    kind="primary",
                    size=26,
                    height=None,
                    width=190 if app.lang == "en" else 130,
                    kid="identity_large",
                )
            )
        bar.add_widget(
            Tile(
                app.t("clear_identity"),
                self.clear_identity,
                kind="secondary",
                size=26,
                height=None,
                width=150,
                kid="clear_identity",
            )
        )
        return bar

    def clear_identity(self) -> None:
        self.app.session.identity = None
        self.render()

    def basket_bar(self) -> Widget:
        app = self.app
        bar = Row(height=130, padding=(px(24), px(16)))
        paint(bar, BLUE_DARK)
        names = "、".join(pick(app.catalog.service(c), app.lang) for c in app.session.basket)
        bar.add_widget(
            Text(
                app.t("basket_bar", n=len(app.session.basket)) + "\n" + names,
                size=26,
                color=WHITE,
                height=98,
                shorten=True,
                max_lines=2,
                kid="basket_summary",
            )
        )
        bar.children[0].abridged = True  # a summary: the whole list is on the confirm screen
        bar.add_widget(
            Tile(
                app.t("clear_basket"),
                self.clear_basket,
                kind="header",
                size=28,
                height=None,
                width=130,
                kid="basket_clear",
            )
        )
        bar.add_widget(
            Tile(
                app.t("basket_go"),
                lambda: app.go("confirm"),
                kind="warn",
                size=32,
                height=None,
                width=340 if app.lang == "en" else 260,
                kid="basket_go",
            )
        )
        return bar

    def clear_basket(self) -> None:
        self.app.session.basket.clear()
        self.render()

    def title_row(self, text: str, back=None, kid: str = "title") -> Widget:
        """A back button and the screen's title (which may wrap to two lines)."""
        row = Row(height=100, padding=(px(24), px(12)))
        if back is not None:
            row.add_widget(
                Tile(
                    "← " + self.app.t("back"),
                    back,
                    kind="secondary",
                    size=28,
                    height=76,
                    width=170,
                    kid="back",
                    pos_hint={"center_y": 0.5},
                )
            )
        title = Text(text, size=40 if len(text) < 24 else 34, bold=True, kid=kid, pos_hint={"center_y": 0.5})
        title.bind(height=lambda w, h: setattr(row, "height", max(px(100), h + px(24))))
        row.add_widget(title)
        return row

    def service_meta(self, code: str) -> tuple[str, tuple]:
        """ "等候 3 人 · 约 12 分钟 · 二楼F区" or the reason it is closed; and its colour."""
        app = self.app
        s = app.catalog.service(code)
        avail = app.catalog.availability(code)
        if not avail.takeable:
            return avail.text(app.lang), GREY_TEXT
        parts = [app.t("waiting_n", n=s.get("waiting", 0)), wait_text(s.get("eta_seconds"), s.get("waiting"), app.lang)]
        if s.get("area"):
            parts.append(s["area"])
        return " · ".join(parts), MUTED


def with_keypad(content: Widget, pad: Widget, controls: Widget, portrait: bool) -> Widget:
    """The content above the keys (portrait), or beside them (landscape: a wide screen has room)."""
    keys = BoxLayout(orientation="vertical", padding=(px(20), px(14)), spacing=px(10))
    paint(keys, (0.88, 0.90, 0.94, 1))
    if portrait:
        keys.size_hint_y = None
        keys.add_widget(pad)
        keys.add_widget(controls)
        keys.height = pad.height + controls.height + 2 * px(14) + px(10)
        box = BoxLayout(orientation="vertical")
        box.add_widget(content)
        box.add_widget(keys)
        return box
    keys.size_hint_x = 0.46
    pad.size_hint_y = controls.size_hint_y = None
    keys.add_widget(Widget())
    keys.add_widget(pad)
    keys.add_widget(controls)
    keys.add_widget(Widget())
    content.size_hint_x = 0.54
    box = BoxLayout(orientation="horizontal")
    box.add_widget(content)
    box.add_widget(keys)
    return box


def message_panel(
    text: str, color=ORANGE_LIGHT, text_color=None, kid: str = "message", halign: str = "left", size: float = 30
) -> Panel:
    box = Panel(color=color, pad=22)
    box.add_widget(Text(text, size=size, color=text_color or ORANGE_TEXT, kid=kid, halign=halign))
    return box


def section(text: str) -> Widget:
    return Text(text, size=32, bold=True, color=BLUE_DARK, kid="section")


__all__ = ["KioskScreen", "Header", "message_panel", "section", "Column", "Panel", "Row", "Text", "Tile", "ORANGE"]
