"""A re-evaluation: the clinical situation and a new grid, saved as a new assessment."""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import QDialogButtonBox, QTabWidget, QVBoxLayout, QWidget

from escap_desktop.core.errors import ValidationError
from escap_desktop.ui.forms.grid_form import GridForm, GridLike, Scorer
from escap_desktop.ui.forms.situation_form import Evaluator, SituationForm
from escap_desktop.ui.widgets.form_errors import error_label
from escap_desktop.ui.widgets.guarded_dialog import GuardedDialog


class ReevaluationDialog(GuardedDialog):
    def __init__(
        self,
        grid: GridLike,
        scorer: Scorer,
        evaluator: Evaluator,
        birth_date: date,
        parent: QWidget | None = None,
        *,
        today: date,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Réévaluation")
        self.resize(900, 680)
        self.situation = SituationForm(today)
        self.situation.set_evaluator(evaluator, birth_date)
        self.grid = GridForm(grid, scorer)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.situation, "1. Situation clinique")
        self.tabs.addTab(self.grid, "2. Grille")
        self.error = error_label()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("&Enregistrer la grille")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Annuler")
        buttons.accepted.connect(self._on_save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.grid.answers_changed.connect(self.mark_dirty)
        self.situation.changed.connect(self.mark_dirty)

    def _on_save(self) -> None:
        if not self.situation.validate():
            self.tabs.setCurrentWidget(self.situation)
            return
        self.mark_clean()
        self.accept()

    def show_error(self, problem: ValidationError | str) -> None:
        self.error.setText(str(problem))
        self.error.show()
