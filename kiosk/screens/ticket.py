"""The ticket: number, people ahead, estimated wait, where to go, and the QR code of the ticket's
status page. When the printer could not print, the QR code is the ticket: the screen says so and
stays longer, so it can be photographed. Returns home by itself."""

from __future__ import annotations

import math
import time

from kivy.uix.anchorlayout import AnchorLayout
from kivy.uix.boxlayout import BoxLayout

from ..i18n import pick, wait_text
from .base import KioskScreen, message_panel
from .widgets import BLUE_DARK, GREEN, GREEN_LIGHT, MUTED, ORANGE_LIGHT, RED, Panel, QrCode, Row, Scroll, Text, Tile, px


class TicketScreen(KioskScreen):
    NAME = "ticket"

    def on_pre_enter(self, *args):
        self.deadline = time.monotonic() + self.app.cfg.ticket_seconds
        super().on_pre_enter(*args)

    def set_printed(self, result) -> None:
        self.params = dict(self.params, printed=result)
        if not result.printed:  # time to take a photo
            self.deadline = time.monotonic() + 2 * self.app.cfg.ticket_seconds
        self.render()

    @property
    def printed(self):
        return self.params.get("printed")

    def build(self):
        app = self.app
        ticket = self.params["ticket"]
        unscaled = 1 / app.scale  # the number and the QR code are big already: large text leaves them be
        # Both columns scroll if large text makes them taller than the screen (rather than overlap).
        info_scroll, side_scroll = Scroll(gap=18, pad=(36, 30, 36, 12)), Scroll(gap=18, pad=(36, 12, 36, 30))
        info, side = info_scroll.body, side_scroll.body

        info.add_widget(Text(app.t("your_number"), size=40, halign="center", color=MUTED))
        info.add_widget(
            Text(ticket["number"], size=210 * unscaled, bold=True, color=RED, halign="center", kid="ticket_number")
        )
        if ticket.get("klass") and ticket["klass"] != "normal":
            info.add_widget(
                Text(
                    app.t("klass", name=app.catalog.class_name(ticket["klass"], app.lang)),
                    size=34,
                    bold=True,
                    color=BLUE_DARK,
                    halign="center",
                    kid="ticket_klass",
                )
            )
        ahead = ticket.get("position") or 0
        line = (
            app.t("ahead", n=ahead)
            + " · "
            + app.t("eta_wait", eta=wait_text(ticket.get("eta_seconds"), ahead, app.lang))
        )
        info.add_widget(Text(line, size=38, bold=True, halign="center", kid="ticket_wait"))
        place = app.catalog.waiting_place(ticket, app.lang)
        info.add_widget(
            Text(
                app.t("go_to", area=place) if place else app.t("go_to_board"),
                size=34,
                halign="center",
                kid="ticket_area",
            )
        )
        matters = ticket.get("matters", [])
        panel = Panel(pad=24, gap=8, kid="ticket_matters")
        for i, m in enumerate(matters, start=1):
            prefix = f"{i}. " if len(matters) > 1 else ""
            panel.add_widget(Text(prefix + pick(m, app.lang), size=30))
        if len(matters) > 1:
            panel.add_widget(Text(app.t("matters_count", n=len(matters)), size=26, color=MUTED))
        info.add_widget(panel)

        printed = self.printed
        if printed is None:
            side.add_widget(
                message_panel(
                    app.t("printing"), color=GREEN_LIGHT, text_color=GREEN, kid="print_state", halign="center", size=34
                )
            )
        elif printed.printed:
            side.add_widget(
                message_panel(
                    app.t("printed"), color=GREEN_LIGHT, text_color=GREEN, kid="print_state", halign="center", size=34
                )
            )
        else:
            side.add_widget(
                message_panel(app.t("not_printed"), color=ORANGE_LIGHT, kid="print_state", halign="center", size=34)
            )
        big = printed is not None and not printed.printed  # the QR code is the ticket now
        qr_side = ((460 if big else 340) if app.portrait else (520 if big else 420)) * unscaled
        anchor = AnchorLayout(size_hint_y=None, height=px(qr_side) + px(10))
        anchor.add_widget(QrCode(ticket["status_url"], side=qr_side, kid="ticket_qr"))
        side.add_widget(anchor)
        side.add_widget(Text(app.t("scan_status"), size=30, halign="center", color=MUTED))
        if ticket.get("notify"):
            side.add_widget(
                Text(app.t("sms_on", phone=ticket["notify"]["phone"]), size=30, halign="center", kid="ticket_sms_on")
            )
        elif app.catalog is not None and app.catalog.sms and ticket.get("state") == "waiting":
            side.add_widget(
                Tile(app.t("sms_button"), self.ask_phone, kind="secondary", size=34, height=100, kid="ticket_sms")
            )
        row = Row(height=120, gap=24)
        self.countdown = Text("", size=28, color=MUTED, height=100, halign="right", kid="countdown")
        row.add_widget(self.countdown)
        row.add_widget(
            Tile(app.t("done"), self.finish, kind="primary", size=40, height=None, width=300, kid="ticket_done")
        )
        side.add_widget(row)

        if app.portrait:  # one column: the side's widgets follow the number's
            for widget in list(side.children)[::-1]:
                side.remove_widget(widget)
                info.add_widget(widget)
            self.tick()
            return info_scroll
        outer = BoxLayout(orientation="horizontal")
        outer.add_widget(info_scroll)
        outer.add_widget(side_scroll)
        self.tick()
        return outer

    def spoken(self) -> str:
        """The ticket read aloud: the number (character by character), the people ahead, the place."""
        app, ticket = self.app, self.params["ticket"]
        parts = [app.t("your_number") + " " + " ".join(ticket["number"]), app.t("ahead", n=ticket.get("position") or 0)]
        place = app.catalog.waiting_place(ticket, app.lang)
        parts.append(app.t("go_to", area=place) if place else app.t("go_to_board"))
        return "。".join(parts) if app.lang == "zh" else ". ".join(parts)

    def tick(self):
        super().tick()
        left = math.ceil(self.deadline - time.monotonic())
        if getattr(self, "countdown", None) is not None:
            self.countdown.text = self.app.t("back_home_in", s=max(0, left))
        if left <= 0 and self.app.sm.current == self.NAME:
            self.finish()

    def ask_phone(self):
        # The ticket screen is not kept for `back` (a finished visit is not gone back to): the
        # phone screen takes this one's parameters along to return to it.
        self.app.go("phone", ticket_screen=dict(self.params))

    def finish(self):
        self.app.reset_session()
        self.app.go("home")
