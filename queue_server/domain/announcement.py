"""What the hall says when a ticket is called, as the names of the voice pack's clips.

An announcement is assembled from short clips (请, 号, 到, 号窗口, the digits, the letters…), so the
same words always sound the same and a hall may record its own. This module only decides which clips
in which order: A012 to window 26 is 请 · A · 零 一 二 · 号 · 到 · 二 十 六 · 号窗口.
The ticket's letter is spelled and followed by a pause, its digits are read one by one (012 is never
"twelve"), and the window is read as a number (二十六号窗口).
"""

from __future__ import annotations

from dataclasses import dataclass

DIGITS = "零一二三四五六七八九"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Tokens that are not clips: the assembler turns them into silence of the hall's length.
PAUSE = "_pause"  # after the letter and between the parts of a call
GAP = "_gap"  # between the repeats of one announcement

CHIME = "chime"
# Clip name -> what the default pack says (the clip file is `<name>.wav`).
WORDS: dict[str, str] = (
    {
        "qing": "请",
        "hao": "号",
        "dao": "到",
        "hao-chuangkou": "号窗口",
        "zaici-hujiao": "再次呼叫",
        "shi": "十",
        "bai": "百",
        "qian": "千",
    }
    | {str(d): DIGITS[d] for d in range(10)}
    | {ch: ch for ch in LETTERS}
)
CLIPS: tuple[str, ...] = (CHIME, *WORDS)  # every clip a pack has; the chime is a sound, not a word

MAX_WINDOW = 9999


def ticket_words(number: str) -> list[str]:
    """A012 -> A, pause, 0, 1, 2: letters spelled, digits one by one."""
    if not number or not all(ch in LETTERS or ch.isdecimal() and ch.isascii() for ch in number):
        raise ValueError(f"a ticket number is capital letters and digits, not {number!r}")
    out: list[str] = []
    for prev, ch in zip(" " + number, number):
        if ch.isdigit() and prev in LETTERS:
            out.append(PAUSE)  # the letter stands apart, so "E 零零一" is not heard as "一零零一"
        out.append(ch)
    return out


def number_words(n: int) -> list[str]:
    """A window number read as a number: 26 -> 二 十 六, 10 -> 十, 105 -> 一 百 零 五, 1010 -> 一 千 零 一 十."""
    if not 0 <= n <= MAX_WINDOW:
        raise ValueError(f"window numbers are 0..{MAX_WINDOW}, not {n}")
    if n == 0:
        return ["0"]
    places = [(1000, "qian"), (100, "bai"), (10, "shi"), (1, None)]
    out: list[str] = []
    zero = False  # a skipped place owes one 零 before the next digit said (一百零五)
    for value, unit in places:
        d = n // value % 10
        if d == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("0")
            zero = False
        if not (value == 10 and d == 1 and n < 20):  # 十六, not 一十六; but 一百一十六
            out.append(str(d))
        if unit:
            out.append(unit)
    return out


def call_words(number: str, window: int, *, recall: bool = False, brief: bool = False) -> list[str]:
    """One saying of a call. Brief, when calls pile up on a board: "A 零一二 到二十六号", the number
    and the window only, in two thirds of the time."""
    ticket = ticket_words(number)
    if brief:
        return [*ticket, PAUSE, "dao", *number_words(window), "hao"]
    opening = ["zaici-hujiao", PAUSE] if recall else ["qing"]
    return [*opening, *ticket, "hao", PAUSE, "dao", *number_words(window), "hao-chuangkou"]


def announcement(number: str, window: int, *, repeat: int, recall: bool = False, brief: bool = False) -> list[str]:
    """The whole announcement: the chime, then the call `repeat` times (once when brief)."""
    words = call_words(number, window, recall=recall, brief=brief)
    if brief:
        return words
    out = [CHIME]
    for i in range(max(1, repeat)):
        out += [GAP, *words] if i else words
    return out


def spoken(words: list[str]) -> str:
    """The Mandarin the words stand for (pauses as spaces): what a listener hears, as text."""
    out: list[str] = []
    for w in words:
        if w in (PAUSE, GAP):
            out.append(" ")
        elif w != CHIME:
            out.append(WORDS[w])
    return " ".join("".join(out).split())


def call_text(number: str, window: int) -> str:
    """The line shown with a call (the board and the event carry it)."""
    return f"请 {number} 号到 {window} 号窗口办理"


@dataclass(frozen=True)
class Form:
    """One way the hall can announce a call (a prefix at a window, first call or recall, full or brief)."""

    number: str
    window: int
    recall: bool
    brief: bool

    def words(self) -> list[str]:
        return call_words(self.number, self.window, recall=self.recall, brief=self.brief)


def forms(
    prefix_windows: dict[str, list[int]], sample_digits: tuple[str, ...] = ("012", "345", "678", "900")
) -> list[Form]:
    """Every announcement form of a hall: each prefix at each window serving it, with numbers that
    between them use every digit, first call and recall, full and brief."""
    return [
        Form(prefix + digits, window, recall, brief)
        for prefix, windows in sorted(prefix_windows.items())
        for window in sorted(set(windows))
        for digits in sample_digits
        for recall in (False, True)
        for brief in (False, True)
        if not (brief and recall)
    ]
