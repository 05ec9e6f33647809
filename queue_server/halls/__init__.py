"""Hall configuration files. `demo.yaml` is the demo hall; `calendar-cn-*.yaml` are the national
holiday calendars a hall file may list under `calendar.files`."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from ..domain.hall import Hall
from .explain import explain

HERE = Path(__file__).parent
DEMO = HERE / "demo.yaml"


class HallFileError(ValueError):
    pass


def _yaml(path: Path):
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise HallFileError(f"无法读取 {path}：{e.strerror}\ncannot read {path}: {e.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Notepad on a Chinese Windows saves GBK: say so rather than show a decoding traceback.
        raise HallFileError(
            f"{path} 不是 UTF-8 编码（可能是 GBK），请用 UTF-8 另存后再加载\n"
            f"{path} is not UTF-8 (GBK?); save it as UTF-8 and load it again"
        ) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise HallFileError(f"{path} 的 YAML 格式有误：{e}\n{path} is not valid YAML: {e}") from None


def _as_list(value) -> list:
    """Calendar entries as a list (a mapping becomes one-key mappings), so files can be joined."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [{k: v} for k, v in value.items()]
    return list(value) if isinstance(value, list) else [value]


def _with_calendar_files(data, base: Path):
    """Joins the calendar files a hall lists (`calendar: {files: [...]}`) into its calendar. A file
    is looked for beside the hall file, then among the calendars shipped here. The hall's own
    entries come last, so they win over a file's."""
    if not isinstance(data, dict) or not isinstance(data.get("calendar"), dict):
        return data
    calendar = dict(data["calendar"])
    files = calendar.pop("files", []) or []
    joined: dict[str, list] = {"holidays": [], "workdays": [], "hours": []}
    for name in files if isinstance(files, list) else [files]:
        path = next((p for p in (base / str(name), HERE / str(name)) if p.is_file()), None)
        if path is None:
            raise HallFileError(f"calendar file {name!r} not found beside the hall file or in {HERE}")
        content = _yaml(path) or {}
        if not isinstance(content, dict):
            raise HallFileError(f"calendar file {path} must hold `holidays:` and `workdays:`")
        for key in joined:
            joined[key] += _as_list(content.get(key))
    for key in joined:
        joined[key] += _as_list(calendar.get(key))
        if joined[key]:
            calendar[key] = joined[key]
    return data | {"calendar": calendar}


def read_hall(path: Path) -> Hall:
    data = _with_calendar_files(_yaml(path), path.parent)
    try:
        return Hall.model_validate(data)
    except ValidationError as e:
        raise HallFileError(f"大厅文件 {path} 有误 / hall file {path} is not valid:\n{explain(e, data)}") from None
