"""The Kivy application: one window, a screen manager, and the glue between the screens and the
window-less `Kiosk` (server, devices, issuing). Import it only after `launch.configure_kivy`."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from kivy.app import App
from kivy.clock import Clock, ClockEvent
from kivy.core.text import DEFAULT_FONT, LabelBase
from kivy.core.window import Window
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.screenmanager import NoTransition, ScreenManager

from devices import CardError, WedgeReader

from .api_client import ApiError, IssueRequest, ServerUnavailable
from .catalog import Catalog
from .config import KioskConfig
from .core import IssueOutcome, Kiosk, Listener
from .fonts import FontFiles
from .i18n import t
from .screens import SCREENS
from .screens.widgets import BG, IdleWarning, Overlay, Toast, paint
from .session import Identity, Session
from .speech import Speaker, open_speaker

log = logging.getLogger(__name__)

# Screens a visitor is "in": the idle timeout brings these back to the attract screen.
RESTING = ("attract", "maintenance", "admin")
# The ticket screen keeps its own time (the full ticket_seconds, even for a ticket finished after
# an outage), so the idle timeout leaves it alone.
OWN_TIME = RESTING + ("ticket",)
# Screens `back` never returns to.
NO_RETURN = ("attract", "maintenance", "admin", "ticket", "card")


class Root(FloatLayout):
    """Records every touch as activity (for the idle timeout) before passing it on."""

    def __init__(self, app: KioskApp, **kw):
        super().__init__(**kw)
        self.app = app
        paint(self, BG)

    def on_touch_down(self, touch):
        warned = self.app.idle_warning is not None
        self.app.touched()
        if warned:  # the touch answers "还在吗？" and goes no further (what was under it was hidden)
            return True
        return super().on_touch_down(touch)


class KioskApp(App, Listener):
    title = "hallq kiosk"
    use_kivy_settings = False

    def __init__(self, config: KioskConfig, fonts: FontFiles, kiosk: Kiosk | None = None, **kw):
        super().__init__(**kw)
        self.cfg = config
        self.fonts = fonts
        self.lang = config.language
        self.scale = 1.0
        self.session = Session()
        self.kiosk = kiosk or Kiosk(config, notify=self._on_ui_thread)
        self.kiosk.listener = self
        self.speaker: Speaker = open_speaker(config.speech_url)
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="kiosk-work")
        # Nobody yet: the first screen is the attract screen. Not 0.0: time.monotonic() counts from
        # boot, so on a machine up for less than idle_seconds a zero would look like a recent touch.
        self.last_activity = -math.inf
        self.card_lifted_at: float | None = None  # the visitor's card left the reader then
        self.exit_allowed = False
        self.printer_state = "unknown"
        self.reader_state = "unknown"
        self.overlay: Overlay | None = None
        self.idle_warning: IdleWarning | None = None
        self.issuing = False
        self.history: list[tuple[str, dict]] = []
        self._events: list[ClockEvent] = []

    # -- Kivy life ----------------------------------------------------------------------------
    def build(self):
        LabelBase.register(DEFAULT_FONT, fn_regular=str(self.fonts.regular), fn_bold=str(self.fonts.bold))
        self.sm = ScreenManager(transition=NoTransition())
        for cls in SCREENS:
            self.sm.add_widget(cls(self))
        self.sm.current = "maintenance"
        self.root_widget = Root(self)
        self.root_widget.add_widget(self.sm)
        self.toast_widget = Toast()
        return self.root_widget

    def on_start(self):
        Window.bind(
            on_request_close=self._refuse_close,
            on_keyboard=self._on_keyboard,
            on_textinput=self._on_textinput,
            size=self._on_resize,
        )
        if self.cfg.fullscreen:
            Window.fullscreen = "auto"
        self._events = [Clock.schedule_interval(self._tick, 1.0)]
        self.kiosk.start()

    def on_stop(self):
        self.shutdown()

    def open_settings(self, *args):  # F1 must not open Kivy's settings panel on a kiosk
        return False

    def shutdown(self) -> None:
        """Stop the threads and devices and let go of the window (also used by the tests)."""
        for ev in self._events:
            ev.cancel()
        self._events = []
        Window.unbind(
            on_request_close=self._refuse_close,
            on_keyboard=self._on_keyboard,
            on_textinput=self._on_textinput,
            size=self._on_resize,
        )
        self.pool.shutdown(wait=True, cancel_futures=True)  # a request under way finishes (or gives up) first
        self.kiosk.stop()
        self.speaker.close()

    def quit(self) -> None:
        """The admin's exit (after the PIN)."""
        self.exit_allowed = True
        self.stop()

    def stop_on_signal(self, signum: int) -> None:
        """SIGTERM or SIGINT (a service manager stopping or restarting the kiosk): stop cleanly, on
        the UI thread, as the admin's exit does."""
        log.info("signal %d: stopping", signum)
        Clock.schedule_once(lambda dt: self.quit(), 0)

    def _refuse_close(self, *args, **kw):
        return not self.exit_allowed  # True = do not close

    def _on_keyboard(self, window, key, scancode=None, codepoint=None, modifier=None, *args):
        self.touched()
        if key == 27:  # Escape (and Android's back key): nobody leaves the kiosk that way
            return True
        screen = self.sm.current_screen
        if key in (13, 271):
            getattr(screen, "on_enter_key", lambda: None)()
            return True
        if key == 8:
            getattr(screen, "on_backspace", lambda: None)()
            return True
        return False

    def _on_textinput(self, window, text):
        """Keys from a keyboard, a QR scanner or a keyboard-wedge ID reader (both type like one)."""
        self.touched()
        reader = self.kiosk.devices.reader
        if isinstance(reader, WedgeReader):
            reader.feed(text)
        getattr(self.sm.current_screen, "on_text_input", lambda text: None)(text)

    def _on_resize(self, *args):
        Clock.unschedule(self._rerender)
        Clock.schedule_once(self._rerender, 0.05)

    def _rerender(self, *args):
        self.sm.current_screen.render()

    # -- threads ------------------------------------------------------------------------------
    def _on_ui_thread(self, fn: Callable[[], None]) -> None:
        Clock.schedule_once(lambda dt: fn(), 0)

    def work(self, fn: Callable, *args, done: Callable | None = None, fail: Callable | None = None) -> None:
        """Run a blocking call (server, printer) off the UI thread; `done(result)` or
        `fail(exc)` run back on the UI thread."""

        def run():
            try:
                result = fn(*args)
            except Exception as exc:  # noqa: BLE001 - handed to the screen, which says what to do
                if not isinstance(exc, (ApiError, ServerUnavailable, CardError)):
                    log.exception("kiosk worker failed")
                error = exc
                self._on_ui_thread(lambda: fail(error) if fail else None)
                return
            self._on_ui_thread(lambda: done(result) if done else None)

        self.pool.submit(run)

    # -- navigation and state -----------------------------------------------------------------
    @property
    def catalog(self) -> Catalog | None:
        return self.kiosk.catalog

    @property
    def portrait(self) -> bool:
        return Window.height >= Window.width

    def t(self, key: str, **values) -> str:
        return t(key, self.lang, **values)

    def go(self, name: str, _remember: bool = True, **params) -> None:
        """Show a screen with these parameters; the screen left behind is remembered for `back`."""
        current = self.sm.current_screen
        if _remember and current.name not in NO_RETURN and current.name != name:
            self.history.append((current.name, dict(current.params)))
            del self.history[:-20]
        screen = self.sm.get_screen(name)
        screen.params = params
        self.hide_overlay()
        if self.sm.current == name:
            screen.render()
        else:
            self.sm.current = name

    def back(self) -> None:
        if self.history:
            name, params = self.history.pop()
            self.go(name, _remember=False, **params)
        else:
            self.go_home()

    def previous(self) -> tuple[str, dict]:
        return self.history[-1] if self.history else ("home", {})

    def go_home(self) -> None:
        if self.sm.current == "ticket":  # the visit is over: the next person starts afresh
            self.reset_session()
        self.session.guide_mode = False
        self.history.clear()
        self.go("home", _remember=False)

    def reset_session(self) -> None:
        self.session.reset()
        self.card_lifted_at = None
        self.history.clear()
        self.lang = self.cfg.language
        self.scale = 1.0

    def touched(self) -> None:
        self.last_activity = time.monotonic()
        if self.idle_warning is not None:
            self._warn_idle(None)

    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "zh" else "zh"
        self.sm.current_screen.render()

    def toggle_elderly(self) -> None:
        self.scale = 1.0 if self.scale > 1.0 else self.cfg.elderly_scale
        self.sm.current_screen.render()
        self.screen_shown(self.sm.current_screen)  # large text turns the voice on: say where they are

    # -- spoken guidance ------------------------------------------------------------------------
    @property
    def speaking(self) -> bool:
        return self.cfg.speech == "always" or (self.cfg.speech == "large" and self.scale > 1.0)

    def pressed(self, text: str) -> None:
        """A button was pressed: what it said is spoken, before anything an older screen still had to say."""
        if self.speaking:
            self.speaker.interrupt()
            self.speaker.speak(text, self.lang)

    def screen_shown(self, screen) -> None:
        if self.speaking:
            text = screen.spoken()
            if text:
                self.speaker.speak(text, self.lang)

    def toast(self, text: str, kind: str = "info", seconds: float = 3.0) -> None:
        self.toast_widget.show(self.root_widget, text, kind, seconds)

    def show_overlay(self, text: str) -> None:
        self.hide_overlay()
        self.overlay = Overlay(text)
        self.root_widget.add_widget(self.overlay)

    def hide_overlay(self) -> None:
        if self.overlay is not None and self.overlay.parent is not None:
            self.overlay.parent.remove_widget(self.overlay)
        self.overlay = None

    def _tick(self, dt) -> None:
        screen = self.sm.current_screen
        getattr(screen, "tick", lambda: None)()
        quiet = time.monotonic() - self.last_activity
        if self.sm.current in OWN_TIME or self.issuing:
            self._warn_idle(None)
        elif quiet > self.cfg.idle_seconds or self._visitor_left(quiet):
            self._warn_idle(None)
            self.reset_session()
            self.go("attract")
        else:
            left = self.cfg.idle_seconds - quiet
            warn = min(self.cfg.idle_warning_seconds, self.cfg.idle_seconds / 2)
            self._warn_idle(math.ceil(left) if left <= warn else None)

    def _warn_idle(self, seconds_left: int | None) -> None:
        """Shows "还在吗？" with the seconds left, or takes it away (None)."""
        if seconds_left is None:
            if self.idle_warning is not None:
                self.root_widget.remove_widget(self.idle_warning)
                self.idle_warning = None
            return
        if self.idle_warning is None:
            self.idle_warning = IdleWarning(self.t("idle_title"), self.t("idle_continue"), self.touched)
            self.root_widget.add_widget(self.idle_warning)
        self.idle_warning.countdown.text = self.t("idle_countdown", s=seconds_left)

    def _visitor_left(self, quiet: float) -> bool:
        """The card was taken off the reader and nobody has touched the screen since for
        `card_gone_seconds`: its owner has walked away, and the next person must not inherit them."""
        if self.session.identity is None or self.card_lifted_at is None:
            return False
        return min(quiet, time.monotonic() - self.card_lifted_at) > self.cfg.card_gone_seconds

    # -- issuing (one tap = one request = one key) ----------------------------------------------
    def issue(self, request: IssueRequest, on_refused: Callable[[ApiError], None]) -> None:
        if self.issuing:  # a second tap while the first is on its way does nothing
            return
        self.issuing = True
        self.show_overlay(self.t("issuing"))

        def issued(ticket: dict) -> None:
            self.go("ticket", ticket=ticket, printed=None)

        def done(outcome: IssueOutcome) -> None:
            self.issuing = False
            self._printed(outcome)

        def fail(exc: Exception) -> None:
            self.issuing = False
            self.hide_overlay()
            if isinstance(exc, ApiError):
                on_refused(exc)
            elif isinstance(exc, ServerUnavailable):
                # The kiosk is switching (or has switched) to the maintenance screen, which now
                # says that this request will be finished when the server is back.
                if self.sm.current == "maintenance":
                    self.sm.current_screen.render()
            else:
                self.toast(self.t("server_error"), "error")

        self.work(self.kiosk.issue, request, issued, done=done, fail=fail)

    def _printed(self, outcome: IssueOutcome) -> None:
        """The printer's answer, for the ticket screen if it still shows that ticket (a visitor who
        has tapped "完成" meanwhile is not brought back)."""
        screen = self.sm.get_screen("ticket")
        if self.sm.current == "ticket" and screen.params.get("ticket", {}).get("token") == outcome.ticket["token"]:
            screen.set_printed(outcome.print)

    # -- what the Kiosk tells us (UI thread) ------------------------------------------------------
    def on_online(self, online: bool) -> None:
        if not online:
            self.hide_overlay()
            self.go("maintenance")
        elif self.sm.current == "maintenance":
            if self.kiosk.has_pending:
                self.sm.current_screen.render()
            else:
                self.go("home" if time.monotonic() - self.last_activity < self.cfg.idle_seconds else "attract")

    def on_refused(self, refusal: ApiError | None) -> None:
        if refusal is not None:
            self.hide_overlay()
            self.go("maintenance")  # renders it again if it is shown already

    def on_retry(self, attempt: int, delay: float) -> None:
        if self.sm.current == "maintenance":
            self.sm.current_screen.retrying(attempt, delay)

    def on_catalog(self) -> None:
        getattr(self.sm.current_screen, "refresh", lambda: None)()

    def on_entry(self) -> None:
        getattr(self.sm.current_screen, "entry_changed", lambda: None)()

    def on_card(self, identity: Identity) -> None:
        self.touched()
        if self.sm.current in ("maintenance", "admin"):
            return
        self._new_card()
        self.session.identity = identity
        card_read = getattr(self.sm.current_screen, "card_read", None)
        if card_read is not None:  # a screen that does something with the card itself
            card_read(identity)
            return
        if self.sm.current == "attract":
            self.go("home")
        else:
            self.sm.current_screen.render()  # shows the identity bar

    def _new_card(self) -> None:
        """A card was placed: whoever held the screen before is gone (their ticket screen is done,
        their identity is dropped, whatever this card turns out to be)."""
        self.card_lifted_at = None
        if self.sm.current == "ticket":
            self.sm.current_screen.finish()
        self.session.identity = None
        self.session.priority = None

    def on_card_lifted(self) -> None:
        if self.session.identity is not None:
            self.card_lifted_at = time.monotonic()

    def on_card_error(self, key: str, error: CardError) -> None:
        if self.sm.current in ("maintenance", "admin"):
            return
        self.touched()
        self._new_card()  # a refused card replaces the identity too: it never leaves an older one in place
        if self.sm.current == "card":
            self.sm.current_screen.card_failed(key)
        else:
            self.go("card", error=key)

    def on_device(self, kind: str, state: str) -> None:
        if kind == "printer":
            self.printer_state = state
        else:
            self.reader_state = state
        self.sm.current_screen.device_changed()

    def on_pending_issued(self, ticket: dict) -> None:
        self.go("ticket", ticket=ticket, printed=None)

    def on_pending_printed(self, outcome: IssueOutcome) -> None:
        self._printed(outcome)

    def on_pending_failed(self, error: ApiError) -> None:
        self.go("home")
        self.toast(error.text(self.lang), "error", 6)
