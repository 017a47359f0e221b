"""Driving the services' step generators (backup, restore, sync) to their end in tests."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, TypeVar

T = TypeVar("T")


def run(generator: Generator[Any, None, T]) -> T:
    """Drives a service generator to its end, as the CLI and the GUI runner do; returns its
    result."""
    while True:
        try:
            next(generator)
        except StopIteration as stop:
            return stop.value  # type: ignore[no-any-return]
