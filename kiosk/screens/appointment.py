"""Check-in: the 12-character booking code on a keypad of the characters codes use, or the ID card the
booking was made with; the booking shown, then a ticket for its service with the appointment's
priority. The card also checks in the places its holder took from outside (线上取号) today: they
keep their numbers and are called from now on."""

from __future__ import annotations

from kivy.uix.boxlayout import BoxLayout

from ..api_client import ApiError, IssueRequest
from .base import KioskScreen, message_panel, with_keypad
from .widgets import BLUE, BLUE_DARK, GREEN_LIGHT, MUTED, RED, RED_LIGHT, WHITE, Keypad, Panel, Row, Scroll, Text, Tile

# The characters the server's booking codes are made of (no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B).
KEYS = ("ACDEFHJKMN", "PRTUVWXY", "3479")
CODE_LENGTH = 12  # as the server makes them: long enough that guessing one is hopeless


class AppointmentScreen(KioskScreen):
    NAME = "appointment"

    _asked = 0  # counts the lookups started: only the answer to the latest one is shown

    def on_pre_enter(self, *args):
        self._reset()
        super().on_pre_enter(*args)
        if self.app.session.identity is not None:
            self.card_read(self.app.session.identity)

    def on_leave(self, *args):
        self._asked += 1  # a lookup still under way is for a visitor who has gone

    def _reset(self, code: str = "") -> None:
        self.code = code
        self.booking: dict | None = None
        self.error: str | None = None
        self.choices: list[dict] = []  # several bookings today found by the card: the visitor picks one
        self.arrived: list[dict] = []  # places taken from outside, checked in by the card
        self.looking = False
        self._asked += 1

    def _ask(self, lookup, arg, done) -> None:
        """Runs a lookup off the UI thread; its answer is dropped if the visitor has typed, placed
        another card or left meanwhile (it would show a booking that is not theirs)."""
        self._asked += 1
        asked = self._asked

        def if_still_wanted(handler):
            return lambda result: handler(result) if asked == self._asked else None

        self.app.work(lookup, arg, done=if_still_wanted(done), fail=if_still_wanted(self._failed))

    def card_read(self, identity) -> None:
        self._reset()
        self.looking = True
        self.render()
        self._ask(self.app.kiosk.check_in_by_card, identity, self._found_by_card)

    def _found_by_card(self, found: tuple[list[dict], list[dict]]) -> None:
        self.looking = False
        self.arrived, bookings = found
        open_ = [b for b in bookings if b["state"] == "booked"]
        if len(open_) > 1:
            self.choices = open_
        elif open_ or bookings:  # a used or cancelled one is shown with what became of it
            self.booking = (open_ or bookings)[0]
        elif not self.arrived:
            self.error = self.app.t("appt_none_for_card")
        self.render()

    def choose(self, booking: dict) -> None:
        self.booking, self.choices = booking, []
        self.render()

    def build(self):
        app = self.app
        box = BoxLayout(orientation="vertical")
        box.add_widget(self.title_row(app.t("appt_title"), back=app.back))
        scroll = Scroll(gap=20, pad=(24, 8, 24, 16))
        body = scroll.body
        body.add_widget(Text(app.t("appt_hint"), size=32, color=BLUE_DARK))
        half = CODE_LENGTH // 2  # two rows of six, as the code is printed: easier to copy than one long row
        for start in (0, half):
            boxes = Row(height=130, gap=16)
            for i in range(start, start + half):
                cell = Panel(color=WHITE, border=BLUE, fixed_height=130, pad=8, radius=14)
                ch = self.code[i] if i < len(self.code) else ""
                cell.add_widget(Text(ch, size=64, bold=True, halign="center", height=110, kid=f"code:{i}"))
                boxes.add_widget(cell)
            body.add_widget(boxes)
        if app.session.identity is not None:
            body.add_widget(Text(app.t("appt_with_card", name=app.session.identity.masked), size=28, color=MUTED))
        if self.looking:
            body.add_widget(Text(app.t("appt_looking"), size=30, color=MUTED, kid="appt_looking"))
        if self.error:
            body.add_widget(message_panel(self.error, color=RED_LIGHT, text_color=RED, kid="appt_error"))
        for tk in self.arrived:
            text = app.t("arrived", number=tk["number"], service=self.service_name(tk), ahead=tk["position"] or 0)
            body.add_widget(message_panel(text, color=GREEN_LIGHT, text_color=BLUE_DARK, kid=f"arrived:{tk['number']}"))
        if self.choices:
            body.add_widget(Text(app.t("appt_choose", n=len(self.choices)), size=30, color=BLUE_DARK))
            for b in self.choices:
                body.add_widget(
                    Tile(
                        f"{self.service_name(b)}  {b['slot']}",
                        lambda b=b: self.choose(b),
                        kind="light",
                        size=32,
                        kid=f"appt_choice:{b['code']}",
                    )
                )
        if self.booking is not None:
            b = self.booking
            panel = Panel(color=GREEN_LIGHT, pad=26, kid="appt_booking")
            name = self.service_name(b)
            panel.add_widget(
                Text(
                    app.t(
                        "appt_details",
                        service=name,
                        day=b["day"],
                        slot=b["slot"],
                        start=_hm(b["check_in_from"]),
                        end=_hm(b["check_in_until"]),
                    ),
                    size=32,
                    kid="appt_details",
                )
            )
            box_ok = b.get("state") == "booked"
            if not box_ok:
                key = "appt_state_used" if b.get("state") == "checked_in" else "appt_state_cancelled"
                panel.add_widget(Text(app.t(key), size=30, color=RED))
            body.add_widget(panel)
        pad = Keypad(KEYS, self.key, key_height=88)
        controls = Row(height=92, gap=10)
        controls.add_widget(
            Tile("← " + app.t("delete"), self.on_backspace, kind="light", size=30, height=None, kid="key:back")
        )
        if self.booking is not None and self.booking.get("state") == "booked":
            controls.add_widget(
                Tile(app.t("appt_check_in"), self.check_in, kind="primary", size=34, height=None, kid="appt_check_in")
            )
        else:
            controls.add_widget(
                Tile(
                    app.t("appt_find"),
                    self.on_enter_key,
                    kind="primary",
                    size=34,
                    height=None,
                    kid="appt_find",
                    enabled=len(self.code) == CODE_LENGTH,
                )
            )
        box.add_widget(with_keypad(scroll, pad, controls, app.portrait))
        return box

    def service_name(self, booking: dict) -> str:
        """A booking's or a ticket's service, in the kiosk's language."""
        if self.app.lang == "zh":
            return booking["service_name"]
        return self.app.catalog.service(booking["service"]).get("name_en", booking["service_name"])

    def key(self, ch: str) -> None:
        if len(self.code) < CODE_LENGTH:
            self._reset(self.code + ch)
            self.render()

    def on_backspace(self) -> None:
        self._reset(self.code[:-1])
        self.render()

    def on_text_input(self, text: str) -> None:
        for ch in text.upper():
            if ch.isalnum():
                self.key(ch)

    def on_enter_key(self) -> None:
        if len(self.code) != CODE_LENGTH:
            return
        self._ask(self.app.kiosk.appointment, self.code, self._found)

    def _found(self, booking: dict) -> None:
        self.booking, self.error = booking, None
        self.render()

    def _failed(self, exc) -> None:
        self.looking = False
        if isinstance(exc, ApiError):
            self.booking, self.error = None, exc.text(self.app.lang)
        self.render()

    def check_in(self) -> None:
        b = self.booking
        if b is None:  # its button is shown only with a booking
            return
        ident = self.app.session.identity
        request = IssueRequest(
            services=[b["service"]],
            appointment=b["code"],
            id_number=ident.id_number if ident else None,
            name=ident.name if ident else "",
            language=self.app.lang,
        )
        self.app.issue(request, on_refused=self._failed)


def _hm(text: str) -> str:
    """ "2026-11-24T10:15:00+08:00" -> "10:15"."""
    return text[11:16] if len(text) >= 16 and text[10] == "T" else text
