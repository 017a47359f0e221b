"""Step 2: the clinical situation, with each prerequisite's verdict as it is typed."""

from __future__ import annotations

from PySide6.QtWidgets import QScrollArea, QVBoxLayout

from escap_desktop.ui.forms.situation_form import SituationForm
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage


class SituationPage(InclusionPage):
    def __init__(self, flow: InclusionFlow) -> None:
        super().__init__(
            flow,
            "Situation clinique",
            "Renseignez ce que demande chacune des 4 situations ; au moins une doit être remplie.",
        )
        self.form = SituationForm(flow.today())
        self.form.setObjectName("situationForm")
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.page_error)

    def initializePage(self) -> None:
        if self.flow.patient is not None:
            self.form.set_evaluator(self.flow.prerequisite_checks, self.flow.patient.birth_date)

    def validatePage(self) -> bool:
        return self.form.validate()
