"""« Oublier ce poste… »: what will be removed, the typed confirmation, then the app closes.

The phrase is checked before anything is stopped (a typo must leave the practice as it was);
then ``before_forget`` stops whatever uses the store, the service removes the keys and files,
and the dialog says so before ``quit_app`` ends the application (the store is closed for good).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.errors import EscapError
from escap_desktop.services.forget import (
    CONFIRMATION,
    ForgetPlan,
    ForgetReport,
    check_confirmation,
)
from escap_desktop.ui.widgets.form_errors import error_label

Forget = Callable[[str], ForgetReport]


def describe_plan(plan: ForgetPlan) -> str:
    lines = [f"Dossier : {plan.data_dir}", "", "Seront supprimés :"]
    lines += [f"  • {path.name}" for path in plan.files] or ["  (aucun fichier)"]
    if plan.keyring_entries:
        lines += ["", "Clés retirées du trousseau du système :"]
        lines += [f"  • {entry}" for entry in plan.keyring_entries]
    if plan.kept:
        lines += ["", "Conservés (sans données de patients) :"]
        lines += [f"  • {path.name}" for path in plan.kept]
    return "\n".join(lines)


class ForgetDialog(QDialog):
    def __init__(
        self,
        plan: ForgetPlan,
        forget: Forget,
        before_forget: Callable[[], None],
        quit_app: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Oublier ce poste")
        self.resize(620, 520)
        self._forget = forget
        self._before_forget = before_forget
        self._quit_app = quit_app
        self.done_forgetting = False
        warning = QLabel(
            "Les clés et les données de patients de ce poste vont être supprimées "
            "définitivement. Ce que vous avez partagé avec vos équipes reste chez vos "
            "confrères ; pensez à faire une sauvegarde avant si vous en avez besoin."
        )
        warning.setWordWrap(True)
        self.plan_text = QPlainTextEdit(describe_plan(plan))
        self.plan_text.setReadOnly(True)
        self.prompt = prompt = QLabel(f"Pour confirmer, saisissez « {CONFIRMATION} » :")
        prompt.setWordWrap(True)
        self.phrase = QLineEdit()
        self.phrase.setPlaceholderText(CONFIRMATION)
        prompt.setBuddy(self.phrase)
        self.error = error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.setText("Annuler")
        self.forget_button = self.buttons.addButton(
            "&Oublier ce poste", QDialogButtonBox.ButtonRole.DestructiveRole
        )
        self.forget_button.clicked.connect(self.confirm)
        self.forget_button.setDefault(True)  # Enter after the phrase; the phrase is the guard
        self.close_button = self.cancel_button  # renamed once the computer is forgotten
        self.buttons.rejected.connect(self.reject)
        self.phrase.textEdited.connect(lambda _text: self.error.hide())
        layout = QVBoxLayout(self)
        layout.addWidget(warning)
        layout.addWidget(self.plan_text, 1)
        layout.addWidget(prompt)
        layout.addWidget(self.phrase)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.finished.connect(self._on_finished)
        self.phrase.setFocus()

    @Slot()
    def confirm(self) -> None:
        typed = self.phrase.text()
        try:
            check_confirmation(typed)
        except EscapError as error:
            self._show_error(str(error))
            return
        self._before_forget()
        try:
            report = self._forget(typed)
        except EscapError as error:
            self._finish(f"{error}\n\nESCAP Desktop va se fermer : relancez-le.")
            return
        lines = [
            "Ce poste est oublié : ses clés et ses données de patients ont été supprimées.",
            "ESCAP Desktop va se fermer.",
            "",
            "Supprimé :",
        ]
        lines += [f"  • {path.name}" for path in report.removed_files]
        lines += [f"  • {key}" for key in report.removed_keys]
        if report.notes:
            lines += ["", "À savoir :"] + [f"  • {note}" for note in report.notes]
        self._finish("\n".join(lines))

    def _finish(self, text: str) -> None:
        """The store is closed from here on: the only way out is quitting the application."""
        self.done_forgetting = True
        self.plan_text.setPlainText(text)
        self.error.hide()
        self.prompt.hide()
        self.phrase.hide()
        self.forget_button.hide()
        self.close_button.setText("&Fermer ESCAP Desktop")
        self.close_button.setDefault(True)
        self.close_button.setFocus()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self.phrase.setFocus()
        self.phrase.selectAll()

    @Slot(int)
    def _on_finished(self, _result: int) -> None:
        if self.done_forgetting:
            self._quit_app()
