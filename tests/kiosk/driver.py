"""Driving the real kiosk app as a person would: touches dispatched through Kivy's event loop onto
the widgets on screen (scrolling them into view first), keys typed into the window, and
screenshots of what is shown. The event loop is pumped here, frame by frame, in the test's thread."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from kivy.base import EventLoop
from kivy.core.window import Window
from kivy.tests.common import UnitTestTouch
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.scrollview import ScrollView

MARKUP = re.compile(r"\[/?[a-z]+(=[^\]]*)?\]")


def plain(text: str) -> str:
    return MARKUP.sub("", text).replace("&bl;", "[").replace("&br;", "]").replace("&amp;", "&").replace("\u00a0", " ")


def ancestors(widget):
    parent = widget.parent
    while parent is not None and parent is not Window:
        yield parent
        parent = parent.parent


def scroll_parent(widget):
    return next((p for p in ancestors(widget) if isinstance(p, ScrollView)), None)


WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'.,:/-]*")


_MEASURED: dict = {}


def _needed(w: Label, width) -> tuple[int, int]:
    """The size the label's text takes at `width` (None: one line), measured once per look."""
    from kivy.core.text import Label as CoreLabel
    from kivy.core.text.markup import MarkupLabel

    pad = tuple(w.padding) if len(w.padding) == 4 else (w.padding[0], w.padding[1]) * 2
    key = (w.text, w.font_size, w.font_name, w.bold, w.halign, pad, width, w.markup)
    if key not in _MEASURED:
        cls = MarkupLabel if w.markup else CoreLabel
        core = cls(
            text=w.text,
            font_size=w.font_size,
            font_name=w.font_name,
            bold=w.bold,
            halign=w.halign,
            valign="top",
            padding=list(pad),
            text_size=(width, None),
        )
        core.refresh()
        _MEASURED[key] = tuple(core.texture.size) if core.texture else (0, 0)
    return _MEASURED[key]


def text_problems(w: Label) -> list[str]:
    """The label's text against its box: cut off, shortened, wider than it, or a word split in the middle."""
    from kivy.core.text import Label as CoreLabel

    width, fixed_height = w.text_size
    if w.shorten:  # Kivy cuts the text with "…": the whole must fit, unless it is a summary
        if getattr(w, "abridged", False):
            return []
        lines = w.max_lines or 1
        whole = CoreLabel(font_size=w.font_size, font_name=w.font_name, bold=w.bold).get_extents(plain(w.text))[0]
        return (
            [f"text shortened with … ({whole} > {lines} x {width:.0f} wide)"]
            if width is not None and whole > lines * width + 1
            else []
        )
    if fixed_height is None:  # Kivy laid the whole text out already
        need_w, need_h = w.texture_size
    else:
        need_w, need_h = _needed(w, width)
    problems = []
    if width is None and need_w > w.width + 2:
        problems.append(f"text wider than its box ({need_w} > {w.width:.0f})")
    if need_h > w.height + 3:
        problems.append(f"text cut off ({need_h} > {w.height:.0f} high)")
    if width is not None:
        pad = list(w.padding) if len(w.padding) == 4 else [w.padding[0], w.padding[1]] * 2
        avail = width - pad[0] - pad[2]
        words = CoreLabel(font_size=w.font_size, font_name=w.font_name, bold=True)
        for word in WORD.findall(plain(w.text)):
            if words.get_extents(word)[0] > avail + 1:
                problems.append(f"word {word!r} broken: wider than its box")
    return problems


class Driver:
    def __init__(self, app, shots: Path):
        self.app = app
        self.shots = shots

    # -- time -----------------------------------------------------------------------------------
    def pump(self, seconds: float = 0.0, frames: int = 2) -> None:
        """Run the event loop for at least `frames` frames and `seconds` seconds."""
        end = time.monotonic() + seconds
        n = 0
        while n < frames or time.monotonic() < end:
            EventLoop.idle()
            n += 1

    def wait(self, predicate: Callable[[], object], timeout: float = 10.0, what: str = "") -> object:
        end = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {what or predicate}; "
                    f"screen {self.screen!r} shows: {self.texts()[:40]}"
                )
            EventLoop.idle()

    def wait_screen(self, name: str, timeout: float = 10.0) -> None:
        self.wait(lambda: self.screen == name, timeout, f"screen {name!r}")
        self.pump(frames=1)

    # -- what is shown ----------------------------------------------------------------------------
    @property
    def screen(self) -> str:
        return self.app.sm.current

    def widgets(self) -> Iterable:
        """Everything in the window now: the current screen and the overlays above it."""
        return self.app.root.walk(restrict=True)

    def find_all(self, kid: str, prefix: bool = False) -> list:
        return [
            w
            for w in self.widgets()
            if isinstance(getattr(w, "kid", None), str) and (w.kid.startswith(kid) if prefix else w.kid == kid)
        ]

    def find(self, kid: str):
        found = self.find_all(kid)
        if len(found) != 1:
            raise AssertionError(
                f"{len(found)} widgets with kid {kid!r} on screen {self.screen!r}; shown: {self.texts()[:40]}"
            )
        return found[0]

    def has(self, kid: str) -> bool:
        return bool(self.find_all(kid))

    def text(self, kid: str) -> str:
        return plain(self.find(kid).text)

    def texts(self) -> list[str]:
        return [plain(w.text) for w in self.widgets() if isinstance(w, Label) and w.text.strip()]

    def shows(self, fragment: str) -> bool:
        return any(fragment in t for t in self.texts())

    # -- touching ---------------------------------------------------------------------------------
    def tap(self, target, check: bool = True) -> None:
        """Touch the widget's centre and lift, as a finger would. Widgets in a scrolling list are
        scrolled into view first; a button must then really receive the press."""
        widget = self.find(target) if isinstance(target, str) else target
        self._bring_into_view(widget)
        x, y = widget.to_window(*widget.center)
        if not (0 <= x < Window.width and 0 <= y < Window.height):
            raise AssertionError(f"{getattr(widget, 'kid', widget)} is outside the window at {(x, y)}")
        released = []
        is_button = isinstance(widget, ButtonBehavior)
        if is_button:
            if widget.disabled and check:
                raise AssertionError(f"{widget.kid} is disabled")
            widget.bind(on_release=lambda *_: released.append(True))
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(frames=1)
        touch.touch_up()
        if is_button and check:
            # In a scrolling list the press reaches the button a moment after the finger lifts: a
            # few frames, which on a loaded machine can take seconds.
            end = time.monotonic() + 10
            while not released and time.monotonic() < end:
                EventLoop.idle()
            if not released:
                raise AssertionError(f"the touch at {(x, y)} did not reach {widget.kid}: something covers it")
        else:
            self.pump(0.25)
        self.pump(frames=1)

    def _bring_into_view(self, widget) -> None:
        parent = scroll_parent(widget)
        if parent is None:
            return
        parent.scroll_to(widget, padding=20, animate=False)
        self.pump(frames=2)
        x, y = widget.to_window(*widget.center)
        sx, sy = parent.to_window(parent.x, parent.y)
        if not (sx <= x <= sx + parent.width and sy <= y <= sy + parent.height):
            raise AssertionError(f"{getattr(widget, 'kid', widget)} cannot be scrolled into view")

    # -- keys --------------------------------------------------------------------------------------
    def type(self, text: str, enter: bool = False) -> None:
        """Characters as a keyboard, a QR scanner or a keyboard-wedge reader sends them."""
        for ch in text:
            Window.dispatch("on_textinput", ch)
        if enter:
            self.key(13)
        self.pump(frames=2)

    def key(self, code: int) -> bool:
        return bool(Window.dispatch("on_keyboard", code, 0, None, []))

    # -- pictures ------------------------------------------------------------------------------------
    def shot(self, name: str) -> Path:
        self.pump(frames=4)
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        self.app.root.export_to_png(str(path))
        assert path.stat().st_size > 10_000, f"screenshot {path} is nearly empty"
        return path

    # -- layout -----------------------------------------------------------------------------------
    def layout_problems(self) -> list[str]:
        """What makes a screen look broken: text cut off by its box, a word split in the middle
        because it is wider than its box, buttons sticking out of the window or overlapping."""
        self.pump(frames=3)  # let a screen just switched to lay itself out
        problems = []
        shown = [w for w in self.widgets() if w.get_root_window() is not None and w.width > 1]
        for w in shown:
            if isinstance(w, Label) and w.text.strip():
                problems += [f"{p}: {plain(w.text)[:40]!r}" for p in text_problems(w)]
        for w in shown:  # what a layout could not fit spills over its neighbours
            parent = w.parent
            if isinstance(parent, (BoxLayout, GridLayout)) and w.height > 1 and parent.height > 1:
                if w.y < parent.y - 2 or w.top > parent.top + 2 or w.x < parent.x - 2 or w.right > parent.right + 2:
                    name = getattr(w, "kid", "") or (plain(w.text)[:30] if isinstance(w, Label) else type(w).__name__)
                    problems.append(f"sticks out of its {type(parent).__name__}: {name}")
        buttons = [w for w in shown if isinstance(w, ButtonBehavior) and getattr(w, "kid", "") and self._visible(w)]
        modal = next((w for w in shown if getattr(w, "modal", False)), None)
        if modal is not None:  # only its own buttons can be touched
            buttons = [b for b in buttons if self._inside(b, modal)]
        for i, a in enumerate(buttons):
            ax, ay = a.to_window(a.x, a.y)
            if ax < -1 or ay < -1 or ax + a.width > Window.width + 1 or ay + a.height > Window.height + 1:
                problems.append(f"button outside the window: {a.kid}")
            for b in buttons[i + 1 :]:
                bx, by = b.to_window(b.x, b.y)
                if (
                    ax < bx + b.width - 1
                    and bx < ax + a.width - 1
                    and ay < by + b.height - 1
                    and by < ay + a.height - 1
                ):
                    if not (self._inside(a, b) or self._inside(b, a)):
                        problems.append(f"buttons overlap: {a.kid} and {b.kid}")
        return problems

    @staticmethod
    def _inside(a, b) -> bool:
        return any(p is b for p in ancestors(a))

    @staticmethod
    def _visible(w) -> bool:
        """Inside the viewport of its scrolling list, if it is in one."""
        parent = scroll_parent(w)
        if parent is None:
            return True
        x, y = w.to_window(w.x, w.y)
        sx, sy = parent.to_window(parent.x, parent.y)
        return y >= sy - 1 and y + w.height <= sy + parent.height + 1
