"""From launch to a usable main window: open the store, first-launch wizard, demo practice.

The store is opened off the GUI thread (a passphrase costs about half a second of key
derivation). What happens next depends on the answer:

* the store opens and has a profile: the main window;
* it opens but has no profile yet (first launch, keyring mode): the first-launch wizard;
* no keyring and no store yet: the wizard too, asking for a passphrase;
* a store protected by a passphrase: the passphrase dialog, as many times as needed;
* anything else (damaged store, newer version): one French sentence, then quit.

The demo practice lives in its own folder (``<data dir>/demonstration``) so fictitious patients
never mix with real ones; it is generated on first use with a progress dialog.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QMessageBox

from escap_desktop.core.entities import LocalProfile, Professional
from escap_desktop.core.errors import (
    EscapError,
    KeyringUnavailableError,
    PassphraseRequiredError,
    ValidationError,
    WrongPassphraseError,
)
from escap_desktop.services.demo import generate_demo
from escap_desktop.services.form_checks import FormChecks
from escap_desktop.services.practice import InsecureKeyringError, Practice, open_practice
from escap_desktop.ui.app_shell import Shell
from escap_desktop.ui.first_launch.first_launch_wizard import FirstLaunchWizard
from escap_desktop.ui.idle_lock import IdleLock, Unlocker, identity_unlocker, passphrase_unlocker
from escap_desktop.ui.main_window.main_controller import MainController
from escap_desktop.ui.main_window.main_window import MainWindow
from escap_desktop.ui.models.patient_search import PatientListing
from escap_desktop.ui.opening import DEMO_PASSPHRASE, Opened, open_and_list
from escap_desktop.ui.passphrase_dialog import PassphraseDialog
from escap_desktop.ui.runner import call_job
from escap_desktop.ui.settings import practice_folder
from escap_desktop.ui.widgets.progress_dialog import JobProgressDialog

DEMO_PATIENTS = 200
MIN_PASSPHRASE_LENGTH = 12


def _passphrase_error(text: str) -> None:
    if len(text.strip()) < MIN_PASSPHRASE_LENGTH:
        raise ValidationError(
            f"La phrase de passe doit contenir au moins {MIN_PASSPHRASE_LENGTH} caractères.",
            field="passphrase",
        )


class PassphraseCheck:
    """Verifies the unlock passphrase against a salted hash kept in memory for the session,
    so unlocking does not re-open the store."""

    def __init__(self, passphrase: str) -> None:
        self._salt = os.urandom(16)
        self._digest = self._hash(passphrase)

    def _hash(self, text: str) -> bytes:
        return hashlib.pbkdf2_hmac("sha256", text.encode("utf-8"), self._salt, 200_000)

    def __call__(self, text: str) -> bool:
        return hmac.compare_digest(self._hash(text), self._digest)


class Startup(QObject):
    """Runs the start-up sequence; ``ready(main_controller)`` once the main window shows,
    ``failed(message)`` when it cannot start (the app then quits)."""

    ready = Signal(object)
    failed = Signal(str)

    def __init__(
        self,
        shell: Shell,
        data_dir: str | None,
        demo: bool = False,
        open_files: bool = True,
        window: MainWindow | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.shell = shell
        self.window = window
        self.demo = demo
        self.data_dir: Path = practice_folder(data_dir, demo)
        self.open_files = open_files
        self.practice: Practice | None = None
        self.main: MainController | None = None
        self.lock: IdleLock | None = None
        self.wizard: FirstLaunchWizard | None = None
        self.passphrase_dialog: PassphraseDialog | None = None
        self._passphrase: str | None = None
        self._quit_on_failure = True

    # --- sequence ----------------------------------------------------------------------------

    def start(self, prepared: Opened | EscapError | None = None) -> None:
        """Begins the sequence, or goes on from what the launcher prepared: the practice it
        opened with the keyring's key and its list, or the error opening met."""
        if isinstance(prepared, Opened):
            self._on_opened(prepared)
        elif prepared is not None:
            self._on_open_failed(prepared)
        else:
            self._open(None)

    def _open(
        self, passphrase: str | None, on_failure: Callable[[BaseException], None] | None = None
    ) -> None:
        self._passphrase = passphrase
        self.shell.jobs.start(
            call_job(open_and_list, self.data_dir, passphrase, self.shell.clock),
            self._on_opened,
            on_failure or self._on_open_failed,
        )

    @Slot(object)
    def _on_opened(self, opened: Opened) -> None:
        practice = self.practice = opened.practice
        if opened.passphrase is not None:  # the launcher may have opened the demo with its own
            self._passphrase = opened.passphrase
        if self.passphrase_dialog is not None:
            self.passphrase_dialog.accept()
            self.passphrase_dialog = None
        if practice.profile.current() is not None:
            self._show_main(opened.listing)
        elif self.demo:
            self._generate_demo()
        else:
            self._show_wizard(keyring_available=self._passphrase is None)

    @Slot(object)
    def _on_open_failed(self, error: BaseException) -> None:
        if isinstance(error, WrongPassphraseError) and self.passphrase_dialog is not None:
            self.passphrase_dialog.show_error(str(error))
            return
        if isinstance(error, ValidationError) and self.passphrase_dialog is not None:
            self.passphrase_dialog.show_error(str(error))  # a new passphrase too short
            return
        if isinstance(error, PassphraseRequiredError):
            self._ask_passphrase(str(error), choose=isinstance(error, InsecureKeyringError))
            return
        if type(error) is KeyringUnavailableError:  # not KeyringLockedError: that one says why
            if self.demo:
                self._open(DEMO_PASSPHRASE)
            else:
                self._show_wizard(keyring_available=False, keyring_message=str(error))
            return
        self._fail(error)

    def _ask_passphrase(self, message: str, *, choose: bool = False) -> None:
        if self.demo:
            self._open(DEMO_PASSPHRASE)
            return
        dialog = PassphraseDialog(message, choose=choose)
        self.passphrase_dialog = dialog
        dialog.submitted.connect(lambda text: self._open(text))
        dialog.rejected.connect(lambda: self._fail(None))
        dialog.show()

    def _show_wizard(self, keyring_available: bool, keyring_message: str = "") -> None:
        # Before any store exists (no keyring yet) the checks come without a practice: a
        # profile's checks need no date.
        wizard = FirstLaunchWizard(
            FormChecks.professional_problems,
            keyring_available,
            _passphrase_error,
            keyring_message=keyring_message,
        )
        self.wizard = wizard
        wizard.accepted.connect(self._on_wizard_accepted)
        wizard.rejected.connect(lambda: self._fail(None))
        wizard.show()

    @Slot()
    def _on_wizard_accepted(self) -> None:
        assert self.wizard is not None
        answers = self.wizard.answers()

        def save(practice: Practice) -> None:
            try:
                practice.profile.save(
                    answers.professional,
                    LocalProfile(
                        professional_id=answers.professional.id,
                        idle_lock_minutes=answers.idle_lock_minutes,
                    ),
                )
            except EscapError as error:
                self._fail(error)
                return
            self.practice = practice
            if answers.open_demo:
                practice.close()
                self.demo = True
                self.data_dir = practice_folder(str(self.data_dir), demo=True)
                self.start()
            else:
                self._show_main()

        if self.practice is not None and answers.passphrase is None:
            save(self.practice)
            return
        self.shell.jobs.start(
            call_job(open_practice, self.data_dir, answers.passphrase, clock=self.shell.clock),
            lambda practice: (setattr(self, "_passphrase", answers.passphrase), save(practice)),
            self._fail,
        )

    def _generate_demo(self) -> None:
        practice = self.practice
        assert practice is not None

        def job() -> Generator[Any, None, None]:
            for step in generate_demo(
                practice.store,
                practice.escaps.current_grid(),
                practice.billing.config,
                patients=DEMO_PATIENTS,
            ):
                yield round(100 * step.done / max(1, step.total)), step.message

        JobProgressDialog(
            "Création du cabinet de démonstration…",
            self.shell.jobs,
            job,
            self.shell.errors,
            lambda _result: self._show_main(),
            on_failure=lambda _error: self._fail(None),
        )

    def _show_main(self, first_rows: PatientListing | None = None) -> None:
        """``first_rows``: the patient list when it was read with the opening."""
        practice = self.practice
        assert practice is not None
        current = practice.profile.current()
        assert current is not None
        profile, me = current
        if self._passphrase is not None:
            practice.sync.unlock(self._passphrase)  # the device keys share the store's passphrase
        self.lock = IdleLock(self._unlocker(me), profile.idle_lock_minutes, self)
        self.lock.install(self.shell.app)
        self.main = MainController(
            practice,
            me,
            profile,
            self.shell,
            self.lock,
            demo=self.demo,
            open_files=self.open_files,
            window=self.window,
            first_rows=first_rows,
        )
        self.main.window.set_opening(False)
        self.main.window.show()
        self.ready.emit(self.main)

    def _unlocker(self, me: Professional) -> Unlocker:
        if self._passphrase is not None and not self.demo:
            return passphrase_unlocker(PassphraseCheck(self._passphrase))
        return identity_unlocker(me.display_name, me.identifier)

    def _fail(self, error: BaseException | None) -> None:
        """Cannot go on: say why (unless the professional cancelled), then quit."""
        if error is not None:
            message = str(error) if isinstance(error, EscapError) else ""
            if not isinstance(error, EscapError):
                self.shell.errors.report(error)
                return
            self.failed.emit(message)
            box = QMessageBox(
                QMessageBox.Icon.Critical, "ESCAP Desktop", message, QMessageBox.StandardButton.Ok
            )
            box.finished.connect(lambda _r: QApplication.quit())
            box.open()
            self._failure_box = box
            return
        self.failed.emit("")
        QTimer.singleShot(0, QApplication.quit)

    def close(self) -> None:
        if self.main is not None:
            self.main.save_state()
            self.main.shutdown()
        if self.lock is not None:
            self.lock.uninstall(self.shell.app)
        if self.practice is not None:
            self.practice.close()
            self.practice = None
