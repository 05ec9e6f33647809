"""A hall file's validation errors as its author can act on them: where (服务 #3「养老保险」, not
`services.2`), what, in Chinese and English, without pydantic's jargon or links."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

# Top-level lists and how an item of each is named: by its position from 1 and its name or number.
_SECTIONS = {
    "services": ("服务", "service"),
    "windows": ("窗口", "window"),
    "departments": ("部门", "department"),
    "priority_classes": ("优先类别", "priority class"),
    "topics": ("主题", "topic"),
    "floors": ("楼层", "floor"),
    "materials": ("材料", "material"),
}


def _item(data: Any, key: Any) -> Any:
    try:
        return data[key]
    except (KeyError, IndexError, TypeError):
        return None


def _where(loc: tuple, data: Any) -> tuple[str, str]:
    zh: list[str] = []
    en: list[str] = []
    node = data
    i = 0
    while i < len(loc):
        key = loc[i]
        child = _item(node, key)
        if key in _SECTIONS and i + 1 < len(loc) and isinstance(loc[i + 1], int):
            item = _item(child, loc[i + 1])
            label = ""
            if isinstance(item, dict):
                label = item.get("name") or item.get("number") or item.get("code") or ""
            name_zh, name_en = _SECTIONS[key]
            if key == "windows" and isinstance(item, dict) and "number" in item:  # a window is its number
                zh.append(f"{item['number']} 号窗口")
                en.append(f"window {item['number']}")
                node, i = item, i + 2
                continue
            zh.append(f"{name_zh} #{loc[i + 1] + 1}" + (f"「{label}」" if label != "" else ""))
            en.append(f"{name_en} #{loc[i + 1] + 1}" + (f" ({label})" if label != "" else ""))
            node, i = item, i + 2
            continue
        if isinstance(key, str) and key not in ("function-after", "function-before"):
            zh.append(key)
            en.append(key)
        node, i = child, i + 1
    return "的".join(zh), " > ".join(en)


def _what(error: ErrorDetails) -> tuple[str, str]:
    kind, ctx, field = error["type"], error.get("ctx") or {}, str(error["loc"][-1]) if error["loc"] else ""
    if kind == "missing":
        return f"缺少 {field}", f"{field} is missing"
    if kind == "extra_forbidden":
        return f"不认识 {field}（拼写错误？）", f"{field} is not a field the hall file knows (a typo?)"
    if kind == "string_pattern_mismatch" and field == "prefix":
        return (
            "号票字头应为一个大写字母，不用 I 和 O（易与 1、0 混淆）",
            "a prefix is one capital letter, not I or O (read as 1 and 0)",
        )
    if kind == "string_pattern_mismatch":
        return "只能用小写字母、数字和连字符", "use lower-case letters, digits and hyphens only"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": "≥", "less_than": "<", "less_than_equal": "≤"}[kind]
        bound = next(iter(ctx.values()), "")
        return (
            f"应 {sign} {bound}（现为 {error.get('input')!r}）",
            f"must be {sign} {bound} (it is {error.get('input')!r})",
        )
    if kind in ("string_too_long", "string_too_short"):
        limit = ctx.get("max_length", ctx.get("min_length"))
        most = kind == "string_too_long"
        return (
            f"应{'不超过' if most else '至少'} {limit} 个字（现为 {len(str(error.get('input')))} 个）",
            f"must be at {'most' if most else 'least'} {limit} characters (it is {len(str(error.get('input')))})",
        )
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"应为整数（现为 {error.get('input')!r}）", f"must be a whole number (it is {error.get('input')!r})"
    if kind in ("float_parsing", "float_type"):
        return f"应为数字（现为 {error.get('input')!r}）", f"must be a number (it is {error.get('input')!r})"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        shape = {"list_type": ("列表", "a list")}.get(kind, ("一组字段", "a mapping of fields"))
        return f"应为{shape[0]}", f"must be {shape[1]}"
    if kind == "value_error":
        return _pairs(str(ctx.get("error", error["msg"])))[0]
    return error["msg"], error["msg"]


def _pairs(text: str) -> list[tuple[str, str]]:
    """The hall's own checks say each problem as a Chinese line followed by its English line."""
    lines = text.splitlines() or [""]
    if len(lines) % 2:
        return [(line, line) for line in lines]
    return list(zip(lines[::2], lines[1::2], strict=True))


def explain(error: ValidationError, data: Any) -> str:
    lines = []
    for e in error.errors(include_url=False):
        loc = tuple(e["loc"])
        if e["type"] == "value_error" and not loc:  # the cross-checks: each names its own place
            lines += [f"- {zh}\n  {en}" for zh, en in _pairs(str((e.get("ctx") or {}).get("error", e["msg"])))]
            continue
        what_zh, what_en = _what(e)
        if e["type"] in ("missing", "extra_forbidden") and loc and isinstance(loc[-1], str):
            loc = loc[:-1]  # the field is named in what is said about it
        elif loc and isinstance(loc[-1], str):
            what_zh, what_en = f"{loc[-1]}：{what_zh}", f"{loc[-1]}: {what_en}"
            loc = loc[:-1]
        where_zh, where_en = _where(loc, data)
        joint = "的 " if where_zh and not what_zh.startswith(("缺少", "不认识")) else ""
        lines.append(f"- {where_zh or '文件中'}{joint}{what_zh}\n  {where_en or 'the file'}: {what_en}")
    return "\n".join(lines)
