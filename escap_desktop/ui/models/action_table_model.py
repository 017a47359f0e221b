"""The shared action plan: each action, who does it, when, and the GP's validation/receipt."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject

from escap_desktop.core.entities import Action, ActionStatus
from escap_desktop.ui.formatting import format_date
from escap_desktop.ui.models.row_table_model import Column, RowTableModel
from escap_desktop.ui.resources import icon


class ActionTableModel(RowTableModel[Action]):
    """``names`` maps professional ids to display names (the responsible member)."""

    TITLE, RESPONSIBLE, DUE, STATUS, MT_VALIDATED, MT_RECEIVED = range(6)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: Mapping[str, str] = {}
        self._plan_stopped = False
        self.columns = (
            Column("Action", lambda a: a.title, tooltip=lambda a: a.details),
            Column("Responsable", self._responsible),
            Column("Échéance", lambda a: format_date(a.due_on), sort=lambda a: a.due_on),
            Column(
                "Statut",
                self._status,
                icon=lambda a: icon("check") if a.status is ActionStatus.DONE else None,
            ),
            Column(
                "Validée par le MT",
                lambda a: format_date(a.mt_validated_on),
                sort=lambda a: a.mt_validated_on,
            ),
            Column(
                "Reçue par le MT",
                lambda a: format_date(a.mt_received_on),
                sort=lambda a: a.mt_received_on,
            ),
        )

    def set_names(self, names: Mapping[str, str]) -> None:
        self._names = dict(names)

    def set_plan_stopped(self, stopped: bool) -> None:
        """Once the plan has stopped (the ESCAP closed), an open action reads as left undone."""
        self._plan_stopped = stopped

    def _responsible(self, action: Action) -> str:
        if action.responsible_id is None:
            return "Non attribuée"
        return self._names.get(action.responsible_id, "Professionnel inconnu")

    def _status(self, action: Action) -> str:
        if action.status is ActionStatus.DONE and action.completed_on:
            return f"Faite le {format_date(action.completed_on)}"
        if action.status is ActionStatus.TODO and self._plan_stopped:
            return "Non faite (plan arrêté)"
        return action.status.label
