"""« Protection du coffre… »: change the store's passphrase, key, or keyring/passphrase mode.

The inputs are checked on the GUI thread (an error appears under the field at fault), then the
change runs as a job off the GUI thread: it rewrites the whole store file, which takes a while
on a big practice, so the dialog shows a busy bar meanwhile and cannot be cancelled once the
file is being rewritten. ``before_change`` lets the window stop what uses the store in the
background (sync) first; ``after_change`` runs whatever the outcome; ``protection_changed``
carries the :class:`ProtectionChange` of a change that went through.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QProgressBar,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.errors import EscapError, ValidationError
from escap_desktop.services.store_protection import (
    ProtectionChange,
    ProtectionSteps,
    StoreProtectionService,
    check_new_passphrase,
)
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.resources import icon
from escap_desktop.ui.runner import GeneratorRunner, JobQueue
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label
from escap_desktop.ui.widgets.password_field import password_field

CURRENT_MISSING_MESSAGE = "Saisissez la phrase de passe actuelle du coffre."
KEYRING_LABEL = "le trousseau du système (aucune phrase de passe à l'ouverture)"
PASSPHRASE_LABEL = "une phrase de passe, demandée à chaque ouverture"


class Choice(StrEnum):
    CHANGE_PASSPHRASE = "change_passphrase"
    USE_PASSPHRASE = "use_passphrase"
    USE_KEYRING = "use_keyring"
    REKEY = "rekey"


CHOICE_LABELS = {
    Choice.CHANGE_PASSPHRASE: "&Changer la phrase de passe",
    Choice.USE_PASSPHRASE: "Protéger par une &phrase de passe (retirer la clé du trousseau)",
    Choice.USE_KEYRING: "Garder la clé dans le &trousseau du système (plus de phrase de passe)",
    Choice.REKEY: "&Rechiffrer sous une nouvelle clé (même protection)",
}
NEEDS_NEW = {Choice.CHANGE_PASSPHRASE, Choice.USE_PASSPHRASE}


class ProtectionDialog(QDialog):
    """See the module docstring."""

    protection_changed = Signal(object)

    def __init__(
        self,
        protection: StoreProtectionService,
        jobs: JobQueue,
        errors: ErrorChannel,
        parent: QWidget | None = None,
        *,
        before_change: Callable[[], None] = lambda: None,
        after_change: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("protectionDialog")
        self.setWindowTitle("Protection du coffre de données")
        self.setWindowIcon(icon("lock"))
        self.setMinimumWidth(560)
        self._protection = protection
        self._jobs = jobs
        self._errors = errors
        self._before_change = before_change
        self._after_change = after_change
        self._runner: GeneratorRunner | None = None
        self.passphrase_mode = protection.uses_passphrase()

        intro = QLabel(
            "Le coffre de données est protégé par "
            f"{PASSPHRASE_LABEL if self.passphrase_mode else KEYRING_LABEL}. Le changement "
            "rechiffre tout le coffre : cela peut prendre un moment, ne fermez pas l'application."
        )
        intro.setWordWrap(True)
        choices = (
            (Choice.CHANGE_PASSPHRASE, Choice.USE_KEYRING, Choice.REKEY)
            if self.passphrase_mode
            else (Choice.USE_PASSPHRASE, Choice.REKEY)
        )
        self.group = QButtonGroup(self)
        self.radios: dict[Choice, QRadioButton] = {}
        for choice in choices:
            radio = QRadioButton(CHOICE_LABELS[choice])
            radio.setProperty("choice", choice.value)
            self.group.addButton(radio)
            self.radios[choice] = radio
        self.radios[choices[0]].setChecked(True)
        self.group.buttonToggled.connect(self._on_group_button_toggled)

        self.current_edit = password_field("la phrase de passe qui ouvre le coffre aujourd'hui")
        self.new_edit = password_field("au moins 12 caractères, une phrase de plusieurs mots")
        self.confirmation_edit = password_field("la même phrase, une seconde fois")
        self.general_error = error_label()
        self.form_errors = FormErrors(self.general_error)
        form = QFormLayout()
        if self.passphrase_mode:
            add_field_row(
                form,
                "Phrase &actuelle :",
                self.current_edit,
                "current_passphrase",
                self.form_errors,
            )
        add_field_row(form, "&Nouvelle phrase :", self.new_edit, "new_passphrase", self.form_errors)
        add_field_row(
            form, "C&onfirmation :", self.confirmation_edit, "confirmation", self.form_errors
        )
        for field, edit in (
            ("current_passphrase", self.current_edit),
            ("new_passphrase", self.new_edit),
            ("confirmation", self.confirmation_edit),
        ):
            edit.textEdited.connect(lambda _text, name=field: self._clear_error(name))

        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: SQLCipher tells nothing while it rewrites
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.apply_button = self.buttons.addButton(
            "&Appliquer", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.apply_button.setDefault(True)
        self.apply_button.clicked.connect(self._on_apply_button_clicked)
        self.close_button = self.buttons.addButton(
            "Annuler", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        for radio in self.radios.values():
            layout.addWidget(radio)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._on_group_button_toggled()

    # -- state -------------------------------------------------------------------------------

    @property
    def choice(self) -> Choice:
        checked = self.group.checkedButton()
        return Choice(str(checked.property("choice")))

    @property
    def running(self) -> bool:
        return self._runner is not None

    def reject(self) -> None:
        if self._runner is None:  # never leave the store half-changed behind a closed dialog
            super().reject()

    # -- slots -------------------------------------------------------------------------------

    @Slot()
    def _on_group_button_toggled(self, *_args: Any) -> None:
        needs_new = self.choice in NEEDS_NEW
        self.new_edit.setEnabled(needs_new)
        self.confirmation_edit.setEnabled(needs_new)
        if not needs_new:
            self.new_edit.clear()
            self.confirmation_edit.clear()
        self.form_errors.clear()

    @Slot()
    def _on_apply_button_clicked(self) -> None:
        self.form_errors.clear()
        choice = self.choice
        current = self.current_edit.text()
        new = self.new_edit.text()
        try:
            if self.passphrase_mode and not current:
                raise ValidationError(CURRENT_MISSING_MESSAGE, field="current_passphrase")
            if choice in NEEDS_NEW:
                check_new_passphrase(new, self.confirmation_edit.text())
        except ValidationError as error:
            self.form_errors.show(error)
            return
        protection = self._protection
        jobs: dict[Choice, Callable[[], ProtectionSteps]] = {
            Choice.CHANGE_PASSPHRASE: lambda: protection.change_passphrase(current, new),
            Choice.USE_PASSPHRASE: lambda: protection.use_passphrase(new),
            Choice.USE_KEYRING: lambda: protection.use_keyring(current),
            Choice.REKEY: lambda: protection.rekey(current or None),
        }
        self._set_inputs_enabled(False)
        self.progress.show()
        self.status.setText("Vérification…")
        self._before_change()
        self._runner = self._jobs.start(
            jobs[choice], self._on_job_finished, self._on_job_failed, self._on_job_progress
        )

    @Slot(int, str)
    def _on_job_progress(self, _percent: int, text: str) -> None:
        if text:
            self.status.setText(text)

    @Slot(object)
    def _on_job_finished(self, change: ProtectionChange) -> None:
        self._runner = None
        self.progress.hide()
        self._after_change()
        self.protection_changed.emit(change)
        if change.notes:  # stays open: the professional must read them
            self.status.setText("La protection du coffre a été changée.")
            self.form_errors.set_error(None, "\n".join(change.notes))
            self.close_button.setText("Fermer")
            self.close_button.setEnabled(True)
            return
        self.accept()

    @Slot(object)
    def _on_job_failed(self, error: BaseException) -> None:
        self._runner = None
        self.progress.hide()
        self.status.clear()
        self._set_inputs_enabled(True)
        self._after_change()
        if isinstance(error, EscapError):
            self.form_errors.show(error)
        else:
            self._errors.report(error)

    # -- helpers -----------------------------------------------------------------------------

    def _clear_error(self, field: str) -> None:
        if field in self.form_errors.fields:
            self.form_errors.clear(field)

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (
            *self.radios.values(),
            self.current_edit,
            self.apply_button,
            self.close_button,
        ):
            widget.setEnabled(enabled)
        needs_new = enabled and self.choice in NEEDS_NEW
        self.new_edit.setEnabled(needs_new)
        self.confirmation_edit.setEnabled(needs_new)
