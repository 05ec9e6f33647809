"""The kiosk's building blocks: text that wraps and sizes itself, big rounded buttons, panels, a
scrolling list, a letter keypad and a QR code. Sizes are given at normal scale and multiplied by
the app's scale (elderly mode enlarges everything); every interactive widget carries a `kid` so
tests (and the admin's diagnostics) can find it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from functools import partial

import qrcode
from kivy.app import App
from kivy.graphics import Color, Line, Rectangle, RoundedRectangle
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from ..theme import (  # noqa: F401
    BG,
    BLUE,
    BLUE_DARK,
    BLUE_LIGHT,
    GREEN,
    GREEN_LIGHT,
    GREY,
    GREY_TEXT,
    MUTED,
    ORANGE,
    ORANGE_LIGHT,
    RED,
    RED_LIGHT,
    TEXT,
    TILE_KINDS,
    WHITE,
)


def app_scale() -> float:
    app = App.get_running_app()
    return getattr(app, "scale", 1.0) if app else 1.0


DESIGN_WIDTH = 1080  # the layouts are drawn for a 1080x1920 (or 1920x1080) screen


def unit() -> float:
    """Pixels per design pixel: a 768x1366 kiosk screen gets the same layout, smaller."""
    from kivy.core.window import Window

    return min(Window.width, Window.height) / DESIGN_WIDTH


def px(n: float) -> float:
    """A size in design pixels at the current screen size and text scale (elderly mode)."""
    return round(n * app_scale() * unit())


def darker(color: Sequence[float], by: float = 0.12) -> tuple:
    return (max(0, color[0] - by), max(0, color[1] - by), max(0, color[2] - by), color[3])


def paint(widget: Widget, color: Sequence[float], radius: float = 0, border: Sequence[float] | None = None):
    """A background (rounded if radius) that follows the widget; returns its Color instruction."""
    with widget.canvas.before:
        c = Color(*color)
        shape = RoundedRectangle(radius=[radius]) if radius else Rectangle()
        if border:
            Color(*border)
            line = Line(width=1.4)

    def follow(*_):
        shape.pos, shape.size = widget.pos, widget.size
        if border:
            if radius:
                line.rounded_rectangle = (widget.x, widget.y, widget.width, widget.height, radius)
            else:
                line.rectangle = (widget.x, widget.y, widget.width, widget.height)

    widget.bind(pos=follow, size=follow)
    follow()
    return c


_CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")


def cjk_wrap(text: str) -> str:
    """Kivy wraps only at spaces: a Chinese sentence with a space in it ("4. 经营范围……") would
    break at that space and leave a stub line. Non-breaking spaces let it wrap at any character."""
    if len(_CJK.findall(text)) * 2 >= sum(ch.isascii() and ch.isalpha() for ch in text):
        return text.replace(" ", "\u00a0")
    return text


class Text(Label):
    """Text that wraps to its width and takes the height it needs (unless given a height)."""

    def __init__(
        self,
        text: str = "",
        size: float = 30,
        color=TEXT,
        bold: bool = False,
        halign: str = "left",
        valign: str = "middle",
        height: float | None = None,
        kid: str = "",
        **kw,
    ):
        super().__init__(
            text=cjk_wrap(text),
            font_size=px(size),
            color=color,
            bold=bold,
            halign=halign,
            valign=valign,
            size_hint_y=None,
            **kw,
        )
        self.kid = kid
        self._fixed = height
        if height is not None:
            self.height = px(height)
            self.bind(size=self._wrap_box)
        else:
            self.bind(width=self._wrap_width, texture_size=self._fit)
        self._wrap_width() if height is None else self._wrap_box()

    def _wrap_width(self, *_):
        self.text_size = (max(1, self.width), None)

    def _wrap_box(self, *_):
        self.text_size = (self.width, self.height)

    def _fit(self, *_):
        self.height = self.texture_size[1] + px(4)


class Tile(ButtonBehavior, Label):
    """A big rounded button. `sub` adds a smaller second line. Its height is fixed (`height`), or
    grows with its text from `min_height`, or (both None) follows the layout. Kinds: primary,
    secondary, light, ghost, danger, warn, ok, header."""

    KINDS = TILE_KINDS
    PAD_X, PAD_Y = 16, 10

    def __init__(
        self,
        text: str,
        on_press: Callable[[], None] | None = None,
        kind: str = "primary",
        size: float = 32,
        sub: str = "",
        height: float | None = 96,
        width: float | None = None,
        min_height: float | None = None,
        kid: str = "",
        radius: float = 16,
        enabled: bool = True,
        bold: bool = True,
        pad_x: float = PAD_X,
        **kw,
    ):
        self.kind = kind
        bg, fg = self.KINDS[kind]
        self.bg = bg
        label = f"[b]{_esc(text)}[/b]" if bold else _esc(text)
        if sub:
            label += f"\n[size={int(px(size * 0.68))}]{_esc(sub)}[/size]"
        super().__init__(
            text=label,
            markup=True,
            font_size=px(size),
            color=fg,
            halign="center",
            valign="middle",
            padding=(px(pad_x), px(self.PAD_Y)),
            **kw,
        )
        self.kid = kid
        self.plain = text
        self.auto = min_height is not None
        if min_height is not None:
            self.size_hint_y = None
            self.min_h = px(min_height)
            self.height = self.natural = self.min_h
            self.bind(texture_size=self._grow)
        elif height is not None:
            self.size_hint_y = None
            self.height = px(height)
        if width is not None:
            self.size_hint_x = None
            self.width = px(width)
        border = BLUE if kind == "secondary" else None
        self._color = paint(self, bg, px(radius), border)
        self.bind(size=self._wrap, state=self._tint, disabled=self._tint)
        self._wrap()
        self.disabled = not enabled
        self._action = on_press
        self._tint()

    def _wrap(self, *_):
        self.text_size = (max(1, self.width), None if self.auto else max(1, self.height))

    def _grow(self, *_):
        self.natural = max(self.min_h, self.texture_size[1])
        self.height = self.natural

    def _tint(self, *_):
        if self.disabled:
            self._color.rgba = GREY if self.bg[3] > 0 else (1, 1, 1, 0)
            self.disabled_color = GREY_TEXT
        else:
            self._color.rgba = darker(self.bg) if self.state == "down" and self.bg[3] > 0 else self.bg

    def on_release(self):
        if self._action is not None and not self.disabled:
            getattr(App.get_running_app(), "pressed", lambda text: None)(self.plain)
            self._action()


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")


class Panel(BoxLayout):
    """A white rounded card holding a column (or row) of widgets; grows with its content."""

    def __init__(
        self,
        color=WHITE,
        radius: float = 18,
        pad: float = 24,
        gap: float = 12,
        border=None,
        orientation: str = "vertical",
        fixed_height: float | None = None,
        kid: str = "",
        **kw,
    ):
        super().__init__(orientation=orientation, padding=px(pad), spacing=px(gap), size_hint_y=None, **kw)
        self.kid = kid
        self.background = paint(self, color, px(radius), border)
        if fixed_height is None:
            self.bind(minimum_height=self.setter("height"))
        else:
            self.height = px(fixed_height)


def pads(pad) -> list:
    return [px(p) for p in pad] if isinstance(pad, (tuple, list)) else [px(pad)] * 4


class Column(BoxLayout):
    def __init__(self, gap: float = 16, pad=0, grow: bool = True, **kw):
        super().__init__(orientation="vertical", spacing=px(gap), padding=pads(pad), **kw)
        if grow:
            self.size_hint_y = None
            self.bind(minimum_height=self.setter("height"))


class Row(BoxLayout):
    def __init__(self, height: float | None = None, gap: float = 16, **kw):
        super().__init__(orientation="horizontal", spacing=px(gap), **kw)
        if height is not None:
            self.size_hint_y = None
            self.height = px(height)


class FootBar(Row):
    """The white bar of big buttons at a screen's foot. It is as tall as its tallest button, so a
    label that wraps in large type or in English grows the bar instead of being cut off."""

    def __init__(self, min_height: float = 106, pad: tuple[float, float] = (24, 22), gap: float = 18):
        super().__init__(height=min_height + 2 * pad[1], gap=gap, padding=(px(pad[0]), px(pad[1])))
        self.min_tile = min_height
        self.pad_y = px(pad[1])
        paint(self, WHITE)

    def add(self, text: str, on_press: Callable[[], None], **kw) -> Tile:
        tile = Tile(text, on_press, min_height=self.min_tile, **kw)
        tile.bind(height=self._fit)
        self.add_widget(tile)
        self._fit()
        return tile

    def _fit(self, *_):
        tiles = [t for t in self.children if isinstance(t, Tile)]
        self.height = max((t.natural for t in tiles), default=px(self.min_tile)) + 2 * self.pad_y
        for t in tiles:  # side by side, all as tall as the tallest
            t.height = self.height - 2 * self.pad_y


def fitted(text: str, size: float, width: float, padding: float = 40) -> float:
    """A font size that keeps a short Chinese name on one line in a tile `width` design pixels
    wide, down to 80% of `size` (longer names wrap)."""
    cjk = len(_CJK.findall(text))
    if cjk < len(text) * 0.6 or cjk * size <= width - padding:
        return size
    return max(size * 0.8, (width - padding) / cjk)


class Grid(GridLayout):
    """Tiles in columns; a row is as tall as its tallest tile (give the tiles a min_height)."""

    def __init__(self, cols: int, gap: float = 18, **kw):
        super().__init__(cols=cols, spacing=px(gap), size_hint_y=None, **kw)
        self.bind(minimum_height=self.setter("height"))

    def do_layout(self, *args):
        kids = list(reversed(self.children))
        for i in range(0, len(kids), self.cols):
            row = kids[i : i + self.cols]
            height = max(getattr(k, "natural", k.height) for k in row)
            for k in row:
                if k.height != height:
                    k.height = height
        super().do_layout(*args)


class Scroll(ScrollView):
    """A vertical list; `body` is the column to add rows to."""

    def __init__(self, gap: float = 16, pad=24, **kw):
        super().__init__(
            do_scroll_x=False,
            bar_width=px(10),
            bar_color=(0.3, 0.4, 0.6, 0.7),
            bar_inactive_color=(0.3, 0.4, 0.6, 0.25),
            scroll_type=["bars", "content"],
            effect_cls="ScrollEffect",
            **kw,
        )
        self.body = Column(gap=gap, pad=pad)
        self.add_widget(self.body)


class Spacer(Widget):
    def __init__(self, height: float | None = None, **kw):
        super().__init__(**kw)
        if height is not None:
            self.size_hint_y = None
            self.height = px(height)


class QrCode(Widget):
    """A QR code drawn as squares (crisp at any size, no image library needed), on a white quiet zone."""

    def __init__(self, payload: str, side: float = 360, kid: str = "qr", **kw):
        super().__init__(size_hint=(None, None), size=(px(side), px(side)), **kw)
        self.kid = kid
        self.bind(pos=self._draw, size=self._draw)
        self.show(payload)

    def show(self, payload: str) -> None:
        """Another payload in the same place (the hall's entry code each minute)."""
        self.payload = payload
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
        code.add_data(payload)
        code.make(fit=True)
        self.matrix = code.get_matrix()
        self._draw()

    def _draw(self, *_):
        self.canvas.clear()
        n = len(self.matrix)
        cell = min(self.width, self.height) / n
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(pos=self.pos, size=(cell * n, cell * n))
            Color(0, 0, 0, 1)
            for r, row in enumerate(self.matrix):
                for c, dark in enumerate(row):
                    if dark:
                        Rectangle(pos=(self.x + c * cell, self.y + (n - 1 - r) * cell), size=(cell + 0.5, cell + 0.5))


class Keypad(GridLayout):
    """On-screen character keys in rows (a space leaves a gap); `on_key` gets the character."""

    def __init__(
        self, rows: Iterable[str], on_key: Callable[[str], None], key_height: float = 92, kid: str = "keypad", **kw
    ):
        rows = list(rows)
        cols = max(len(r) for r in rows)
        super().__init__(
            cols=cols, spacing=px(10), size_hint_y=None, row_force_default=True, row_default_height=px(key_height), **kw
        )
        self.kid = kid
        for row in rows:
            for ch in row.ljust(cols):
                if ch == " ":
                    self.add_widget(Widget())
                    continue
                self.add_widget(
                    Tile(
                        ch,
                        partial(on_key, ch),
                        kind="secondary",
                        size=34,
                        height=None,
                        kid=f"key:{ch}",
                        radius=12,
                        pad_x=2,
                    )
                )
        self.height = len(rows) * px(key_height) + (len(rows) - 1) * px(10)


class Overlay(ButtonBehavior, BoxLayout):
    """Covers the screen while something is under way ("正在取号…") and swallows taps meanwhile."""

    def __init__(self, text: str, **kw):
        super().__init__(orientation="vertical", padding=px(120), **kw)
        self.kid = "overlay"
        paint(self, (0, 0, 0, 0.45))
        box = Panel(pad=48)
        box.add_widget(Text(text, size=40, bold=True, halign="center", kid="overlay_text"))
        self.add_widget(Widget())
        self.add_widget(box)
        self.add_widget(Widget())


class IdleWarning(BoxLayout):
    """ "还在吗？" before the idle reset: a countdown and a button to go on (any touch goes on: the
    app's root swallows it, so nothing under the warning is pressed by mistake)."""

    modal = True  # what is under it cannot be touched while it is shown

    def __init__(self, title: str, button: str, on_continue, **kw):
        super().__init__(orientation="vertical", padding=px(90), **kw)
        self.kid = "idle_warning"
        paint(self, (0, 0, 0, 0.55))
        box = Panel(pad=48, gap=28)
        box.add_widget(Text(title, size=56, bold=True, halign="center", kid="idle_title"))
        self.countdown = Text("", size=36, halign="center", kid="idle_countdown")
        box.add_widget(self.countdown)
        box.add_widget(Tile(button, on_continue, kind="primary", size=44, height=140, kid="idle_continue"))
        self.add_widget(Widget())
        self.add_widget(box)
        self.add_widget(Widget())


class Toast:
    """A short message at the bottom of the screen that goes away by itself."""

    COLORS = {"info": BLUE_DARK, "ok": GREEN, "error": RED, "warn": ORANGE}

    def __init__(self) -> None:
        self.widget: Widget | None = None
        self._event = None

    def show(self, root: Widget, text: str, kind: str, seconds: float) -> None:
        from kivy.clock import Clock

        self.hide()
        # Near the top, below the header: never over the buttons at the bottom.
        box = Panel(
            color=self.COLORS.get(kind, BLUE_DARK),
            pad=28,
            radius=20,
            size_hint_x=0.86,
            pos_hint={"center_x": 0.5, "top": 0.9},
            kid="toast",
        )
        box.add_widget(Text(text, size=32, color=WHITE, halign="center", kid="toast_text"))
        root.add_widget(box)
        self.widget = box
        self.text = text
        self._event = Clock.schedule_once(lambda dt: self.hide(), seconds)

    def hide(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        if self.widget is not None and self.widget.parent is not None:
            self.widget.parent.remove_widget(self.widget)
        self.widget = None
