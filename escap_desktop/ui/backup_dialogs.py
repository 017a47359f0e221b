"""The "Sauvegarder…" and "Restaurer…" dialogs of the main window's Fichier menu.

Each dialog validates its inputs on the GUI thread, then runs the backup service as a job
(off the GUI thread) with its progress shown inside the dialog; an expected problem (wrong
passphrase, damaged file...) is shown in the dialog in French and the dialog stays open so the
professional can correct it. Restoring needs the store closed: the window passes
``before_restore`` (close the practice) and reopens it on ``restored``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDir, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.clock import paris_time
from escap_desktop.core.errors import EscapError, ValidationError
from escap_desktop.services.backup import (
    BACKUP_SUFFIX,
    BackupResult,
    LocalProtection,
    RestoreResult,
    check_confirmation,
    create_backup,
    default_backup_name,
    describe_backup,
    keyring_available,
    passphrase_strength,
    restore,
)
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.resources import icon
from escap_desktop.ui.runner import GeneratorRunner, JobQueue
from escap_desktop.ui.widgets.form_errors import error_label
from escap_desktop.ui.widgets.password_field import password_field

if TYPE_CHECKING:  # the dialog only hands the open store over to the service
    from escap_desktop.store import Store

FILE_FILTER = f"Sauvegardes ESCAP (*{BACKUP_SUFFIX});;Tous les fichiers (*)"
NO_FILE_MESSAGE = "Choisissez le fichier de la sauvegarde."
RESTORE_WARNING = (
    "Le coffre actuel sera mis de côté (il n'est pas effacé) et remplacé par celui de la "
    "sauvegarde. Les modifications faites depuis la sauvegarde n'y figureront pas."
)


class _JobDialog(QDialog):
    """What both dialogs share: a progress bar, an error line, one job at a time."""

    def __init__(self, jobs: JobQueue, errors: ErrorChannel, parent: QWidget | None) -> None:
        super().__init__(parent)
        self._jobs = jobs
        self._errors = errors
        self._runner: GeneratorRunner | None = None
        self.error = error_label()
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.buttons = QDialogButtonBox()
        self.cancel_button = self.buttons.addButton(
            "Annuler", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)

    @property
    def running(self) -> bool:
        return self._runner is not None

    def _start(self, job: Callable[[], Generator[Any, None, Any]]) -> None:
        self.error.hide()
        self.progress.setValue(0)
        self.progress.show()
        self._set_inputs_enabled(False)
        self._runner = self._jobs.start(
            job, self._on_job_finished, self._on_job_failed, self._on_job_progress
        )

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _set_inputs_enabled(self, enabled: bool) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _succeeded(self, result: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    @Slot(int, str)
    def _on_job_progress(self, percent: int, text: str) -> None:
        self.progress.setValue(percent)
        if text:
            self.status.setText(text)

    @Slot(object)
    def _on_job_finished(self, result: Any) -> None:
        self._runner = None
        self.progress.hide()
        self._succeeded(result)

    @Slot(object)
    def _on_job_failed(self, error: BaseException) -> None:
        self._runner = None
        self.progress.hide()
        self.status.clear()
        self._set_inputs_enabled(True)
        if isinstance(error, EscapError):  # cancellation included: "Opération annulée."
            self._show_error(str(error))
        else:
            self._errors.report(error)

    @Slot()
    def _on_cancel_button_clicked(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            self.status.setText("Annulation en cours…")
        else:
            self.reject()

    def reject(self) -> None:
        if self._runner is None:  # never leave a job running behind a closed dialog
            super().reject()


class BackupDialog(_JobDialog):
    """Writes an encrypted backup of the open store; ``backup_written`` carries the result."""

    backup_written = Signal(object)

    def __init__(
        self,
        store: Store,
        jobs: JobQueue,
        errors: ErrorChannel,
        parent: QWidget | None = None,
        *,
        folder: Path | None = None,
    ) -> None:
        super().__init__(jobs, errors, parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle("Sauvegarder le coffre de données")
        self.setWindowIcon(icon("app"))
        self.setMinimumWidth(560)
        self._store = store
        default_folder = folder or Path(QDir.homePath())
        self.path_edit = QLineEdit(str(default_folder / default_backup_name(store.clock.now())))
        self.choose_button = QPushButton("Choisir…")
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.passphrase_edit = password_field(
            "au moins 12 caractères, une phrase de plusieurs mots"
        )
        self.confirmation_edit = password_field("la même phrase, une seconde fois")
        self.strength_label = QLabel()
        self.strength_label.setObjectName("passphraseStrength")
        self.passphrase_edit.textChanged.connect(self._on_passphrase_edit_text_changed)
        self.backup_button = self.buttons.addButton(
            "Sauvegarder", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.backup_button.setDefault(True)
        self.backup_button.clicked.connect(self._on_backup_button_clicked)

        intro = QLabel(
            "La sauvegarde contient le coffre de données et les scans des formulaires de "
            "consentement signés. Elle est chiffrée avec une phrase de passe que vous choisissez. "
            "Notez-la et gardez-la à part : elle sera demandée pour restaurer la sauvegarde, sur "
            "ce poste ou sur un autre. Sans elle, personne (pas même l'assistance) ne peut la lire."
        )
        intro.setObjectName("backupIntro")
        intro.setWordWrap(True)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow("Fichier :", file_row)
        form.addRow("Phrase de passe :", self.passphrase_edit)
        form.addRow("", self.strength_label)
        form.addRow("Confirmation :", self.confirmation_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._on_passphrase_edit_text_changed("")

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Enregistrer la sauvegarde", self.path_edit.text(), FILE_FILTER
        )
        if chosen:
            if not chosen.endswith(BACKUP_SUFFIX):
                chosen += BACKUP_SUFFIX
            self.path_edit.setText(chosen)

    @Slot(str)
    def _on_passphrase_edit_text_changed(self, text: str) -> None:
        strength = passphrase_strength(text)
        self.strength_label.setText(f"Solidité : {strength.label}")
        self.strength_label.setProperty("acceptable", strength.acceptable)

    @Slot()
    def _on_backup_button_clicked(self) -> None:
        passphrase = self.passphrase_edit.text()
        target = Path(self.path_edit.text().strip()).expanduser()
        try:
            if not self.path_edit.text().strip():
                raise ValidationError("Choisissez où écrire la sauvegarde.", field="path")
            strength = passphrase_strength(passphrase)
            if not strength.acceptable:
                raise ValidationError(
                    "La phrase de passe doit contenir au moins 12 caractères.", field="passphrase"
                )
            check_confirmation(passphrase, self.confirmation_edit.text())
        except ValidationError as error:
            self._show_error(str(error))
            return
        store = self._store
        self._start(lambda: create_backup(store, target, passphrase))

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (
            self.path_edit,
            self.choose_button,
            self.passphrase_edit,
            self.confirmation_edit,
            self.backup_button,
        ):
            widget.setEnabled(enabled)

    def _succeeded(self, result: BackupResult) -> None:
        self.status.setText(f"Sauvegarde écrite : {result.path} ({_scans(result.scans)})")
        self.backup_written.emit(result)
        if result.scans_left_out:
            # Stays open: the professional must read that some scans need attaching again.
            self._show_error(
                f"{result.scans_left_out} scan(s) de consentement enregistré(s) sont introuvables "
                "ou illisibles sur ce poste et ne sont pas dans la sauvegarde : joignez-les de "
                "nouveau depuis le formulaire papier."
            )
            self.cancel_button.setText("Fermer")
            return
        self.accept()


class RestoreDialog(_JobDialog):
    """Replaces the store of ``data_dir`` by a backup's; ``restored`` carries the result.

    ``before_restore`` is called on the GUI thread just before the job starts: the window
    closes its practice there (the store file must not be open while it is swapped).
    """

    restored = Signal(object)
    restore_abandoned = Signal()  # the job failed after ``before_restore``: reopen the store

    def __init__(
        self,
        data_dir: Path,
        jobs: JobQueue,
        errors: ErrorChannel,
        parent: QWidget | None = None,
        *,
        before_restore: Callable[[], None] = lambda: None,
    ) -> None:
        super().__init__(jobs, errors, parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restaurer une sauvegarde")
        self.setWindowIcon(icon("app"))
        self.setMinimumWidth(560)
        self._data_dir = data_dir
        self._before_restore = before_restore
        self._store_closed = False
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("fichier" + BACKUP_SUFFIX)
        self.path_edit.editingFinished.connect(self._on_path_edit_editing_finished)
        self.choose_button = QPushButton("Choisir…")
        self.choose_button.clicked.connect(self._on_choose_button_clicked)
        self.description_label = QLabel()
        self.description_label.setWordWrap(True)
        self.passphrase_edit = password_field("la phrase choisie lors de la sauvegarde")
        self.keyring_radio = QRadioButton("le trousseau sécurisé du système")
        self.passphrase_radio = QRadioButton("une phrase de passe, demandée à chaque ouverture")
        self._protection = QButtonGroup(self)
        self._protection.addButton(self.keyring_radio)
        self._protection.addButton(self.passphrase_radio)
        if keyring_available():
            self.keyring_radio.setChecked(True)
        else:
            self.keyring_radio.setEnabled(False)
            self.keyring_radio.setText("le trousseau du système (indisponible ici)")
            self.passphrase_radio.setChecked(True)
        self.local_passphrase_edit = password_field("nouvelle phrase de passe du coffre")
        self.local_confirmation_edit = password_field("la même, une seconde fois")
        self.passphrase_radio.toggled.connect(self._on_passphrase_radio_toggled)
        self.warning_label = QLabel(RESTORE_WARNING)
        self.warning_label.setWordWrap(True)
        self.warning_label.setStyleSheet("QLabel { font-weight: bold; }")
        self.confirm_box = QCheckBox("J'ai compris : restaurer cette sauvegarde")
        self.confirm_box.toggled.connect(self._on_confirm_box_toggled)
        self.restore_button = self.buttons.addButton(
            "Restaurer", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.clicked.connect(self._on_restore_button_clicked)

        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.choose_button)
        form = QFormLayout()
        form.addRow("Sauvegarde :", file_row)
        form.addRow("", self.description_label)
        form.addRow("Phrase de passe :", self.passphrase_edit)
        form.addRow("Protéger par :", self.keyring_radio)
        form.addRow("", self.passphrase_radio)
        form.addRow("Nouvelle phrase :", self.local_passphrase_edit)
        form.addRow("Confirmation :", self.local_confirmation_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.confirm_box)
        layout.addWidget(self.error)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._on_passphrase_radio_toggled(self.passphrase_radio.isChecked())
        self._on_confirm_box_toggled(False)

    def choose_file(self, path: Path) -> None:
        """Sets the backup file and shows what it is (or why it cannot be restored)."""
        self.path_edit.setText(str(path))
        self._describe()

    @Slot()
    def _on_choose_button_clicked(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Choisir une sauvegarde", QDir.homePath(), FILE_FILTER
        )
        if chosen:
            self.choose_file(Path(chosen))

    @Slot()
    def _on_path_edit_editing_finished(self) -> None:
        self._describe()

    def _describe(self) -> bool:
        text = self.path_edit.text().strip()
        if not text:
            self.description_label.clear()
            return False
        try:
            description = describe_backup(Path(text).expanduser())
        except EscapError as error:
            self.description_label.clear()
            self._show_error(str(error))
            return False
        self.error.hide()
        created = paris_time(description.created_at)
        self.description_label.setText(
            f"Sauvegarde du {created:%d/%m/%Y à %H:%M}, faite avec ESCAP Desktop "
            f"{description.app_version} ({_size(description.size_bytes)}, "
            f"{_scans(description.scans)})"
        )
        return True

    @Slot(bool)
    def _on_passphrase_radio_toggled(self, checked: bool) -> None:
        self.local_passphrase_edit.setEnabled(checked)
        self.local_confirmation_edit.setEnabled(checked)

    @Slot(bool)
    def _on_confirm_box_toggled(self, checked: bool) -> None:
        self.restore_button.setEnabled(checked and not self.running)

    @Slot()
    def _on_restore_button_clicked(self) -> None:
        if not self.path_edit.text().strip():
            self._show_error(NO_FILE_MESSAGE)
            return
        if not self._describe():
            return
        source = Path(self.path_edit.text().strip()).expanduser()
        passphrase = self.passphrase_edit.text()
        try:
            protection = self._local_protection()
        except ValidationError as error:
            self._show_error(str(error))
            return
        self._before_restore()
        self._store_closed = True
        data_dir = self._data_dir
        self._start(lambda: restore(source, passphrase, data_dir, protection))

    def _local_protection(self) -> LocalProtection:
        if not self.passphrase_radio.isChecked():
            return LocalProtection()
        local = self.local_passphrase_edit.text()
        if not passphrase_strength(local).acceptable:
            raise ValidationError(
                "La nouvelle phrase de passe du coffre doit contenir au moins 12 caractères.",
                field="local_passphrase",
            )
        check_confirmation(local, self.local_confirmation_edit.text())
        return LocalProtection(local)

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (
            self.path_edit,
            self.choose_button,
            self.passphrase_edit,
            self.keyring_radio,
            self.passphrase_radio,
            self.confirm_box,
        ):
            widget.setEnabled(enabled and (widget is not self.keyring_radio or keyring_available()))
        passphrase_mode = enabled and self.passphrase_radio.isChecked()
        self.local_passphrase_edit.setEnabled(passphrase_mode)
        self.local_confirmation_edit.setEnabled(passphrase_mode)
        self.restore_button.setEnabled(enabled and self.confirm_box.isChecked())

    def _succeeded(self, result: RestoreResult) -> None:
        self._store_closed = False
        self.restored.emit(result)
        self.accept()

    @Slot(object)
    def _on_job_failed(self, error: BaseException) -> None:
        super()._on_job_failed(error)
        if self._store_closed:
            self._store_closed = False
            self.restore_abandoned.emit()


def _scans(count: int) -> str:
    if count == 0:
        return "aucun scan de consentement"
    return f"{count} scan{'s' if count > 1 else ''} de consentement"


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
    return f"{max(size // 1024, 1)} Ko"
