"""Step 3: the inclusion grid, grouped, with the running score and the threshold in view."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWizard

from escap_desktop.core.entities import ClinicalSituation
from escap_desktop.ui.forms.grid_form import GridForm
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage
from escap_desktop.ui.inclusion.situation_page import SituationPage


class GridPage(InclusionPage):
    """A commit page: "Enregistrer l'évaluation" saves the grid, eligible or not."""

    def __init__(self, flow: InclusionFlow, situation: SituationPage) -> None:
        super().__init__(
            flow,
            "Grille d'inclusion",
            "Cochez chaque item qui s'applique au patient. L'évaluation est enregistrée "
            "même si le patient n'est pas éligible.",
        )
        self.situation = situation
        self.form = GridForm(flow.grid, flow.score)
        self.form.setObjectName("gridForm")
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.page_error)
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Enregistrer l'évaluation >")

    def validatePage(self) -> bool:
        situation_form = self.situation.form
        situation: ClinicalSituation = situation_form.situation()
        result = self.run(
            lambda: self.flow.assess(
                self.form.answers(),
                situation,
                situation_form.assessment_date(),
                situation_form.at_home.isChecked(),
            )
        )
        return result is not None
