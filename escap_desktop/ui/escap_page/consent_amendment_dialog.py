"""Changing the consent once the team exists: what is shared, whom the patient designates.

A patient who later refuses social sharing, or agrees to add a social worker, tells one of the
team; the professional records the new scope with its date (today by default) and prints the
amendment for the patient to sign. The dialog stays open until the amendment is saved: a refusal
(nothing changed, a future date) shows next to its field and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import Consent, DataCategory, Profession, Professional
from escap_desktop.core.errors import EscapError
from escap_desktop.ui.widgets.date_edit import FrenchDateEdit
from escap_desktop.ui.widgets.dialog_buttons import action_cancel_buttons
from escap_desktop.ui.widgets.form_errors import FormErrors, add_field_row, error_label
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog


@dataclass(frozen=True, slots=True)
class AmendmentInput:
    scopes: frozenset[DataCategory]
    recipient_ids: tuple[str, ...]
    recipient_professions: frozenset[Profession]
    amended_on: date


def _checkable(text: str, data: object, checked: bool) -> QListWidgetItem:
    item = QListWidgetItem(text)
    item.setData(Qt.ItemDataRole.UserRole, data)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
    return item


def _checked(widget: QListWidget) -> list[object]:
    return [
        widget.item(row).data(Qt.ItemDataRole.UserRole)
        for row in range(widget.count())
        if widget.item(row).checkState() is Qt.CheckState.Checked
    ]


class ConsentAmendmentDialog(GuardedDialog):
    """``save`` records the amendment (it raises the service's refusal)."""

    def __init__(
        self,
        patient_name: str,
        consent: Consent,
        professionals: Sequence[Professional],
        parent: QWidget | None = None,
        *,
        today: date,
        save: Callable[[AmendmentInput], object],
    ) -> None:
        super().__init__(parent)
        self._save = save
        self.setWindowTitle("Modifier le consentement")
        self.resize(620, 620)
        intro = QLabel(
            f"Enregistrez ce que {patient_name} accepte désormais de partager, et avec qui. "
            "L'avenant s'applique dès son enregistrement : un membre qui n'a plus accès à une "
            "catégorie n'en reçoit plus les nouvelles informations. Imprimez-le ensuite pour "
            "la signature du patient."
        )
        intro.setWordWrap(True)
        self.categories = {category: QCheckBox(category.label) for category in DataCategory}
        for category, box in self.categories.items():
            box.setChecked(category in consent.scopes)
            box.toggled.connect(self.mark_dirty)
        self.recipients = QListWidget()
        self.recipients.setObjectName("designatedList")
        for professional in sorted(professionals, key=lambda p: p.display_name):
            label = f"{professional.display_name} — {professional.profession.label}"
            self.recipients.addItem(
                _checkable(label, professional.id, professional.id in consent.recipient_ids)
            )
        self.kinds = QListWidget()
        self.kinds.setObjectName("kindsList")
        for profession in Profession:
            self.kinds.addItem(
                _checkable(
                    profession.label, profession, profession in consent.recipient_professions
                )
            )
        self.recipients.itemChanged.connect(self.mark_dirty)
        self.kinds.itemChanged.connect(self.mark_dirty)
        self.amended_on = FrenchDateEdit("La date de l'avenant", "amended_on")
        self.amended_on.set_value(today)
        self.amended_on.textEdited.connect(self.mark_dirty)

        self.general_error = error_label()
        self.errors = FormErrors(self.general_error)
        scopes = QVBoxLayout()
        for box in self.categories.values():
            scopes.addWidget(box)
        scopes_box = QWidget()
        scopes_box.setLayout(scopes)
        form = QFormLayout()
        add_field_row(form, "Données partagées :", scopes_box, "scopes", self.errors)
        add_field_row(
            form, "&Professionnels désignés :", self.recipients, "recipient_ids", self.errors
        )
        add_field_row(
            form,
            "Ou toute personne de ces &professions :",
            self.kinds,
            "recipient_professions",
            self.errors,
        )
        add_field_row(form, "&Date de l'avenant :", self.amended_on, "amended_on", self.errors)
        buttons = action_cancel_buttons(self, "&Enregistrer l'avenant", self._on_save_clicked)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.general_error)
        layout.addWidget(buttons)
        self.value: AmendmentInput | None = None

    def _on_save_clicked(self) -> None:
        self.errors.clear()
        try:
            value = AmendmentInput(
                scopes=frozenset(c for c, box in self.categories.items() if box.isChecked()),
                recipient_ids=tuple(str(i) for i in _checked(self.recipients)),
                recipient_professions=frozenset(Profession(str(p)) for p in _checked(self.kinds)),
                amended_on=self.amended_on.required_value(),
            )
            self._save(value)
        except EscapError as problem:
            self.errors.show(problem)
            return
        self.value = value
        self.mark_clean()
        self.accept()
