"""The folders are the layers: every import of every module points down (docs/architecture.md).

Read from the code's own imports — those under ``if TYPE_CHECKING`` and inside functions too,
relative ones resolved — so the picture in the architecture page cannot drift from the code. A
wrong arrow is reported with the file, the line and the rule it breaks.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.imports import import_statements

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("escap_desktop", "escap_relay")

# Most specific first: a module belongs to the first layer whose prefix it has.
LAYER_OF_PREFIX = (
    ("escap_desktop.core", "core"),
    ("escap_desktop.store", "store"),
    ("escap_desktop.sync.wire", "wire"),
    ("escap_desktop.sync", "sync"),
    ("escap_desktop.mail", "mail"),
    ("escap_desktop.documents", "documents"),
    ("escap_desktop.exports", "exports"),
    ("escap_desktop.imports", "imports"),
    ("escap_desktop.services", "services"),
    ("escap_desktop.ui", "ui"),
    ("escap_desktop.cli", "cli"),
    ("escap_desktop.__main__", "cli"),
    ("escap_desktop.logging_setup", "base"),
    ("escap_desktop", "base"),
    ("escap_relay", "relay"),
)

# What each layer may import besides itself, and why (the same table is in docs/architecture.md).
ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    "base": (frozenset(), "the package's version and logging set-up import nothing of ours"),
    "core": (frozenset({"base"}), "core (the domain) imports nothing outside core"),
    "store": (frozenset({"core", "base"}), "store imports only core"),
    "wire": (frozenset({"base"}), "the wire format imports nothing of ours"),
    "sync": (
        frozenset({"core", "store", "wire", "base"}),
        "sync imports only core, the wire format and the store (its state commits with records)",
    ),
    "mail": (
        frozenset({"core", "store", "base"}),
        "the mail adapter imports only core and the store (its outbox and the keyring rules)",
    ),
    "documents": (frozenset({"core", "base"}), "documents import only core"),
    "exports": (frozenset({"core", "documents", "base"}), "exports import only core and documents"),
    "imports": (
        frozenset({"core", "exports", "base"}),
        "the identity readers import only core and exports (the FHIR profiles the export writes)",
    ),
    "services": (
        frozenset(
            {"core", "store", "wire", "sync", "mail", "documents", "exports", "imports"} | {"base"}
        ),
        "use cases import the adapters and core, never ui or cli",
    ),
    "ui": (frozenset({"services", "core", "base"}), "the GUI calls the use cases and core only"),
    "cli": (
        frozenset(
            {"ui", "services", "core", "store", "wire", "sync", "mail", "documents", "exports"}
            | {"imports", "relay", "base"}
        ),
        "the command line is an entry point: it may start the GUI or the relay",
    ),
    "relay": (frozenset({"wire", "base"}), "the relay imports only the wire format and the clock"),
}

# Single modules a layer may reach outside its table, each with its reason.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("relay", "escap_desktop.core.clock"): "the relay reads the same clock as the app",
    ("ui", "escap_desktop.store"): (
        "type only (if TYPE_CHECKING): the open store is handed over to the backup service"
    ),
}


def layer_of(module: str) -> str | None:
    for prefix, layer in LAYER_OF_PREFIX:
        if module == prefix or module.startswith(prefix + "."):
            return layer
    return None


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module of ours an import names: ``from a import b`` names ``a.b`` when that is
    a module of ours in a layer (``from escap_desktop import services``), else ``a``."""
    name = module_name(path, root)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: list[tuple[int, str]] = []
    for statement in import_statements(path, package):
        base = statement.module
        if not statement.names:
            found.append((statement.line, base))
        for full in statement.names:
            specific = layer_of(full) not in (None, layer_of(base)) or base == "escap_desktop"
            found.append((statement.line, full if specific and layer_of(full) else base))
    return [(line, module) for line, module in found if layer_of(module) is not None]


def wrong_arrows(root: Path) -> list[str]:
    offenders = []
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            source = layer_of(module_name(path, root))
            assert source is not None, path
            allowed, rule = ALLOWED[source]
            for line, module in imports_of(path, root):
                target = layer_of(module)
                if target == source or target in allowed:
                    continue
                if any(layer == source and module == name for layer, name in EXCEPTIONS):
                    continue
                where = path.relative_to(root).as_posix()
                offenders.append(f"{where}:{line} imports {module} — {rule}")
    return offenders


def test_every_import_points_down_the_layers() -> None:
    assert wrong_arrows(ROOT) == []


def test_core_imports_nothing_outside_core() -> None:
    outside = [arrow for arrow in wrong_arrows(ROOT) if arrow.startswith("escap_desktop/core/")]
    core = ROOT / "escap_desktop" / "core"
    reached = {
        layer_of(module) for path in core.rglob("*.py") for _line, module in imports_of(path, ROOT)
    }
    assert outside == []
    assert reached <= {"core", "base"}


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "escap_desktop/core/rules/x.py",
            "from escap_desktop.store import Store\n",
            "core (the domain) imports nothing outside core",
        ),
        (
            "escap_desktop/core/rules/x.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
            "    from escap_desktop import services\n",
            "core (the domain) imports nothing outside core",
        ),
        (
            "escap_desktop/store/x.py",
            "def f():\n    from ..sync import outbox\n",
            "store imports only core",
        ),
        (
            "escap_desktop/services/x.py",
            "import escap_desktop.ui.app\n",
            "use cases import the adapters and core, never ui or cli",
        ),
        (
            "escap_desktop/ui/x.py",
            "from escap_desktop.sync.outbox import Outbox\n",
            "the GUI calls the use cases and core only",
        ),
        (
            "escap_desktop/ui/x.py",
            "from escap_desktop.mail.smtp_sender import SmtpSender\n",
            "the GUI calls the use cases and core only",
        ),
        (
            "escap_desktop/mail/x.py",
            "from escap_desktop.services import mssante\n",
            "the mail adapter imports only core and the store (its outbox and the keyring rules)",
        ),
        (
            "escap_relay/x.py",
            "from escap_desktop.store import Store\n",
            "the relay imports only the wire format and the clock",
        ),
    ],
)
def test_the_check_reports_each_wrong_arrow_with_its_rule(
    tmp_path: Path, path: str, text: str, expected: str
) -> None:
    """Guards the guard: each spelling of a wrong arrow is reported, with the rule broken."""
    for package in PACKAGES:
        (tmp_path / package).mkdir()
    target = tmp_path / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    (tmp_path / "escap_desktop" / "services").mkdir(exist_ok=True)
    (tmp_path / "escap_desktop" / "services" / "ok.py").write_text(
        "from escap_desktop.store import Store\nfrom escap_desktop.core.clock import Clock\n"
    )
    [arrow] = wrong_arrows(tmp_path)
    assert arrow.startswith(f"{path}:")
    assert arrow.endswith(expected)
