"""A list of services (a department's, a life event's, search results, or all for the guides) with
waiting counts and estimated waits; closed ones greyed with their hours or "今日号已取完"."""

from __future__ import annotations

from ..i18n import pick
from ..session import MAX_MATTERS, BasketFull
from ..theme import GREYED
from .base import KioskScreen, message_panel
from .widgets import GREEN, GREEN_LIGHT, GREY_TEXT, RED, TEXT, WHITE, Panel, Row, Scroll, Text, Tile


class ServiceRow(Panel):
    def __init__(self, screen: ServicesScreen, code: str):
        app = screen.app
        super().__init__(pad=24, gap=10, kid=f"svc:{code}")
        self.screen, self.code = screen, code
        s = app.catalog.service(code)
        self.title = Text(pick(s, app.lang), size=34, bold=True, kid=f"svc:{code}:name")
        self.add_widget(self.title)
        self.meta = Text("", size=28, kid=f"svc:{code}:meta")
        self.add_widget(self.meta)
        self.card_note: Text | None = None
        if s.get("id_card_required"):
            self.card_note = Text(app.t("needs_card"), size=26, kid=f"svc:{code}:card")
            self.add_widget(self.card_note)
        buttons = Row(height=92, gap=14)
        buttons.add_widget(
            Tile(
                app.t("guide_short"),
                lambda: app.go("guide", code=code),
                kind="secondary",
                size=30,
                height=None,
                kid=f"svc:{code}:guide",
            )
        )
        in_basket = code in app.session.basket
        self.add_button = Tile(
            app.t("in_basket") if in_basket else app.t("add_basket"),
            self.toggle,
            kind="ok" if in_basket else "light",
            size=30,
            height=None,
            kid=f"svc:{code}:add",
        )
        buttons.add_widget(self.add_button)
        self.take_button = Tile(
            app.t("take_ticket"), self.take, kind="primary", size=32, height=None, kid=f"svc:{code}:take"
        )
        buttons.add_widget(self.take_button)
        self.add_widget(buttons)
        self.update()

    def update(self) -> None:
        """The server's latest figures: the waits, and whether the matter can be taken. A matter
        that closes (or sells out) while it is shown greys in place, so nothing moves under a finger."""
        app = self.screen.app
        takeable = app.catalog.availability(self.code).takeable
        self.meta.text, self.meta.color = self.screen.service_meta(self.code)
        self.background.rgba = WHITE if takeable else GREYED
        self.title.color = TEXT if takeable else GREY_TEXT
        if self.card_note is not None:
            self.card_note.color = RED if takeable else GREY_TEXT
        self.add_button.disabled = not (takeable or self.code in app.session.basket)
        self.take_button.disabled = not takeable

    def toggle(self):
        app = self.screen.app
        try:
            app.session.basket.toggle(self.code)
        except BasketFull:
            app.toast(app.t("basket_full", n=MAX_MATTERS), "warn")
            return
        self.screen.render(keep_scroll=True)

    def take(self):
        """One matter, one ticket: straight to the confirmation (the basket is left as it was)."""
        self.screen.app.go("confirm", single=self.code)


class ServicesScreen(KioskScreen):
    NAME = "services"
    BASKET = True

    def render(self, keep_scroll: bool = False):
        scroll_y = self.scroll.scroll_y if keep_scroll and getattr(self, "scroll", None) else None
        super().render()
        if scroll_y is not None:
            self.scroll.scroll_y = scroll_y

    def build(self):
        app = self.app
        cat = app.catalog
        mode = self.params.get("mode", "all")
        if mode == "department":
            codes = cat.by_department(self.params["department"])
            title = pick(cat.department(self.params["department"]), app.lang)
        elif mode == "topic":
            topic = self.params["topic"]
            codes = list(topic["services"])
            title = pick(topic, app.lang)
        elif mode == "search":
            codes = cat.search(self.params["query"])
            title = app.t("results_for", q=self.params["query"])
        elif mode == "mine" and app.session.identity is not None:  # straight after the card: what they can take
            codes = [c for c in cat.order if cat.availability(c).takeable]
            title = app.t("pick_for_you", name=app.session.identity.masked)
        else:
            codes = list(cat.order)
            title = app.t("pick_guide") if app.session.guide_mode else app.t("pick_service")
        from kivy.uix.boxlayout import BoxLayout

        box = BoxLayout(orientation="vertical")
        box.add_widget(self.title_row(title, back=app.back))
        self.scroll = Scroll(gap=18, pad=(24, 8, 24, 24))
        if mode == "topic":
            self.scroll.body.add_widget(message_panel(app.t("basket_empty"), kid="topic_hint"))
        if mode == "mine" and self.bookings:
            self.scroll.body.add_widget(self.bookings_panel())
        if not codes:
            self.scroll.body.add_widget(
                message_panel(app.t("no_results", q=self.params.get("query", "")), kid="no_results")
            )
        self.rows = {}
        for code in codes:
            row = ServiceRow(self, code)
            self.rows[code] = row
            self.scroll.body.add_widget(row)
        box.add_widget(self.scroll)
        return box

    def on_pre_enter(self, *args) -> None:
        self.bookings: list[dict] = []
        ident = self.app.session.identity
        if self.params.get("mode") == "mine" and ident is not None:
            self.app.work(self.app.kiosk.appointments_of, ident, done=self._found_bookings, fail=lambda exc: None)
        super().on_pre_enter(*args)

    def _found_bookings(self, bookings: list[dict]) -> None:
        booked = [b for b in bookings if b.get("state") == "booked"]
        if booked and self.manager is not None and self.manager.current == self.name:
            self.bookings = booked
            self.render_when_still()

    def device_changed(self):  # also where render_when_still comes back to
        if self.params.get("mode") == "mine" and self.bookings and not self._bookings_shown():
            self.render()

    def _bookings_shown(self) -> bool:
        return any(getattr(w, "kid", "") == "bookings" for w in self.walk(restrict=True))

    def bookings_panel(self):
        app = self.app
        names = "、".join(
            pick(app.catalog.service(b["service"]), app.lang)
            if b.get("service") in app.catalog.services
            else b.get("service", "")
            for b in self.bookings
        )
        panel = Panel(color=GREEN_LIGHT, pad=22, gap=14, kid="bookings")
        panel.add_widget(
            Text(app.t("your_bookings", n=len(self.bookings), names=names), size=30, color=GREEN, kid="bookings_text")
        )
        panel.add_widget(
            Tile(
                app.t("check_in_booking"),
                lambda: app.go("appointment"),
                kind="ok",
                size=32,
                height=100,
                kid="bookings_check_in",
            )
        )
        return panel

    def refresh(self):
        """New figures: the rows updated in place (a re-render would lose the scroll position)."""
        for code, row in getattr(self, "rows", {}).items():
            if code in self.app.catalog.services:
                row.update()
