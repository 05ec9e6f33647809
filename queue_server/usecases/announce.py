"""What the hall board says when a ticket is called."""
from __future__ import annotations

from urllib.parse import quote

_DIGITS = "零一二三四五六七八九"


def call_text(number: str, window: int) -> str:
    return f"请 {number} 号到 {window} 号窗口办理"


def speech_text(number: str, window: int) -> str:
    # Letters spelled and ticket digits read one by one (A012 -> "A 零一二") so 012 is never
    # heard as "twelve"; the window is read as a number ("5号窗口").
    letters = " ".join(ch for ch in number if ch.isalpha())
    digits = "".join(_DIGITS[int(ch)] for ch in number if ch.isdigit())
    return f"请 {letters} {digits} 号，到 {window} 号窗口办理"


def audio_url(hall: str, number: str, window: int) -> str:
    return f"/api/halls/{hall}/announcements.wav?text={quote(speech_text(number, window))}"
