"""The list of subcommand modules; each has ``register(subparsers)`` setting ``handler``."""

from __future__ import annotations

from types import ModuleType

ALL: list[ModuleType] = []
