"""Chinese text for ESC/POS printers, written by hand because python-escpos gets it wrong: its
MagicEncode never sends FS & (so Chinese printers print GBK bytes as code-page garbage), prefers
GB18030, and turns full-width punctuation such as ：（） into "?".

In Kanji mode (FS &) a Chinese printer reads every byte >= 0x81 as the lead byte of a two-byte GBK
character and prints it one full cell wide (two half-width columns); ASCII stays single-width."""

from __future__ import annotations

import codecs

KANJI_ON = b"\x1c\x26"  # FS &
KANJI_OFF = b"\x1c\x2e"  # FS .

# 〓 (GBK A1FE) is the mark Chinese typesetting uses for a missing glyph: the reader sees that a
# character was there, where dropping it could silently change a name.
MISSING = "〓"
_ERRORS = "hallq-gbk-missing"


def _replace_missing(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):  # registered for encoding only
        raise error
    return MISSING * (error.end - error.start), error.end


codecs.register_error(_ERRORS, _replace_missing)


def encode_gbk(text: str) -> bytes:
    """GBK bytes for the printer; each character outside GBK becomes one 〓."""
    return text.encode("gbk", errors=_ERRORS)


def char_width(ch: str) -> int:
    """Printed width in half-width columns: the printer decides by byte count, so we do too."""
    return len(encode_gbk(ch))


def text_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)
