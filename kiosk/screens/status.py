"""Queue status: scan the QR code on a ticket (the scanner types its status URL) or type today's
number, and see the place in the queue and the estimated wait."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from ..api_client import ApiError
from ..core import LookupRefused
from ..i18n import pick, wait_text
from .base import KioskScreen, message_panel, with_keypad
from .widgets import BLUE, BLUE_DARK, MUTED, RED, RED_LIGHT, TEXT, Keypad, Panel, Row, Scroll, Text, Tile

KEYS = ("1234567890", "ABCDEFGHJK", "LMNPQRSTUV")
MAX_INPUT = 200


class StatusScreen(KioskScreen):
    NAME = "status"

    def on_pre_enter(self, *args):
        self.entry = ""
        self.result = None
        self.error = None
        super().on_pre_enter(*args)

    def build(self):
        app = self.app
        box = BoxLayout(orientation="vertical")
        box.add_widget(self.title_row(app.t("status_title"), back=app.back))
        scroll = Scroll(gap=20, pad=(24, 8, 24, 16))
        body = scroll.body
        body.add_widget(Text(app.t("status_hint"), size=32, color=BLUE_DARK, kid="status_hint"))
        field = Panel(orientation="horizontal", fixed_height=110, pad=18, border=BLUE, radius=24)
        shown = self.entry if len(self.entry) <= 40 else "…" + self.entry[-38:]
        self.entry_label = Text(
            shown + "|" if self.entry else app.t("status_input"),
            size=36 if self.entry else 30,
            color=TEXT if self.entry else MUTED,
            height=74,
            kid="status_entry",
        )
        field.add_widget(self.entry_label)
        body.add_widget(field)
        if self.error:
            body.add_widget(message_panel(self.error, color=RED_LIGHT, text_color=RED, kid="status_error"))
        if self.result is not None:
            body.add_widget(self.result_panel(self.result))
        pad = Keypad(KEYS, self.key, key_height=84)
        controls = Row(height=88, gap=10)
        controls.add_widget(Tile(app.t("clear"), self.clear, kind="light", size=30, height=None, kid="key:clear"))
        controls.add_widget(
            Tile("← " + app.t("delete"), self.on_backspace, kind="light", size=30, height=None, kid="key:back")
        )
        controls.add_widget(
            Tile(
                app.t("lookup"),
                self.on_enter_key,
                kind="primary",
                size=32,
                height=None,
                kid="status_lookup",
                enabled=bool(self.entry),
            )
        )
        box.add_widget(with_keypad(scroll, pad, controls, app.portrait))
        return box

    def result_panel(self, tk: dict) -> Panel:
        app = self.app
        panel = Panel(pad=28, gap=12, kid="status_result")
        panel.add_widget(Text(tk["number"], size=120, bold=True, color=RED, halign="center", kid="status_number"))
        panel.add_widget(
            Text(
                app.t("state", s=tk.get("state_name", tk.get("state", ""))),
                size=34,
                bold=True,
                halign="center",
                kid="status_state",
            )
        )
        if tk.get("window"):
            panel.add_widget(
                Text(
                    app.t("called_to", w=tk["window"]),
                    size=40,
                    bold=True,
                    color=BLUE_DARK,
                    halign="center",
                    kid="status_window",
                )
            )
        if tk.get("position") is not None:
            ahead = tk["position"]
            line = (
                app.t("ahead", n=ahead)
                + " · "
                + app.t("eta_wait", eta=wait_text(tk.get("eta_seconds"), ahead, app.lang))
            )
            panel.add_widget(Text(line, size=34, halign="center", kid="status_wait"))
        for i, m in enumerate(tk.get("matters", []), start=1):
            panel.add_widget(Text(f"{i}. {pick(m, app.lang)}", size=28, color=MUTED))
        return panel

    # -- input ------------------------------------------------------------------------------------
    def set_entry(self, text: str) -> None:
        self.entry = text[:MAX_INPUT]
        self.render()

    def key(self, ch: str) -> None:
        self.set_entry(self.entry + ch)

    def clear(self) -> None:
        self.result = self.error = None
        self.set_entry("")

    def on_backspace(self) -> None:
        self.set_entry(self.entry[:-1])

    def on_text_input(self, text: str) -> None:
        """A scanner types fast: only the field changes until Enter."""
        first = not self.entry
        self.entry = (self.entry + text)[:MAX_INPUT]
        if first:
            self.render()
        else:
            shown = self.entry if len(self.entry) <= 40 else "…" + self.entry[-38:]
            self.entry_label.text = shown + "|"

    def on_enter_key(self) -> None:
        if not self.entry.strip():
            return
        text = self.entry
        self.app.work(self.app.kiosk.lookup, text, done=self._found, fail=self._failed)

    def _found(self, ticket: dict) -> None:
        self.result, self.error, self.entry = ticket, None, ""
        self.render()

    def _failed(self, exc) -> None:
        if isinstance(exc, LookupRefused):
            self.error = self.app.t(exc.key, **exc.values)
        elif isinstance(exc, ApiError):
            self.error = exc.text(self.app.lang)
        else:
            return  # the server is away: the maintenance screen says so
        self.result, self.entry = None, ""
        self.render()
