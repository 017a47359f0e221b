"""The dialog shown for a programming error: an apology and a report ready to copy."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class CrashDialog(QDialog):
    """Shows a crash report; "Copier le rapport" puts it on the clipboard."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Erreur inattendue — ESCAP Desktop")
        self.setObjectName("crashDialog")
        self.resize(640, 420)
        intro = QLabel(
            "Une erreur inattendue s'est produite. Vos données enregistrées ne sont pas perdues.\n"
            "Copiez le rapport ci-dessous et transmettez-le à l'équipe ESCAP Desktop "
            "(il ne contient aucune donnée de patient)."
        )
        intro.setWordWrap(True)
        self.report_view = QPlainTextEdit(report)
        self.report_view.setReadOnly(True)
        self.report_view.setFont(QFont("monospace"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("Fermer")
        self.copy_button = QPushButton("&Copier le rapport")
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self._on_copy_button_clicked)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.report_view, 1)
        layout.addWidget(buttons)

    @property
    def report(self) -> str:
        return self.report_view.toPlainText()

    @Slot()
    def _on_copy_button_clicked(self) -> None:
        QGuiApplication.clipboard().setText(self.report)
        self.copy_button.setText("Rapport copié")
