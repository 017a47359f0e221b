"""The form of a professional: used for one's own profile and for a colleague typed by hand."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from escap_desktop.core.entities import (
    IdentifierKind,
    Profession,
    Professional,
    ProfessionalSource,
)
from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.widgets.combo import combo_enum
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label

IDENTIFIER_LABELS = {
    IdentifierKind.RPPS: "RPPS (11 chiffres)",
    IdentifierKind.ADELI: "ADELI (9 caractères)",
    IdentifierKind.NONE: "Aucun (intervenant social)",
}


class ProfessionalForm(QWidget):
    """Fields of a :class:`Professional`; ``professional()`` builds the record as typed."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original: Professional | None = None
        self.last_name = QLineEdit()
        self.first_name = QLineEdit()
        self.profession = QComboBox()
        for profession in Profession:
            self.profession.addItem(profession.label, profession)
        self.identifier_kind = QComboBox()
        for kind, label in IDENTIFIER_LABELS.items():
            self.identifier_kind.addItem(label, kind)
        self.identifier = QLineEdit()
        self.identifier.setPlaceholderText("10001234567")
        self.specialty = QLineEdit()
        self.specialty.setPlaceholderText("Médecine générale, cardiologie…")
        self.address = QLineEdit()
        self.postcode = QLineEdit()
        self.postcode.setMaxLength(5)
        self.town = QLineEdit()
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("01 23 45 67 89")
        self.mssante = QLineEdit()
        self.mssante.setPlaceholderText("prenom.nom@medecin.mssante.fr")

        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        add_field_row(form, "&Nom :", self.last_name, "last_name", self.errors)
        add_field_row(form, "&Prénom :", self.first_name, "first_name", self.errors)
        add_field_row(form, "P&rofession :", self.profession, "profession", self.errors)
        add_field_row(form, "&Spécialité :", self.specialty, "specialty", self.errors)
        add_field_row(
            form, "&Type d'identifiant :", self.identifier_kind, "identifier_kind", self.errors
        )
        add_field_row(form, "N° RPPS / &ADELI :", self.identifier, "identifier", self.errors)
        add_field_row(form, "Adresse d'e&xercice :", self.address, "address", self.errors)
        add_field_row(form, "Code p&ostal :", self.postcode, "postcode", self.errors)
        add_field_row(form, "&Ville :", self.town, "town", self.errors)
        add_field_row(form, "&Téléphone :", self.phone, "phone", self.errors)
        add_field_row(form, "Adresse &MSSanté :", self.mssante, "mssante", self.errors)
        form.addRow(QLabel(), self.general_error)

        for edit in self.findChildren(QLineEdit):
            edit.textEdited.connect(self.changed)
        self.profession.currentIndexChanged.connect(self.changed)
        self.identifier_kind.currentIndexChanged.connect(self.changed)

    def set_professional(self, professional: Professional) -> None:
        self._original = professional
        self.last_name.setText(professional.last_name)
        self.first_name.setText(professional.first_name)
        self.profession.setCurrentIndex(self.profession.findData(professional.profession))
        self.identifier_kind.setCurrentIndex(
            self.identifier_kind.findData(professional.identifier_kind)
        )
        self.identifier.setText(professional.identifier)
        self.specialty.setText(professional.specialty)
        self.address.setText(professional.address)
        self.postcode.setText(professional.postcode)
        self.town.setText(professional.town)
        self.phone.setText(professional.phone)
        self.mssante.setText(professional.mssante)

    def professional(self) -> Professional:
        """The record as typed (the original id is kept when editing)."""
        values = {
            "last_name": self.last_name.text().strip(),
            "first_name": self.first_name.text().strip(),
            "profession": combo_enum(self.profession, Profession),
            "identifier_kind": combo_enum(self.identifier_kind, IdentifierKind),
            "identifier": "".join(self.identifier.text().split()),
            "specialty": self.specialty.text().strip(),
            "address": self.address.text().strip(),
            "postcode": self.postcode.text().strip(),
            "town": self.town.text().strip(),
            "phone": self.phone.text().strip(),
            "mssante": self.mssante.text().strip(),
        }
        if self._original is not None:
            return replace(self._original, **values)
        return Professional(source=ProfessionalSource.MANUAL, **values)

    def show_problems(self, problems: list[ValidationError]) -> None:
        self.errors.show_all(problems)

    @property
    def is_blank(self) -> bool:
        return not any(edit.text().strip() for edit in self.findChildren(QLineEdit))
