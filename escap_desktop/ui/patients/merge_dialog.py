"""The merge screen: two records of one patient side by side, one choice per differing trait.

The record the team shares is on the left and chosen by default; a trait whose two versions
agree is shown once. « Ce sont deux personnes » exists only for a proposed merge (same traits,
no INS to tell): two records with the same INS are the same person and stay merged.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from escap_desktop.core.entities import MergeState, Patient, Sex
from escap_desktop.core.entities.patient_merge import MERGED_TRAITS, differing_traits
from escap_desktop.services.patient_merges import MergeCase
from escap_desktop.ui.formatting import format_date, format_datetime


def _shown(value: object) -> str:
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Sex):
        return value.label
    return str(value) if value else "—"


class MergeDialog(QDialog):
    """Emits ``merge_chosen(Patient)`` with the traits to keep, or ``two_people()``."""

    merge_chosen = Signal(object)
    two_people = Signal()

    def __init__(self, case: MergeCase, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("mergeDialog")
        self.setWindowTitle("Dossiers du même patient")
        self.setMinimumWidth(720)
        self._case = case
        self._differing = differing_traits(case.kept, case.other)
        self.choices: dict[str, QButtonGroup] = {}

        merge = case.merge
        if merge.state is MergeState.PROPOSED:
            intro_text = (
                "Ces deux dossiers ont les mêmes traits d'identité (nom de naissance, prénom, "
                "date de naissance, sexe) mais pas de matricule INS qui permette de l'affirmer. "
                "S'il s'agit de la même personne, fusionnez-les ; sinon, dites-le : ils ne vous "
                "seront plus proposés."
            )
        else:
            intro_text = (
                "Votre dossier de ce patient a le même matricule INS que celui de l'équipe : ils "
                "ont été réunis en un seul, celui de l'équipe. Leurs traits d'identité diffèrent "
                "ci-dessous : choisissez ceux à garder. Votre choix sera partagé avec l'équipe."
            )
        intro = QLabel(intro_text)
        intro.setWordWrap(True)
        found = QLabel(f"Trouvé le {format_datetime(merge.found_at)} ({merge.reason.label}).")
        found.setObjectName("hint")

        grid = QGridLayout()
        grid.addWidget(QLabel("<b>Trait</b>"), 0, 0)
        grid.addWidget(QLabel("<b>Dossier conservé</b>"), 0, 1)
        grid.addWidget(QLabel("<b>Autre dossier</b>"), 0, 2)
        for row, (name, label) in enumerate(MERGED_TRAITS, start=1):
            grid.addWidget(QLabel(label), row, 0)
            kept_value, other_value = getattr(case.kept, name), getattr(case.other, name)
            if name not in self._differing:
                same = QLabel(_shown(kept_value))
                grid.addWidget(same, row, 1, 1, 2)
                continue
            group = QButtonGroup(self)
            for column, value in ((1, kept_value), (2, other_value)):
                button = QRadioButton(_shown(value))
                button.setObjectName(f"{name}_{'kept' if column == 1 else 'other'}")
                group.addButton(button, column)
                grid.addWidget(button, row, column)
            group.button(1).setChecked(True)
            self.choices[name] = group
        caregivers = [c.full_name for c in case.other.caregivers]
        kept_names = {c.full_name.casefold() for c in case.kept.caregivers}
        added = [name for name in caregivers if name.casefold() not in kept_names]
        extra = QLabel(
            f"Aidants ajoutés depuis l'autre dossier : {', '.join(added)}." if added else ""
        )
        extra.setWordWrap(True)

        buttons = QDialogButtonBox()
        self.merge_button = QPushButton("&Fusionner avec ces traits")
        self.merge_button.setDefault(True)
        buttons.addButton(self.merge_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.two_people_button = QPushButton("Ce sont &deux personnes")
        self.two_people_button.setVisible(merge.state is MergeState.PROPOSED)
        buttons.addButton(self.two_people_button, QDialogButtonBox.ButtonRole.DestructiveRole)
        later = buttons.addButton("Plus &tard", QDialogButtonBox.ButtonRole.RejectRole)
        later.clicked.connect(self.reject)
        self.merge_button.clicked.connect(self._on_merge_clicked)
        self.two_people_button.clicked.connect(self._on_two_people_clicked)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(found)
        layout.addLayout(grid)
        layout.addWidget(extra)
        layout.addWidget(buttons)

    def choose_other(self, name: str) -> None:
        """Keeps the other record's version of ``name`` (a trait that differs)."""
        self.choices[name].button(2).setChecked(True)

    def chosen(self) -> Patient:
        """The team's record with the other record's version of each trait chosen so."""
        changes = {
            name: getattr(self._case.other, name)
            for name, group in self.choices.items()
            if group.checkedId() == 2
        }
        return replace(self._case.kept, **changes)

    def _on_merge_clicked(self) -> None:
        self.merge_chosen.emit(self.chosen())
        self.accept()

    def _on_two_people_clicked(self) -> None:
        self.two_people.emit()
        self.accept()
