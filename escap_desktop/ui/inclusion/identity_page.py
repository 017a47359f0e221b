"""Step 1: the patient's identity (INS traits), checked as typed."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout

from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.forms.patient_form import PatientForm
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage
from escap_desktop.ui.widgets.confirm import Confirmer, ask_confirmation


class IdentityPage(InclusionPage):
    def __init__(self, flow: InclusionFlow, confirm: Confirmer = ask_confirmation) -> None:
        self._confirm = confirm
        super().__init__(
            flow,
            "Identité du patient",
            "Saisissez les traits d'identité tels qu'ils figurent sur la pièce d'identité. "
            "Le NIR est vérifié dès que vous quittez le champ.",
        )
        self.form = PatientForm()
        self.form.setObjectName("identityForm")
        self.form.set_checker(flow.identity_problems)
        if flow.patient is not None:
            self.form.set_patient(flow.patient)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.page_error)

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
