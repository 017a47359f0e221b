"""Step 4: eligible or not, with the explanation written by the rules."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QFrame, QLabel, QVBoxLayout

from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage


class ResultPage(InclusionPage):
    """Eligible: go on to the consent. Not eligible: the wizard ends here (grid saved)."""

    def __init__(self, flow: InclusionFlow) -> None:
        super().__init__(flow, "Résultat de l'évaluation")
        self.frame = QFrame()
        self.frame.setObjectName("resultEligible")
        self.summary = QLabel()
        self.summary.setObjectName("sectionTitle")
        self.summary.setWordWrap(True)
        self.details = QLabel()
        self.details.setWordWrap(True)
        frame_layout = QVBoxLayout(self.frame)
        frame_layout.addWidget(self.summary)
        frame_layout.addWidget(self.details)
        self.saved_label = QLabel()
        self.saved_label.setObjectName("hint")
        self.saved_label.setWordWrap(True)
        self.close_box = QCheckBox("Clôturer cette ESCAP (motif : patient non éligible)")
        self.close_box.setChecked(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.frame)
        layout.addWidget(self.saved_label)
        layout.addWidget(self.close_box)
        layout.addStretch(1)
        layout.addWidget(self.page_error)

    @property
    def eligible(self) -> bool:
        return self.flow.result is not None and self.flow.result.eligible

    def initializePage(self) -> None:
        result = self.flow.result
        if result is None:
            return
        lines = list(result.explanation)
        self.summary.setText(lines[0] if lines else result.summary)
        self.details.setText("\n".join(f"• {line}" for line in lines[1:]))
        self.frame.setObjectName("resultEligible" if result.eligible else "resultNotEligible")
        self.frame.style().unpolish(self.frame)
        self.frame.style().polish(self.frame)
        self.saved_label.setText(
            f"L'évaluation est enregistrée (score {result.score} sur {result.total}, grille "
            f"version {result.grid_version})."
            + (" Étape suivante : le consentement du patient." if result.eligible else "")
        )
        self.close_box.setVisible(not result.eligible)
        self.setFinalPage(not result.eligible)

    def nextId(self) -> int:
        return super().nextId() if self.eligible else -1

    def validatePage(self) -> bool:
        if self.eligible or not self.close_box.isChecked():
            return True
        return self.run(self.flow.close_not_eligible) is not None
