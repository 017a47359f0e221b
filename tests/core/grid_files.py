"""Grid files for tests: the bundled grid as data, changed at will and written back as TOML."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from escap_desktop.core.rules.grid import default_grid_path


def bundled_grid_data() -> dict[str, Any]:
    """A fresh, mutable copy of the bundled grid file's content."""
    return tomllib.loads(default_grid_path().read_text(encoding="utf-8"))


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_value(element) for element in value) + "]"
    raise TypeError(value)


def _table(values: dict[str, Any]) -> list[str]:
    return [f"{key} = {_value(value)}" for key, value in values.items()]


def render(data: dict[str, Any]) -> str:
    """TOML text for grid-shaped data (top-level scalars, [tables] and [[arrays of tables]])."""
    lines = [f"{key} = {_value(value)}" for key, value in data.items() if not _is_section(value)]
    for key, value in data.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]", *_table(value)]
        elif _is_section(value):
            for table in value:
                lines += ["", f"[[{key}]]", *_table(table)]
    return "\n".join(lines) + "\n"


def _is_section(value: Any) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)
    )


def write_grid(folder: Path, data: dict[str, Any], name: str = "grille.toml") -> Path:
    path = folder / name
    path.write_text(render(data), encoding="utf-8")
    return path


def item(data: dict[str, Any], item_id: str) -> dict[str, Any]:
    return next(entry for entry in data["items"] if entry.get("id") == item_id)
