"""Search by name, pinyin initials ("bdc" -> 不动产) or full pinyin, typed on a letter keypad;
results appear as you type."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from .base import KioskScreen, message_panel, with_keypad
from .services import ServiceRow
from .widgets import BLUE, MUTED, TEXT, Keypad, Panel, Row, Scroll, Text, Tile, cjk_wrap, px

LETTERS = ("QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
MAX_QUERY = 24


class SearchScreen(KioskScreen):
    NAME = "search"
    BASKET = True

    @property
    def query(self) -> str:
        return self.params.get("query", "")

    def build(self):
        app = self.app
        box = BoxLayout(orientation="vertical")
        box.add_widget(self.title_row(app.t("search"), back=app.back))
        field = Panel(orientation="horizontal", fixed_height=110, pad=18, border=BLUE, radius=24)
        shown = self.query + "|" if self.query else app.t("search_hint")
        self.field = Text(
            shown, size=38 if self.query else 28, color=TEXT if self.query else MUTED, height=74, kid="search_query"
        )
        field.add_widget(self.field)
        outer = BoxLayout(orientation="vertical", size_hint_y=None, height=px(130), padding=(px(24), px(10)))
        outer.add_widget(field)
        content = BoxLayout(orientation="vertical")
        content.add_widget(outer)
        self.results = Scroll(gap=16, pad=(24, 4, 24, 12))
        self.fill_results()
        content.add_widget(self.results)
        pad = Keypad(LETTERS, self.key, key_height=88)
        controls = Row(height=88, gap=10)
        controls.add_widget(Tile(app.t("clear"), self.clear, kind="light", size=30, height=None, kid="key:clear"))
        controls.add_widget(
            Tile("← " + app.t("delete"), self.on_backspace, kind="light", size=30, height=None, kid="key:back")
        )
        box.add_widget(with_keypad(content, pad, controls, app.portrait))
        return box

    def render(self, keep_scroll: bool = False):
        scroll_y = self.results.scroll_y if keep_scroll and getattr(self, "results", None) else None
        super().render()
        if scroll_y is not None:
            self.results.scroll_y = scroll_y

    def fill_results(self) -> None:
        app = self.app
        self.results.body.clear_widgets()
        self.rows = {}
        if not self.query:
            return
        codes = app.catalog.search(self.query)
        if not codes:
            self.results.body.add_widget(message_panel(app.t("no_results", q=self.query), kid="no_results"))
        for code in codes:
            row = ServiceRow(self, code)
            self.rows[code] = row
            self.results.body.add_widget(row)
        self.results.scroll_y = 1

    def set_query(self, query: str) -> None:
        """A key: only the field and the results change (the keypad stays as it is)."""
        self.params = dict(self.params, query=query[:MAX_QUERY])
        if getattr(self, "field", None) is None:
            self.render()
            return
        self.field.text = cjk_wrap(self.query + "|") if self.query else self.app.t("search_hint")
        self.field.font_size = px(38 if self.query else 28)
        self.field.color = TEXT if self.query else MUTED
        self.fill_results()

    def key(self, ch: str) -> None:
        self.set_query(self.query + ch.lower())

    def clear(self) -> None:
        self.set_query("")

    def on_backspace(self) -> None:
        self.set_query(self.query[:-1])

    def on_text_input(self, text: str) -> None:
        self.set_query(self.query + text.lower())

    def on_enter_key(self) -> None:
        pass

    def refresh(self):
        for code, row in getattr(self, "rows", {}).items():
            if code in self.app.catalog.services:
                row.update()
