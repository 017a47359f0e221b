"""Step 1: the patient's identity (INS traits), checked as typed — or read from a document.

« Lire l'identité d'un document… » fills the form from a document's INS datamatrix (a scan, a
photo, a scanned PDF) or a FHIR Patient file exported by the practice software: nothing to
retype, and the identity is saved as « récupérée ». While the professional types, a patient
already recorded with the same traits is named under the form, before any second record.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import IdentityStatus
from escap_desktop.core.errors import EscapError, ValidationError
from escap_desktop.ui.forms.patient_form import PatientForm
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage
from escap_desktop.ui.widgets.confirm import Confirmer, ask_confirmation

DocumentChooser = Callable[[QWidget], str]
"""(parent) -> the chosen file's path, "" when cancelled."""

_DOCUMENTS = (
    "Documents d'identité (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.gif *.pdf *.json);;"
    "Image ou PDF portant un datamatrix INS (*.png *.jpg *.jpeg *.tif *.tiff *.bmp *.gif *.pdf);;"
    "Patient FHIR (*.json)"
)
_DUPLICATE_DELAY_MS = 250


def choose_document(parent: QWidget) -> str:
    path, _filter = QFileDialog.getOpenFileName(
        parent, "Lire l'identité d'un document", "", _DOCUMENTS
    )
    return path


class IdentityPage(InclusionPage):
    def __init__(
        self,
        flow: InclusionFlow,
        confirm: Confirmer = ask_confirmation,
        choose: DocumentChooser = choose_document,
    ) -> None:
        self._confirm = confirm
        self.choose = choose
        super().__init__(
            flow,
            "Identité du patient",
            "Saisissez les traits d'identité tels qu'ils figurent sur la pièce d'identité, ou "
            "lisez-les sur un document portant le datamatrix INS. Le NIR est vérifié dès que "
            "vous quittez le champ.",
        )
        self.form = PatientForm()
        self.form.setObjectName("identityForm")
        self.form.set_checker(flow.identity_problems)
        if flow.patient is not None:
            self.form.set_patient(flow.patient)
        self.read_button = QPushButton("&Lire l'identité d'un document…")
        self.read_button.setToolTip(
            "Datamatrix INS d'un document (image, photo ou PDF numérisé) ou fichier FHIR "
            "exporté par votre logiciel"
        )
        self.read_button.setVisible(flow.patient is None and flow.patient_import is not None)
        self.read_status = QLabel()
        self.read_status.setObjectName("hint")
        self.read_status.setWordWrap(True)
        self.duplicate_hint = QLabel()
        self.duplicate_hint.setObjectName("fieldError")
        self.duplicate_hint.setWordWrap(True)
        self._duplicate_timer = QTimer(self)
        self._duplicate_timer.setSingleShot(True)
        self._duplicate_timer.setInterval(_DUPLICATE_DELAY_MS)
        self._duplicate_timer.timeout.connect(self.look_for_duplicates)
        self.form.changed.connect(self._duplicate_timer.start)
        self.read_button.clicked.connect(self._on_read_clicked)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        reading = QHBoxLayout()
        reading.addWidget(self.read_button)
        reading.addWidget(self.read_status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(reading)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.duplicate_hint)
        layout.addWidget(self.page_error)

    def read_document(self, path: Path) -> bool:
        """Fills the form from the document; False (the French reason shown) when unreadable."""
        try:
            read = self.flow.read_identity(path)
        except EscapError as error:
            self.read_status.setText(str(error))
            return False
        self.form.fill_read(read)
        status = (
            "Identité récupérée"
            if read.identity_status is IdentityStatus.RETRIEVED
            else "Identité provisoire (aucun INS dans le document)"
        )
        self.read_status.setText(
            f"{status}, lue dans « {Path(path).name} ». Vérifiez les traits avec le patient ; "
            "choisissez la pièce d'identité vue pour qualifier l'identité."
        )
        self.look_for_duplicates()
        return True

    def look_for_duplicates(self) -> None:
        """Names a recorded patient with the same INS or traits, as the professional types."""
        if self.flow.patient is not None:
            return
        try:
            draft = self.form.draft()
        except ValidationError:
            self.duplicate_hint.clear()
            return
        if not draft.birth_name.strip():
            self.duplicate_hint.clear()
            return
        try:
            duplicates = self.flow.possible_duplicates(draft)
        except EscapError:
            duplicates = []
        self.duplicate_hint.setText(duplicates[0].sentence if duplicates else "")

    def _on_read_clicked(self) -> None:
        path = self.choose(self)
        if path:
            self.read_document(Path(path))

    def validatePage(self) -> bool:
        if not self.form.validate():
            return False
        draft = self.form.draft()
        duplicates = self.flow.possible_duplicates(draft)
        not_a_duplicate = False
        if duplicates and not any(d.same_ins for d in duplicates):
            # Same traits, no INS to tell: the professional decides; the same INS is refused.
            if not self._confirm(
                self,
                "Patient déjà enregistré ?",
                f"{duplicates[0].sentence}\n\nS'il s'agit bien d'une autre personne, un second "
                "dossier sera créé.",
                "&Créer un autre dossier",
            ):
                self.form.errors.show(ValidationError(duplicates[0].sentence, "birth_name"))
                return False
            not_a_duplicate = True
        saved = self.run(
            lambda: self.flow.save_identity(
                draft, self.form.identity_document, not_a_duplicate=not_a_duplicate
            ),
            self.form.errors,
        )
        if saved is None:
            return False
        self.form.set_patient(saved)
        return True
