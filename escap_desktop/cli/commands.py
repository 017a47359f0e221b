"""The list of subcommand modules; each has ``register(subparsers)`` setting ``handler``."""

from __future__ import annotations

from types import ModuleType

from escap_desktop.cli import (
    audit_cmd,
    backup_cmd,
    demo_cmd,
    directory_cmd,
    export_cmd,
    forget_cmd,
    grid_cmd,
    patients_cmd,
    protection_cmd,
    relay_cmd,
    sync_cmd,
)

ALL: list[ModuleType] = [
    demo_cmd,
    grid_cmd,
    relay_cmd,
    patients_cmd,
    export_cmd,
    backup_cmd,
    directory_cmd,
    audit_cmd,
    forget_cmd,
    protection_cmd,
    sync_cmd,
]
