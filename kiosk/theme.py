"""The kiosk's colours (RGBA, 0-1), without Kivy, so their contrast can be checked on their own.
Every text colour meets WCAG 2's 4.5:1 on the backgrounds it is drawn on (tests/kiosk/test_contrast.py):
a kiosk is read standing, in a bright hall, often by older eyes."""

from __future__ import annotations

# A calm government-service palette: blue for actions, red for the number, green for done.
BLUE = (0.09, 0.33, 0.68, 1)
BLUE_DARK = (0.05, 0.23, 0.50, 1)
BLUE_LIGHT = (0.88, 0.93, 0.99, 1)
RED = (0.76, 0.14, 0.10, 1)
ORANGE = (0.74, 0.34, 0.02, 1)
ORANGE_LIGHT = (1.0, 0.95, 0.86, 1)
ORANGE_TEXT = (0.55, 0.25, 0.0, 1)  # a message on ORANGE_LIGHT
GREEN = (0.06, 0.45, 0.22, 1)
GREEN_LIGHT = (0.90, 0.97, 0.92, 1)
BG = (0.95, 0.96, 0.98, 1)
WHITE = (1, 1, 1, 1)
TEXT = (0.12, 0.14, 0.19, 1)
MUTED = (0.38, 0.41, 0.47, 1)
GREY = (0.86, 0.87, 0.90, 1)  # a disabled button
GREYED = (0.93, 0.93, 0.94, 1)  # a service that cannot be taken now
GREY_TEXT = (0.36, 0.38, 0.42, 1)
RED_LIGHT = (0.99, 0.91, 0.90, 1)
HEADER_TINT = (1, 1, 1, 0.14)  # header buttons, over BLUE
ATTRACT_SUB = (0.85, 0.9, 1, 1)  # on BLUE and BLUE_DARK (the attract and maintenance screens)
ATTRACT_WARN = (1, 0.85, 0.6, 1)  # on BLUE and BLUE_DARK
DARK_MUTED = (0.75, 0.8, 0.9, 1)  # secondary text on BLUE_DARK

# Button kinds: (background, text).
TILE_KINDS = {
    "primary": (BLUE, WHITE),
    "secondary": (WHITE, BLUE_DARK),
    "light": (BLUE_LIGHT, BLUE_DARK),
    "ghost": ((1, 1, 1, 0), BLUE_DARK),
    "danger": (RED, WHITE),
    "warn": (ORANGE, WHITE),
    "ok": (GREEN, WHITE),
    "header": (HEADER_TINT, WHITE),
}
