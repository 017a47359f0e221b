"""The events timeline of an ESCAP (hospitalisation, emergency visit, re-evaluation...)."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QObject

from escap_desktop.core.entities import Event
from escap_desktop.ui.formatting import format_date
from escap_desktop.ui.models.row_table_model import Column, RowTableModel


class EventTableModel(RowTableModel[Event]):
    DATE, KIND, NOTE, RECORDED_BY = range(4)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: Mapping[str, str] = {}
        self.columns = (
            Column("Date", lambda e: format_date(e.occurred_on), sort=lambda e: e.occurred_on),
            Column("Événement", lambda e: e.kind.label),
            Column("Note", lambda e: e.note, tooltip=lambda e: e.note),
            Column("Noté par", lambda e: self._names.get(e.recorded_by, "")),
        )

    def set_names(self, names: Mapping[str, str]) -> None:
        self._names = dict(names)
