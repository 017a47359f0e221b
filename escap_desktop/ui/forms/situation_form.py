"""The clinical situation: the data each of the 4 prerequisites needs, checked as typed.

The verdict for each prerequisite (met or not, and why) comes from the injected evaluator, a
service call, so the sentence shown is the one the rules wrote.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Protocol

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import ClinicalSituation, Prerequisite
from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label


class CheckLike(Protocol):
    prerequisite: Prerequisite
    met: bool
    reason: str


Evaluator = Callable[[ClinicalSituation, date], Sequence[CheckLike]]


class SituationForm(QWidget):
    """Assessment date, place, and the 4 prerequisites' data with their live verdicts."""

    changed = Signal()

    def __init__(self, today: date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._evaluator: Evaluator | None = None
        self._birth_date: date | None = None
        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)

        self.assessed_on = FrenchDateEdit("La date d'évaluation", "assessed_on")
        self.assessed_on.set_value(today)
        self.at_home = QCheckBox("Évaluation faite au domicile du patient")
        self.age_label = QLabel()
        self.chronic_conditions = QSpinBox()
        self.chronic_conditions.setRange(0, 30)
        self.stroke_discharge = FrenchDateEdit(
            "La date de sortie d'hospitalisation", "stroke_discharge_date"
        )
        self.palliative = QCheckBox("Le patient est en soins palliatifs")
        self.diabetes_type = QComboBox()
        self.diabetes_type.addItem("Pas de diabète", None)
        self.diabetes_type.addItem("Type 1", 1)
        self.diabetes_type.addItem("Type 2", 2)
        self.diabetes_type.addItem("Autre type", 3)
        self.on_insulin = QCheckBox("Traité par insuline")
        self.pregnant = QCheckBox("Grossesse en cours (l'ESCAP s'applique hors grossesse)")
        self.verdicts: dict[Prerequisite, QLabel] = {}

        top = QFormLayout()
        add_field_row(top, "Date d'é&valuation :", self.assessed_on, "assessed_on", self.errors)
        top.addRow("", self.at_home)

        poly = self._group(Prerequisite.POLYPATHOLOGY_OVER_65)
        poly_form = QFormLayout()
        poly_form.addRow("Âge :", self.age_label)
        add_field_row(
            poly_form,
            "&Maladies chroniques :",
            self.chronic_conditions,
            "chronic_conditions",
            self.errors,
        )
        poly.layout().addLayout(poly_form)  # type: ignore[attr-defined]

        stroke = self._group(Prerequisite.STROKE_RECENT)
        stroke_form = QFormLayout()
        add_field_row(
            stroke_form,
            "Sortie d'hospitalisation pour &AVC le :",
            self.stroke_discharge,
            "stroke_discharge_date",
            self.errors,
        )
        stroke.layout().addLayout(stroke_form)  # type: ignore[attr-defined]

        palliative = self._group(Prerequisite.PALLIATIVE)
        palliative.layout().addWidget(self.palliative)  # type: ignore[union-attr]

        diabetes = self._group(Prerequisite.DIABETES_INSULIN)
        diabetes_form = QFormLayout()
        add_field_row(diabetes_form, "&Diabète :", self.diabetes_type, "diabetes_type", self.errors)
        diabetes_form.addRow("", self.on_insulin)
        diabetes.layout().addLayout(diabetes_form)  # type: ignore[attr-defined]

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        hint = QLabel("Le patient doit relever d'au moins une de ces 4 situations :")
        hint.setObjectName("sectionTitle")
        layout.addWidget(hint)
        for group in (poly, stroke, palliative, diabetes):
            layout.addWidget(group)
        layout.addWidget(self.pregnant)
        layout.addWidget(self.general_error)
        layout.addStretch(1)

        self.assessed_on.editingFinished.connect(self._on_input_changed)
        self.stroke_discharge.editingFinished.connect(self._on_input_changed)
        self.chronic_conditions.valueChanged.connect(self._on_input_changed)
        self.diabetes_type.currentIndexChanged.connect(self._on_input_changed)
        for box in (self.palliative, self.on_insulin, self.pregnant, self.at_home):
            box.toggled.connect(self._on_input_changed)

    def _group(self, prerequisite: Prerequisite) -> QGroupBox:
        box = QGroupBox(prerequisite.label)
        column = QVBoxLayout(box)
        verdict = QLabel()
        verdict.setWordWrap(True)
        verdict.setObjectName("hint")
        column.addWidget(verdict)
        self.verdicts[prerequisite] = verdict
        return box

    def set_evaluator(self, evaluator: Evaluator, birth_date: date) -> None:
        self._evaluator = evaluator
        self._birth_date = birth_date
        self._refresh()

    def situation(self) -> ClinicalSituation:
        """The situation as typed; ValidationError (with its field) for an unreadable date."""
        return ClinicalSituation(
            chronic_conditions=self.chronic_conditions.value(),
            stroke_discharge_date=self.stroke_discharge.value(),
            palliative_care=self.palliative.isChecked(),
            diabetes_type=self.diabetes_type.currentData(),
            on_insulin=self.on_insulin.isChecked(),
            pregnant=self.pregnant.isChecked(),
        )

    def assessment_date(self) -> date:
        return self.assessed_on.required_value("assessed_on")

    def set_situation(self, situation: ClinicalSituation) -> None:
        self.chronic_conditions.setValue(situation.chronic_conditions)
        self.stroke_discharge.set_value(situation.stroke_discharge_date)
        self.palliative.setChecked(situation.palliative_care)
        self.diabetes_type.setCurrentIndex(
            max(0, self.diabetes_type.findData(situation.diabetes_type))
        )
        self.on_insulin.setChecked(situation.on_insulin)
        self.pregnant.setChecked(situation.pregnant)

    def validate(self) -> bool:
        """Shows the first problem next to its field; True when the inputs can be used."""
        return self._refresh(focus=True)

    @Slot()
    def _on_input_changed(self) -> None:
        self._refresh()
        self.changed.emit()

    def _refresh(self, focus: bool = False) -> bool:
        self.errors.clear()
        try:
            on = self.assessment_date()
            situation = self.situation()
            if self._birth_date is not None:
                years = (
                    on.year
                    - self._birth_date.year
                    - ((on.month, on.day) < (self._birth_date.month, self._birth_date.day))
                )
                self.age_label.setText(f"{years} ans à la date d'évaluation")
            if self._evaluator is None:
                return True
            checks = self._evaluator(situation, on)
        except ValidationError as problem:
            if focus:
                self.errors.show(problem)
            else:
                self.errors.set_error(problem.field, str(problem))
            return False
        for check in checks:
            label = self.verdicts[check.prerequisite]
            label.setText(("✔ Rempli : " if check.met else "✘ Non rempli : ") + check.reason)
            label.setObjectName("fieldOk" if check.met else "hint")
            label.style().unpolish(label)
            label.style().polish(label)
        return True

    @property
    def any_met(self) -> bool:
        return any(label.objectName() == "fieldOk" for label in self.verdicts.values())
