"""A font that can draw Chinese: from the configuration, or what fontconfig picks for zh-cn.

Kivy's text renderer opens the first face of a font collection (.ttc). In fonts-noto-cjk's
collection that is the Japanese face, which draws many shared characters (户, 骨, 直, 说 …) the
Japanese way; fontconfig names the Simplified Chinese face by its index, so that face is copied out
of the collection into a standalone font file once and cached."""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

FONT_PACKAGE = "fonts-noto-cjk"
PATTERN = "sans-serif:lang=zh-cn"
SFNT_MAGICS = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf")


class FontMissing(Exception):
    """No usable CJK font; the message names the package to install."""


@dataclass(frozen=True)
class FontFiles:
    regular: Path
    bold: Path


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hallq-kiosk"


def find_cjk_font(
    configured: Path | None = None,
    configured_bold: Path | None = None,
    cache_dir: Path | None = None,
    fc_match: str | None = None,
) -> FontFiles:
    cache_dir = cache_dir or default_cache_dir()
    if configured is not None:
        regular = _checked(Path(configured), "font")
        bold = _checked(Path(configured_bold), "font_bold") if configured_bold else regular
        return FontFiles(_single_face(regular, 0, cache_dir), _single_face(bold, 0, cache_dir))
    fc_match = fc_match or shutil.which("fc-match")
    if not fc_match:
        raise FontMissing(
            "no CJK font: fontconfig's fc-match is not installed, so none can be looked up. Install "
            f"fontconfig and {FONT_PACKAGE} (apt-get install fontconfig {FONT_PACKAGE}), or set "
            '`font = "/path/to/font.ttf"` in the kiosk configuration'
        )
    found = _match(fc_match, PATTERN)
    if found is None:
        raise FontMissing(
            f"no font for Chinese text (fc-match '{PATTERN}' found none). Install {FONT_PACKAGE} "
            f'(apt-get install {FONT_PACKAGE}), or set `font = "/path/to/font.ttf"` in the kiosk configuration'
        )
    found_bold = _match(fc_match, PATTERN + ":weight=bold") or found
    return FontFiles(_single_face(*found, cache_dir), _single_face(*found_bold, cache_dir))


def _checked(path: Path, field: str) -> Path:
    if not path.is_file():
        raise FontMissing(
            f"{field} = {str(path)!r} in the kiosk configuration does not exist; "
            f"point it at a CJK font file, or remove it to use {FONT_PACKAGE} through fontconfig"
        )
    with path.open("rb") as fh:
        if fh.read(4) not in SFNT_MAGICS:
            raise FontMissing(f"{field} = {str(path)!r} is not a TrueType/OpenType font file")
    return path


def _match(fc_match: str, pattern: str) -> tuple[Path, int] | None:
    try:
        out = subprocess.run(
            [fc_match, "--format=%{file}\n%{index}\n%{lang}\n", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    lines = out.split("\n")
    if len(lines) < 3 or not lines[0]:
        return None
    path, index, langs = Path(lines[0]), int(lines[1] or 0), lines[2].split("|")
    # fc-match always answers with something; only a font covering Simplified Chinese will do.
    if "zh-cn" not in langs or not path.is_file():
        return None
    return path, index


def _single_face(path: Path, index: int, cache_dir: Path) -> Path:
    """The font file itself, or for a collection a cached copy of face `index` alone."""
    with path.open("rb") as fh:
        if fh.read(4) != b"ttcf":
            return path
    stat = path.stat()
    target = cache_dir / f"{path.stem}-{index}-{stat.st_size}-{int(stat.st_mtime)}.otf"
    if target.is_file():
        return target
    data = extract_face(path.read_bytes(), index)
    cache_dir.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target


def extract_face(collection: bytes, index: int) -> bytes:
    """Face `index` of a TrueType/OpenType collection as a standalone font: its table directory,
    with each table's bytes copied after it (the tables are shared in the collection)."""
    if collection[:4] != b"ttcf":
        raise ValueError("not a font collection")
    count = struct.unpack_from(">I", collection, 8)[0]
    if not 0 <= index < count:
        raise ValueError(f"face {index} of a collection with {count} faces")
    start = struct.unpack_from(">I", collection, 12 + 4 * index)[0]
    version, num_tables, search_range, selector, shift = struct.unpack_from(">4sHHHH", collection, start)
    records = [struct.unpack_from(">4sIII", collection, start + 12 + 16 * i) for i in range(num_tables)]
    header = struct.pack(">4sHHHH", version, num_tables, search_range, selector, shift)
    offset = len(header) + 16 * num_tables
    directory, body = [], []
    for tag, checksum, table_offset, length in records:
        directory.append(struct.pack(">4sIII", tag, checksum, offset, length))
        chunk = collection[table_offset : table_offset + length]
        chunk += b"\x00" * (-len(chunk) % 4)
        body.append(chunk)
        offset += len(chunk)
    return header + b"".join(directory) + b"".join(body)


def face_family(font: bytes) -> str:
    """The family name (name ID 1, Windows Unicode) of a standalone font; for checks and logs."""
    num_tables = struct.unpack_from(">H", font, 4)[0]
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", font, 12 + 16 * i)
        if tag != b"name":
            continue
        _, count, strings = struct.unpack_from(">HHH", font, offset)
        for j in range(count):
            platform, encoding, _, name_id, length, str_offset = struct.unpack_from(
                ">HHHHHH", font, offset + 6 + 12 * j
            )
            if name_id == 1 and platform == 3 and encoding in (1, 10):
                raw = font[offset + strings + str_offset : offset + strings + str_offset + length]
                return raw.decode("utf-16-be")
    return ""
