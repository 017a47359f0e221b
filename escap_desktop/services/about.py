"""What the "À propos" box lists: the bundled components, their versions and licence files.

Support reads this box when something is broken, so nothing here may fail: a missing or
unreadable list gives an empty one. The GUI only lays it out (ui/about_dialog.py); the versions
of the libraries that have no distribution metadata of their own (SQLCipher, Python) come from
probes, the store's for SQLCipher.
"""

from __future__ import annotations

import importlib.metadata
import platform
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from escap_desktop.store.engine import sqlcipher_version

COMPONENTS_FILE = Path("licences") / "components.toml"
UNKNOWN = "—"


@dataclass(frozen=True, slots=True)
class BundledComponent:
    name: str
    version: str
    licence: str
    note: str
    licence_file: Path | None


def bundled_components(resources: Path) -> list[BundledComponent]:
    """The components listed in ``resources/licences/components.toml``, with their versions.

    A missing or unreadable list gives an empty one: the dialog must open whatever happened
    to the installation (it is what support looks at when something is broken).
    """
    folder = resources
    try:
        with (folder / COMPONENTS_FILE).open("rb") as file:
            entries = tomllib.load(file).get("component", [])
    except (OSError, tomllib.TOMLDecodeError):
        return []
    components = []
    for entry in entries:
        distribution = entry.get("distribution")
        version = _distribution_version(distribution) if distribution else ""
        probe = _PROBES.get(str(entry.get("probe", "")))
        if probe is not None:
            version = probe()
        text_file = folder / entry["file"] if entry.get("file") else None
        components.append(
            BundledComponent(
                name=str(entry.get("name", UNKNOWN)),
                version=version or UNKNOWN,
                licence=str(entry.get("licence", UNKNOWN)),
                note=str(entry.get("note", "")),
                licence_file=text_file,
            )
        )
    return components


_PROBES: dict[str, Callable[[], str]] = {
    "sqlcipher": sqlcipher_version,
    "python": platform.python_version,
}


def _distribution_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""
