"""The GUI reaches the domain through the use cases (services) only (docs/architecture.md).

A widget that calls a rule directly bypasses what the service adds (the practice's clock, the
unit of work, the audit trail), so every module under ``escap_desktop/ui`` is read and its imports
checked, including those under ``if TYPE_CHECKING`` and inside functions.
"""

from __future__ import annotations

from pathlib import Path

import escap_desktop.ui
from tests.support.imports import import_statements

UI_DIR = Path(escap_desktop.ui.__file__).parent
FORBIDDEN = "escap_desktop.core.rules"


def _imported_modules(path: Path, root: Path, root_package: str) -> list[tuple[int, str]]:
    """Every module an import names; "from escap_desktop.core import rules" names the rules
    through its alias."""
    package = [*root_package.split("."), *path.parent.relative_to(root).parts]
    return [
        (found.line, next(filter(_reaches_rules, [found.module, *found.names]), found.module))
        for found in import_statements(path, package)
    ]


def _reaches_rules(module: str) -> bool:
    return module == FORBIDDEN or module.startswith(FORBIDDEN + ".")


def rule_imports(root: Path, root_package: str = "escap_desktop.ui") -> list[str]:
    offenders = []
    for path in sorted(root.rglob("*.py")):
        for line, module in _imported_modules(path, root, root_package):
            if _reaches_rules(module):
                offenders.append(f"{path.relative_to(root.parent)}:{line} imports {module}")
    return offenders


def test_no_gui_module_imports_the_domain_rules() -> None:
    assert rule_imports(UI_DIR) == []


def test_the_check_sees_every_way_of_importing_a_rule(tmp_path: Path) -> None:
    """Guards the guard: each spelling below must be reported, the service imports not."""
    ui = tmp_path / "ui"
    ui.mkdir()
    (ui / "plain.py").write_text("import escap_desktop.core.rules.team\n")
    (ui / "from_module.py").write_text("from escap_desktop.core.rules.grid import Grid\n")
    (ui / "from_package.py").write_text("from escap_desktop.core import rules\n")
    (ui / "late.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from escap_desktop.core.rules import identity\n"
        "def f() -> None:\n"
        "    from escap_desktop.core.rules import team\n"
    )
    (ui / "sub").mkdir()
    (ui / "sub" / "relative.py").write_text("from ...core.rules import team\n")
    (ui / "allowed.py").write_text(
        "from escap_desktop.services.form_checks import FormChecks\n"
        "from escap_desktop import services\n"
    )
    assert rule_imports(ui) == [
        "ui/from_module.py:1 imports escap_desktop.core.rules.grid",
        "ui/from_package.py:1 imports escap_desktop.core.rules",
        "ui/late.py:3 imports escap_desktop.core.rules",
        "ui/late.py:5 imports escap_desktop.core.rules",
        "ui/plain.py:1 imports escap_desktop.core.rules.team",
        "ui/sub/relative.py:1 imports escap_desktop.core.rules",
    ]
