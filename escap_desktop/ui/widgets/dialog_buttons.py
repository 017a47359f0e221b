"""The button rows dialogs end with: Enregistrer / Annuler for editing, an action / Annuler for
the dialogs that do one thing, French labels with keyboard mnemonics."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox


def save_cancel_buttons(dialog: QDialog, on_save: Callable[[], None]) -> QDialogButtonBox:
    """French labels with keyboard mnemonics; Annuler rejects the dialog (its guard may ask)."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Enregistrer")
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
    buttons.accepted.connect(on_save)
    buttons.rejected.connect(dialog.reject)
    return buttons


def action_cancel_buttons(
    dialog: QDialog, action: str, on_action: Callable[[], None], cancel: str = "Annuler"
) -> QDialogButtonBox:
    """The row of a dialog that does one thing (« &Envoyer », « &Clôturer l'ESCAP »…): the
    action's button is the default one (Enter), ``cancel`` rejects the dialog. The action's
    button is ``buttons.button(QDialogButtonBox.StandardButton.Ok)``."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(action)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel)
    buttons.accepted.connect(on_action)
    buttons.rejected.connect(dialog.reject)
    return buttons
