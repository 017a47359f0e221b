"""The patient's identity (INS traits), checked as the professional types.

Checking is injected (``set_checker``): the controller passes a service call returning every
problem of a draft patient, and the form shows, next to each field already visited, the reason
it is refused. Fields not visited yet stay quiet until the professional tries to go on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from escap_desktop.core.entities import IdentityDocument, IdentityStatus, Patient, Sex
from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.widgets.combo import combo_enum
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label

Checker = Callable[[Patient], list[ValidationError]]
_PLACEHOLDER_BIRTH = date(1900, 1, 1)
_READ_TRAITS = ("birth_name", "first_names", "birth_date", "sex", "birth_place_code", "ins")


class PatientForm(QWidget):
    """Fields of a :class:`Patient`'s identity; ``draft()`` builds the record as typed."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._original: Patient | None = None
        self._read: Patient | None = None
        self._checker: Checker | None = None
        self._visited: set[str] = set()

        self.birth_name = QLineEdit()
        self.birth_name.setPlaceholderText("tel qu'inscrit sur la pièce d'identité")
        self.first_names = QLineEdit()
        self.first_names.setPlaceholderText("tous les prénoms de naissance, dans l'ordre")
        self.used_name = QLineEdit()
        self.used_first_name = QLineEdit()
        self.birth_date = FrenchDateEdit("La date de naissance", "birth_date")
        self.sex = QComboBox()
        self.sex.addItem("", None)
        for sex in Sex:
            self.sex.addItem(sex.label, sex)
        self.birth_place_code = QLineEdit()
        self.birth_place_code.setPlaceholderText("code INSEE de la commune, ex. 75056")
        self.birth_place_code.setMaxLength(5)
        self.ins = QLineEdit()
        self.ins.setPlaceholderText("15 caractères : 13 chiffres et la clé")
        self.ins.setMaxLength(21)
        self.document = QComboBox()
        self.document.addItem("Aucune pour l'instant (identité provisoire)", None)
        for document in IdentityDocument:
            self.document.addItem(document.label, document)
        self.phone = QLineEdit()
        self.address = QLineEdit()

        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        rows: list[tuple[str, QWidget, str]] = [
            ("&Nom de naissance :", self.birth_name, "birth_name"),
            ("&Prénom(s) de naissance :", self.first_names, "first_names"),
            ("Date de nai&ssance :", self.birth_date, "birth_date"),
            ("Se&xe :", self.sex, "sex"),
            ("&Lieu de naissance (code) :", self.birth_place_code, "birth_place_code"),
            ("N&IR (matricule INS) :", self.ins, "ins"),
            ("Nom &utilisé :", self.used_name, "used_name"),
            ("Prénom u&tilisé :", self.used_first_name, "used_first_name"),
            ("Pièce d'i&dentité vue :", self.document, "identity_status"),
            ("Télé&phone :", self.phone, "phone"),
            ("&Adresse :", self.address, "address"),
        ]
        for label, widget, field in rows:
            add_field_row(form, label, widget, field, self.errors)
        form.addRow(QLabel(), self.general_error)

        for label, widget, field in rows:
            if isinstance(widget, QLineEdit):
                widget.editingFinished.connect(lambda f=field: self._on_field_left(f))
                widget.textEdited.connect(lambda _t, f=field: self._on_field_edited(f))
            else:
                assert isinstance(widget, QComboBox)
                widget.currentIndexChanged.connect(lambda _i, f=field: self._on_field_left(f))
            del label

    def set_checker(self, checker: Checker) -> None:
        self._checker = checker

    def set_patient(self, patient: Patient) -> None:
        self._original = patient
        self.birth_name.setText(patient.birth_name)
        self.first_names.setText(patient.first_names)
        self.used_name.setText(patient.used_name)
        self.used_first_name.setText(patient.used_first_name)
        self.birth_date.set_value(patient.birth_date)
        self.sex.setCurrentIndex(self.sex.findData(patient.sex))
        self.birth_place_code.setText(patient.birth_place_code)
        self.ins.setText(patient.ins)
        self.document.setCurrentIndex(max(0, self.document.findData(patient.identity_document)))
        self.phone.setText(patient.phone)
        self.address.setText(patient.address)

    def fill_read(self, read: Patient) -> None:
        """Fills a new patient's fields with an identity read from a document (datamatrix,
        FHIR file): saved as « Identité récupérée » unless the professional changes a trait."""
        self.set_patient(read)
        self._original = None
        self._read = read

    def _status_of_read(self, values: dict[str, object]) -> dict[str, object]:
        """The read identity's status holds only while its traits are those read."""
        read = self._read
        if read is None:
            return {}
        same = all(values[name] == getattr(read, name) for name in _READ_TRAITS)
        return {"identity_status": read.identity_status if same else IdentityStatus.PROVISIONAL}

    def draft(self) -> Patient:
        """The patient as typed; raises ValidationError for a missing or unreadable date or
        sex (what cannot even be put in a record)."""
        birth_date = self.birth_date.required_value("birth_date")
        sex = combo_enum(self.sex, Sex)
        if sex is None:
            raise ValidationError("Choisissez le sexe du patient.", field="sex")
        return self._build(birth_date, sex)

    def _build(self, birth_date: date, sex: Sex) -> Patient:
        values = {
            "birth_name": self.birth_name.text().strip(),
            "first_names": " ".join(self.first_names.text().split()),
            "used_name": self.used_name.text().strip(),
            "used_first_name": self.used_first_name.text().strip(),
            "birth_date": birth_date,
            "sex": sex,
            "birth_place_code": self.birth_place_code.text().strip(),
            "ins": "".join(self.ins.text().split()),
            "phone": self.phone.text().strip(),
            "address": self.address.text().strip(),
        }
        if self._original is not None:
            return replace(self._original, **values)
        return Patient(**values, **self._status_of_read(values))  # type: ignore[arg-type]

    @property
    def identity_document(self) -> IdentityDocument | None:
        """The high-trust document the professional saw (qualifies the identity once saved)."""
        return combo_enum(self.document, IdentityDocument)

    def validate(self) -> bool:
        """Checks every field (visited or not), shows each problem and puts the focus on the
        first one; True when all is well."""
        self._visited.add("*")
        problems = self._problems()
        self.errors.show_all(problems)
        return not problems

    def _problems(self) -> list[ValidationError]:
        problems: list[ValidationError] = []
        birth_date: date | None
        try:
            birth_date = self.birth_date.required_value("birth_date")
        except ValidationError as problem:
            problems.append(problem)
            birth_date = None
        sex = combo_enum(self.sex, Sex)
        if sex is None:
            problems.append(ValidationError("Choisissez le sexe du patient.", field="sex"))
        if self._checker is not None:
            draft = self._build(birth_date or _PLACEHOLDER_BIRTH, sex or Sex.INDETERMINATE)
            for problem in self._checker(draft):
                if birth_date is None and problem.field in ("birth_date", "ins"):
                    continue  # would only repeat that the date is missing
                if sex is None and problem.field == "ins" and "sexe" in str(problem):
                    continue
                problems.append(problem)
        return problems

    def _show_visited(self) -> None:
        """Refreshes the error lines of visited fields, without moving the focus."""
        everything = "*" in self._visited
        problems = [p for p in self._problems() if everything or p.field in self._visited]
        if everything:
            self.errors.clear()
        for field in self._visited & self.errors.fields:
            self.errors.clear(field)
        for problem in reversed(problems):
            self.errors.set_error(problem.field, str(problem))

    @Slot()
    def _on_field_left(self, field: str) -> None:
        self._visited.add(field)
        self._show_visited()
        self.changed.emit()

    @Slot()
    def _on_field_edited(self, field: str) -> None:
        if field in self.errors.fields:
            self.errors.clear(field)
        self.changed.emit()

    @property
    def is_blank(self) -> bool:
        return not any(edit.text().strip() for edit in self.findChildren(QLineEdit))
