"""A professional who is not in the directory, typed by hand and marked as such."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from escap_desktop.core.entities.professional import Professional, ProfessionalSource
from escap_desktop.core.errors import ValidationError
from escap_desktop.services.form_checks import FormChecks
from escap_desktop.ui.forms.professional_form import ProfessionalForm
from escap_desktop.ui.widgets.dialog_buttons import action_cancel_buttons
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog


class ManualProfessionalDialog(GuardedDialog):
    """``professional`` holds the record once accepted (source: typed by hand).

    The identifier is checked for its shape only: 11 digits for RPPS (no key check, published
    numbers fail it), 9 characters for ADELI; last and first names are required.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Saisir un professionnel à la main")
        self.setMinimumWidth(560)  # room for the error lines under the fields
        self.professional: Professional | None = None
        intro = QLabel(
            "Pour un professionnel absent de l'annuaire (ou un intervenant social). "
            "Il sera marqué « saisi à la main »."
        )
        intro.setWordWrap(True)
        self.form = ProfessionalForm()
        buttons = action_cancel_buttons(self, "&Ajouter", self._on_add_clicked)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.form, 1)
        layout.addWidget(buttons)
        self.form.changed.connect(self.mark_dirty)

    def problems(self) -> list[ValidationError]:
        """What is wrong with the record as typed, each for its field."""
        typed = self.form.professional()
        problems = FormChecks.professional_problems(typed)
        if not typed.first_name and not any(p.field == "first_name" for p in problems):
            after_last_name = 1 if problems and problems[0].field == "last_name" else 0
            problems.insert(
                after_last_name, ValidationError("Le prénom est obligatoire.", field="first_name")
            )
        return problems

    @Slot()
    def _on_add_clicked(self) -> None:
        problems = self.problems()
        if problems:
            self.form.show_problems(problems)
            self.adjustSize()
            return
        self.professional = replace(self.form.professional(), source=ProfessionalSource.MANUAL)
        self.mark_clean()
        self.accept()
