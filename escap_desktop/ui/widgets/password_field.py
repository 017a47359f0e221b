"""A masked line edit for a passphrase, with a hint of what to type."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit


def password_field(placeholder: str) -> QLineEdit:
    """One spelling for every passphrase field, so none of them shows what is typed."""
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field
