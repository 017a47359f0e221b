"""Step 6: the team the patient designates (the médecin traitant is required), with roles."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWizard,
)

from escap_desktop.core.entities import Profession, Professional
from escap_desktop.ui.inclusion.flow import Designation, InclusionFlow
from escap_desktop.ui.inclusion.page_base import InclusionPage
from escap_desktop.ui.models.designation_table_model import DesignationTableModel
from escap_desktop.ui.resources import icon
from escap_desktop.ui.widgets.professional_dialog import ProfessionalDialog
from escap_desktop.ui.widgets.table_view import RowTableView


class TeamPage(InclusionPage):
    """The local professional is listed first; others come from the professional dialog."""

    def __init__(self, flow: InclusionFlow) -> None:
        super().__init__(
            flow,
            "Équipe choisie par le patient",
            "Ajoutez les professionnels que le patient désigne : au moins 3 professionnels de "
            "santé, dont son médecin traitant. Précisez le rôle de chacun.",
        )
        self.model = DesignationTableModel(self)
        self.table = RowTableView(self.model)
        self.table.setObjectName("designationTable")
        self.table.setEditTriggers(
            RowTableView.EditTrigger.DoubleClicked
            | RowTableView.EditTrigger.EditKeyPressed
            | RowTableView.EditTrigger.AnyKeyPressed
        )
        for column, width in enumerate((240, 180)):
            self.table.setColumnWidth(column, width)
        self.add_button = QPushButton(icon("add"), "&Ajouter un professionnel…")
        self.remove_button = QPushButton(icon("decline"), "&Retirer")
        self.medecin_traitant = QComboBox()
        self.medecin_traitant.setObjectName("medecinTraitant")
        mt_label = QLabel("&Médecin traitant :")
        mt_label.setBuddy(self.medecin_traitant)
        self.specialties = QLabel()
        self.specialties.setObjectName("hint")
        self.specialties.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        form = QFormLayout()
        form.addRow(mt_label, self.medecin_traitant)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.specialties)
        layout.addWidget(self.page_error)

        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Inviter l'équipe >")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.dialog: ProfessionalDialog | None = None

    def initializePage(self) -> None:
        if not self.model.rows:
            self.add_professional(self.flow.me)
        patient = self.flow.patient
        if patient is not None and patient.medecin_traitant_id:
            for professional in self.flow.known_professionals():
                if professional.id == patient.medecin_traitant_id:
                    self.add_professional(professional)
                    self.select_medecin_traitant(professional.id)
        result = self.flow.result
        if result is not None:
            suggestions = self.flow.checks.suggest_specialties(result.prerequisites.met)
            if suggestions:
                self.specialties.setText(
                    "Selon la situation du patient, un spécialiste peut rejoindre l'équipe : "
                    + ", ".join(suggestions)
                    + "."
                )

    def add_professional(self, professional: Professional, role: str = "") -> None:
        if any(d.professional.id == professional.id for d in self.model.rows):
            return
        self.model.update_row(Designation(professional, role))
        if professional.profession is Profession.MEDECIN:
            self.medecin_traitant.addItem(professional.display_name, professional.id)
        self.show_page_error("")

    def select_medecin_traitant(self, professional_id: str) -> None:
        self.medecin_traitant.setCurrentIndex(self.medecin_traitant.findData(professional_id))

    def set_role(self, professional_id: str, role: str) -> None:
        for row, designation in enumerate(self.model.rows):
            if designation.professional.id == professional_id:
                self.model.setData(self.model.index(row, DesignationTableModel.ROLE), role)

    @Slot()
    def _on_add_clicked(self) -> None:
        known = [
            p
            for p in self.flow.known_professionals()
            if all(d.professional.id != p.id for d in self.model.rows)
        ]
        self.dialog = ProfessionalDialog(
            known, self.flow.checks.professional_problems, self, self.flow.directory
        )
        self.dialog.accepted.connect(self._on_dialog_accepted)
        self.dialog.open()

    @Slot()
    def _on_dialog_accepted(self) -> None:
        if self.dialog is not None and self.dialog.chosen is not None:
            self.add_professional(self.dialog.chosen)

    @Slot()
    def _on_remove_clicked(self) -> None:
        designation = self.table.selected_row()
        if designation is None:
            return
        self.model.remove(designation.professional.id)
        index = self.medecin_traitant.findData(designation.professional.id)
        if index >= 0:
            self.medecin_traitant.removeItem(index)

    def validatePage(self) -> bool:
        designations = list(self.model.rows)
        mt_id = self.medecin_traitant.currentData()
        problems = self.flow.designation_problems(designations, mt_id)
        if problems:
            self.show_page_error(" ".join(problems))
            return False
        return self.run(lambda: self.flow.form_team(designations, mt_id)) is not None
