"""Line wrapping for mixed Chinese and Latin text on a fixed number of half-width columns.

Chinese may break between any two characters; Latin words, numbers and URLs break only at spaces
unless a single word is wider than the line. Closing punctuation never starts a line and opening
punctuation never ends one (the usual Chinese line-breaking rule, 避头尾)."""

from __future__ import annotations

from devices.printer.gbk import char_width, text_width

_NO_LINE_START = set("，。、；：？！）》」』】〕…—％’”·")
_NO_LINE_END = set("（《「『【〔‘“")


def _units(paragraph: str) -> list[str]:
    """Split into unbreakable pieces: a Latin word, a space, or one wide character, with
    punctuation glued to its neighbour."""
    units: list[str] = []
    word = ""
    for ch in paragraph:
        if ch != " " and char_width(ch) == 1:
            word += ch
            continue
        if word:
            units.append(word)
            word = ""
        units.append(ch)
    if word:
        units.append(word)
    glued: list[str] = []
    carry = ""
    for unit in units:
        if unit in _NO_LINE_START and glued and glued[-1] != " ":
            glued[-1] += unit
        elif unit in _NO_LINE_END:
            carry += unit
        else:
            glued.append(carry + unit)
            carry = ""
    if carry:
        glued.append(carry)
    return glued


def _hard_split(unit: str, width: int) -> list[str]:
    pieces, piece = [], ""
    for ch in unit:
        if piece and text_width(piece) + char_width(ch) > width:
            pieces.append(piece)
            piece = ""
        piece += ch
    return pieces + [piece]


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """Wrap to `width` columns; continuation lines start with `indent` spaces (a hanging indent
    that keeps "label：value" blocks readable). Explicit newlines are kept."""
    if width <= indent:
        raise ValueError(f"width {width} leaves no room after an indent of {indent}")
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = " " * (len(paragraph) - len(paragraph.lstrip(" ")))
        prefix = ""
        for unit in _units(paragraph.lstrip(" ")):
            room = width - len(prefix)
            if unit == " ":
                if current:
                    current += " "
                continue
            if text_width(current) + text_width(unit) <= room:
                current += unit
                continue
            if current.strip():
                lines.append(prefix + current.rstrip())
                prefix = " " * indent
                room = width - indent
            pieces = _hard_split(unit, room) if text_width(unit) > room else [unit]
            for piece in pieces[:-1]:
                lines.append(prefix + piece)
                prefix = " " * indent
            current = pieces[-1]
        lines.append(prefix + current.rstrip())
    return lines
