"""Hall configuration files. `demo.yaml` is the demo hall."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from ..domain.hall import Hall

DEMO = Path(__file__).parent / "demo.yaml"


class HallFileError(ValueError):
    pass


def read_hall(path: Path) -> Hall:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise HallFileError(f"cannot read hall file {path}: {e}") from None
    try:
        return Hall.model_validate(data)
    except ValidationError as e:
        raise HallFileError(f"hall file {path} is not valid:\n{e}") from None
