"""Reading an enum back from a combo box.

Qt stores a ``StrEnum`` item data as a plain ``str`` (it is a str subclass), so the value read
back must be turned into the enum again, or ``is`` comparisons in the rules would fail.
"""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

from PySide6.QtWidgets import QComboBox

E = TypeVar("E", bound=Enum)


def combo_enum(combo: QComboBox, kind: type[E]) -> E | None:
    """The current item's data as a ``kind`` member, or None for an item without data."""
    value = combo.currentData()
    return None if value is None else kind(value)
