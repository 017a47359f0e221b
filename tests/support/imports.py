"""Reading a module's imports the way the layer tests need them (tests/test_layers.py,
tests/ui/test_ui_layer.py): every statement, including those under ``if TYPE_CHECKING`` and
inside functions, with relative imports resolved."""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class ImportStatement:
    """``module`` is what is imported, or imported from; ``names`` the ``module.name`` of each
    name a ``from`` import takes (empty for a plain ``import``)."""

    line: int
    module: str
    names: tuple[str, ...] = ()


def import_statements(path: Path, package: Sequence[str]) -> list[ImportStatement]:
    """The imports of the file ``path``, which lives in the package ``package`` (its parts)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[ImportStatement] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [ImportStatement(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = list(package[: len(package) - node.level + 1])
                base = ".".join([*anchor, base] if base else anchor)
            names = tuple(f"{base}.{alias.name}" for alias in node.names)
            found.append(ImportStatement(node.lineno, base, names))
    return found
