"""Finding a matter by what people type on the kiosk's letter keypad or say in their own words:
Chinese text ("营业执照"), pinyin initials ("bdc" for 不动产), full pinyin ("budongchan") or
English words. Pure: built from the server's service list, no window needed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pypinyin import Style, lazy_pinyin

_CJK = re.compile(r"[\u3400-\u9fff]")
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u9fff]+")


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def spellings(text: str) -> tuple[str, str]:
    """(initials, full pinyin) of a Chinese phrase, lower case, without tones or punctuation:
    "不动产登记" -> ("bdcdj", "budongchandengji"). Latin letters and digits are kept as they are."""
    chars = "".join(ch for ch in text if _CJK.match(ch) or ch.isascii() and ch.isalnum())
    if not chars:
        return "", ""
    full = lazy_pinyin(chars, style=Style.NORMAL, errors="default")
    initials = lazy_pinyin(chars, style=Style.FIRST_LETTER, errors="default")
    return "".join(initials).lower(), "".join(full).lower()


@dataclass
class _Entry:
    code: str
    name: str
    texts: list[str] = field(default_factory=list)  # Chinese: name first, then keywords, department
    initials: list[str] = field(default_factory=list)
    fulls: list[str] = field(default_factory=list)
    english: str = ""


@dataclass(frozen=True)
class Hit:
    code: str
    score: int


class ServiceIndex:
    """Built once per service list (names, keywords and department names change rarely)."""

    def __init__(self, services: Iterable[dict], departments: Iterable[dict] = ()):
        dept_names = {d["code"]: d.get("name", "") for d in departments}
        self.entries: list[_Entry] = []
        for s in services:
            texts = [s["name"], *s.get("keywords", []), dept_names.get(s.get("department", ""), "")]
            texts = [x for x in texts if x]
            entry = _Entry(
                code=s["code"],
                name=s["name"],
                texts=texts,
                english=_NOT_WORD.sub(" ", s.get("name_en", "").lower()).strip(),
            )
            for text in texts:
                ini, full = spellings(text)
                entry.initials.append(ini)
                entry.fulls.append(full)
            self.entries.append(entry)

    def search(self, query: str, limit: int = 30) -> list[str]:
        """Service codes, best first. Matching on the service's own name outranks its keywords,
        which outrank its department; a match at the start outranks one inside."""
        q = _NOT_WORD.sub("", query.strip().lower())
        if not q:
            return []
        hits = []
        for order, entry in enumerate(self.entries):
            score = self._score(entry, q, query)
            if score > 0:
                hits.append((-score, order, entry.code))
        hits.sort()
        return [code for _, _, code in hits[:limit]]

    @staticmethod
    def _score(entry: _Entry, q: str, raw: str) -> int:
        best = 0
        n = len(entry.texts)
        for i, text in enumerate(entry.texts):
            weight = 3 if i == 0 else (1 if i == n - 1 and n > 1 else 2)  # name, keyword, department
            if has_cjk(q):
                plain = _NOT_WORD.sub("", text.lower())
                if plain.startswith(q):
                    best = max(best, weight * 10 + 5)
                elif q in plain:
                    best = max(best, weight * 10)
                continue
            ini, full = entry.initials[i], entry.fulls[i]
            if ini.startswith(q) or full.startswith(q):
                best = max(best, weight * 10 + 4)
            elif len(q) >= 2 and (q in ini or q in full):
                best = max(best, weight * 10 + 1)
        if not has_cjk(q) and len(q) >= 3:
            words = entry.english.split()
            if any(w.startswith(q) for w in words):
                best = max(best, 25)  # an English word typed on purpose
            elif q in entry.english.replace(" ", ""):
                best = max(best, 11)
        return best
