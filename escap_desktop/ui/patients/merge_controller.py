"""« Dossiers en double à vérifier… »: the merges waiting for the professional, one screen each.

The menu entry shows how many wait (after each sync, a colleague's record may have met the
team's); each decision goes to the service at once, then the next case opens.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from escap_desktop.core.entities import Patient
from escap_desktop.core.errors import EscapError
from escap_desktop.services.patient_merges import MergeCase, PatientMergeService
from escap_desktop.ui.error_channel import ErrorChannel
from escap_desktop.ui.patients.merge_dialog import MergeDialog

ACTION_TEXT = "Dossiers en &double à vérifier"


class MergeController(QObject):
    """``decided`` after each merge or refusal (the patient list changes)."""

    decided = Signal()

    def __init__(
        self,
        merges: PatientMergeService,
        errors: ErrorChannel,
        action: QAction,
        window: QWidget,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._merges = merges
        self._errors = errors
        self._action = action
        self._window = window
        self.dialog: MergeDialog | None = None
        self.waiting = 0
        action.triggered.connect(self.review)

    @Slot()
    def refresh(self) -> None:
        """The count in the menu; a new case found by a sync is said once in the status line."""
        try:
            waiting = len(self._merges.pending())
        except EscapError as error:
            self._errors.report(error)
            return
        if waiting > self.waiting:
            self._errors.post(
                "Un dossier de patient reçu de l'équipe correspond à l'un des vôtres : "
                "vérifiez-le dans Patients › Dossiers en double à vérifier."
            )
        self.waiting = waiting
        self._action.setText(f"{ACTION_TEXT} ({waiting})…" if waiting else f"{ACTION_TEXT}…")

    @Slot()
    def review(self) -> None:
        """Opens the oldest case, or says there is none."""
        try:
            cases = self._merges.pending()
        except EscapError as error:
            self._errors.report(error)
            return
        if not cases:
            self._errors.post("Aucun dossier en double à vérifier.")
            self.refresh()
            return
        self._open(cases[0])

    def _open(self, case: MergeCase) -> None:
        dialog = MergeDialog(case, self._window)
        dialog.merge_chosen.connect(lambda chosen: self._decide(case, chosen))
        dialog.two_people.connect(lambda: self._decide(case, None))
        self.dialog = dialog
        dialog.open()

    def _decide(self, case: MergeCase, chosen: Patient | None) -> None:
        try:
            if chosen is None:
                self._merges.decline(case.merge.id)
            else:
                self._merges.accept(case.merge.id, chosen)
        except EscapError as error:
            self._errors.report(error)
            return
        self.decided.emit()
        remaining = self._merges.pending()
        self.waiting = len(remaining)
        self.refresh()
        if remaining:
            self._open(remaining[0])
