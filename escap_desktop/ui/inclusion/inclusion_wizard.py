"""The guided inclusion, from identity to invitations.

Each step is saved when the professional moves on (the grid, the consent and the team are
commit steps), so closing the wizard never loses finished work; closing with input on the
current page asks first. A patient whose inclusion stopped half-way resumes at the right step.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLineEdit, QWidget, QWizard

from escap_desktop.core.entities import EscapState
from escap_desktop.ui.inclusion.consent_page import ConsentPage
from escap_desktop.ui.inclusion.flow import InclusionFlow
from escap_desktop.ui.inclusion.grid_page import GridPage
from escap_desktop.ui.inclusion.identity_page import IdentityPage
from escap_desktop.ui.inclusion.invitations_page import InvitationsPage
from escap_desktop.ui.inclusion.result_page import ResultPage
from escap_desktop.ui.inclusion.situation_page import SituationPage
from escap_desktop.ui.inclusion.team_page import TeamPage
from escap_desktop.ui.printing import DocumentOutput
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.confirm import ask_confirmation

IDENTITY, SITUATION, GRID, RESULT, CONSENT, TEAM, INVITATIONS = range(7)
_RESUME_AT = {
    EscapState.DRAFT: SITUATION,
    EscapState.ASSESSED: CONSENT,
    EscapState.CONSENTED: TEAM,
    EscapState.FORMING: INVITATIONS,
}


class InclusionWizard(QWizard):
    """``inclusion_changed(patient_id)`` after each saved step, for the list to refresh."""

    inclusion_changed = Signal(str)

    def __init__(
        self,
        flow: InclusionFlow,
        output: DocumentOutput | None = None,
        parent: QWidget | None = None,
        confirm: Callable[[QWidget, str, str, str], bool] = ask_confirmation,
    ) -> None:
        super().__init__(parent)
        self.flow = flow
        self._confirm = confirm
        self.setWindowTitle("Inclusion dans une ESCAP")
        self.setWindowIcon(icon("add"))
        self.setObjectName("inclusionWizard")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.HaveHelpButton, False)
        self.setButtonText(QWizard.WizardButton.NextButton, "&Suivant >")
        self.setButtonText(QWizard.WizardButton.BackButton, "< &Précédent")
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Terminer")
        self.setButtonText(QWizard.WizardButton.CancelButton, "&Fermer")
        self.resize(980, 700)

        self.identity_page = IdentityPage(flow, confirm)
        self.situation_page = SituationPage(flow)
        self.grid_page = GridPage(flow, self.situation_page)
        self.result_page = ResultPage(flow)
        self.consent_page = ConsentPage(flow, output)
        self.team_page = TeamPage(flow)
        self.invitations_page = InvitationsPage(flow, output)
        for page_id, page in (
            (IDENTITY, self.identity_page),
            (SITUATION, self.situation_page),
            (GRID, self.grid_page),
            (RESULT, self.result_page),
            (CONSENT, self.consent_page),
            (TEAM, self.team_page),
            (INVITATIONS, self.invitations_page),
        ):
            self.setPage(page_id, page)
        escap = flow.escap
        start = IDENTITY
        if escap is not None and flow.patient is not None:
            start = _RESUME_AT.get(escap.state, IDENTITY)
            if start is SITUATION:
                start = IDENTITY
        self.setStartId(start)
        self.currentIdChanged.connect(self._on_current_id_changed)

    def _on_current_id_changed(self, _page_id: int) -> None:
        if self.flow.patient is not None:
            self.inclusion_changed.emit(self.flow.patient.id)

    def done(self, result: int) -> None:
        if result == QWizard.DialogCode.Accepted and self.flow.patient is not None:
            self.inclusion_changed.emit(self.flow.patient.id)
        super().done(result)

    def reject(self) -> None:
        """Closing asks first when the current page holds typed input not saved yet."""
        page = self.currentPage()
        typed = page is not None and any(edit.isModified() for edit in page.findChildren(QLineEdit))
        if typed and not self._confirm(
            self,
            "Fermer l'inclusion ?",
            "Ce qui est saisi sur cette étape n'est pas encore enregistré. Les étapes déjà "
            "validées sont conservées : vous pourrez reprendre l'inclusion depuis la page du "
            "patient.",
            "&Fermer sans enregistrer",
        ):
            return
        if self.flow.patient is not None:
            self.inclusion_changed.emit(self.flow.patient.id)
        super().reject()
