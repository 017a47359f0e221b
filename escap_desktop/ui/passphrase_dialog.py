"""Asking for the passphrase of a store protected without the OS keyring."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.dialog_buttons import action_cancel_buttons
from escap_desktop.ui.widgets.form_errors import error_label


class PassphraseDialog(QDialog):
    """Stays open while the store is being opened; a wrong passphrase shows its error here."""

    submitted = Signal(str)

    def __init__(
        self, message: str, parent: QWidget | None = None, *, choose: bool = False
    ) -> None:
        """``choose``: a new passphrase is chosen (typed twice), not the current one typed."""
        super().__init__(parent)
        self._choose = choose
        self.setWindowTitle("Ouverture d'ESCAP Desktop")
        self.setWindowIcon(icon("lock"))
        self.setMinimumWidth(460)
        intro = QLabel(message)
        intro.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = error_label()
        self.confirmation = QLineEdit()
        self.confirmation.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(
            "&Nouvelle phrase de passe :" if choose else "&Phrase de passe :", self.passphrase
        )
        if choose:
            form.addRow("&Confirmation :", self.confirmation)
        self.buttons = action_cancel_buttons(self, "&Ouvrir", self._on_open_clicked, "&Quitter")
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    @Slot()
    def _on_open_clicked(self) -> None:
        self.error.hide()
        if self._choose and self.passphrase.text() != self.confirmation.text():
            self.show_error("Les deux saisies de la phrase de passe diffèrent.")
            return
        self.buttons.setEnabled(False)
        self.submitted.emit(self.passphrase.text())

    def show_error(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self.error.setText(message)
        self.error.show()
        self.passphrase.selectAll()
        self.passphrase.setFocus()
