"""A dialog that never loses what was typed: closing it with changes asks first.

Escape, the window's close button and "Annuler" all go through ``reject``; when the form is
dirty the professional is asked whether to discard. Tests (and callers that must not block)
can set ``discard_policy`` to answer in advance.
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtWidgets import QDialog, QMessageBox, QWidget


class DiscardPolicy(Enum):
    ASK = "ask"
    DISCARD = "discard"
    KEEP = "keep"


class GuardedDialog(QDialog):
    """Subclasses call ``mark_dirty()`` when something is typed."""

    DISCARD_QUESTION = "Vous avez saisi des informations qui ne sont pas enregistrées."

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._dirty = False
        self.discard_policy = DiscardPolicy.ASK

    def mark_dirty(self, *_args: object) -> None:
        self._dirty = True

    def mark_clean(self) -> None:
        self._dirty = False

    @property
    def dirty(self) -> bool:
        return self._dirty

    def reject(self) -> None:
        if self._dirty and not self._confirm_discard():
            return
        super().reject()

    def _confirm_discard(self) -> bool:
        if self.discard_policy is DiscardPolicy.DISCARD:
            return True
        if self.discard_policy is DiscardPolicy.KEEP:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Abandonner la saisie ?",
            self.DISCARD_QUESTION,
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            self,
        )
        box.setInformativeText("Voulez-vous les abandonner ?")
        box.button(QMessageBox.StandardButton.Discard).setText("&Abandonner la saisie")
        box.button(QMessageBox.StandardButton.Cancel).setText("&Continuer la saisie")
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        return box.exec() == QMessageBox.StandardButton.Discard
