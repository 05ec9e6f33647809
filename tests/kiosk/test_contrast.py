"""WCAG 2 contrast of the kiosk's colours, computed from the theme itself (kiosk/theme.py)."""

from __future__ import annotations

import pytest

from kiosk import theme as th

BODY = 4.5  # WCAG 2 AA for body text (large text needs 3:1; every colour here meets the stricter figure)


def luminance(rgb) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def over(color, background) -> tuple:
    """A translucent colour as it shows on its background."""
    alpha = color[3] if len(color) > 3 else 1
    return tuple(alpha * c + (1 - alpha) * b for c, b in zip(color[:3], background[:3]))


def contrast(a, b) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_formula_against_known_values():
    assert contrast(th.WHITE, (0, 0, 0, 1)) == pytest.approx(21.0)
    assert contrast((0.58, 0.60, 0.65), th.WHITE) == pytest.approx(2.85, abs=0.01)  # the grey this replaced
    assert contrast(th.WHITE, (0.93, 0.50, 0.07)) == pytest.approx(2.74, abs=0.01)  # the orange it replaced


BUTTON_BACKDROP = {"ghost": th.BG, "header": th.BLUE}
TEXT_ON = [
    ("text", th.TEXT, th.BG),
    ("text on white", th.TEXT, th.WHITE),
    ("muted", th.MUTED, th.BG),
    ("muted on white", th.MUTED, th.WHITE),
    ("greyed service", th.GREY_TEXT, th.GREYED),
    ("closed reason", th.GREY_TEXT, th.WHITE),
    ("disabled button", th.GREY_TEXT, th.GREY),
    ("message", th.ORANGE_TEXT, th.ORANGE_LIGHT),
    ("error", th.RED, th.RED_LIGHT),
    ("red on white", th.RED, th.WHITE),
    ("done", th.GREEN, th.GREEN_LIGHT),
    ("section", th.BLUE_DARK, th.BG),
    ("card picture note", th.BLUE_DARK, th.BLUE_LIGHT),
    ("attract", th.ATTRACT_SUB, th.BLUE),
    ("attract banner", th.ATTRACT_WARN, th.BLUE),
    ("white on blue", th.WHITE, th.BLUE),
    ("toast warn", th.WHITE, th.ORANGE),
    ("toast ok", th.WHITE, th.GREEN),
    ("toast info", th.WHITE, th.BLUE_DARK),
    ("attract notice", th.ATTRACT_SUB, th.BLUE_DARK),
    ("maintenance hall name", th.ATTRACT_SUB, th.BLUE_DARK),
    ("maintenance pending", th.ATTRACT_WARN, th.BLUE_DARK),
    ("maintenance retry", th.DARK_MUTED, th.BLUE_DARK),
]


@pytest.mark.parametrize("kind", sorted(th.TILE_KINDS))
def test_every_button_kind_meets_body_text_contrast(kind):
    background, text = th.TILE_KINDS[kind]
    shown = over(background, BUTTON_BACKDROP.get(kind, th.WHITE))
    assert contrast(text, shown) >= BODY, f"{kind}: {contrast(text, shown):.2f}:1"


@pytest.mark.parametrize("name,text,background", TEXT_ON, ids=[p[0] for p in TEXT_ON])
def test_text_colours_meet_body_text_contrast_on_their_backgrounds(name, text, background):
    assert contrast(text, background) >= BODY, f"{name}: {contrast(text, background):.2f}:1"


def _rgba(color) -> tuple:
    return tuple(round(c, 3) for c in color)


CHECKED_TEXT = {_rgba(text) for _, text, _ in TEXT_ON} | {_rgba(text) for _, text in th.TILE_KINDS.values()}


def unchecked_text_colours(widgets) -> list[str]:
    """Text shown by the real app in a colour these tests never check (one written into a screen's
    code instead of taken from the theme). Used on every screen by test_screenshots."""
    found = []
    for w in widgets:
        if getattr(w, "text", "").strip() and hasattr(w, "disabled_color") and w.get_root_window() is not None:
            colour = _rgba(w.disabled_color if w.disabled else w.color)
            if colour not in CHECKED_TEXT:
                found.append(f"{colour} for {w.text[:30]!r}")
    return found
