"""Step 1: the patient's identity (INS traits), checked as typed."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout

from escap_desktop.ui.forms.patient_form import PatientForm
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage


class IdentityPage(InclusionPage):
    def __init__(self, flow: InclusionFlow) -> None:
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
        saved = self.run(
            lambda: self.flow.save_identity(draft, self.form.identity_document), self.form.errors
        )
        if saved is None:
            return False
        self.form.set_patient(saved)
        return True
