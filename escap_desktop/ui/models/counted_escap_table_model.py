"""The ESCAPs counted for the professional's allowances this year."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Protocol

from PySide6.QtCore import QObject

from escap_desktop.ui.formatting import format_date
from escap_desktop.ui.models.row_table_model import Column, RowTableModel


class SpanLike(Protocol):
    start: date
    end: date | None


class CountedLike(Protocol):
    escap_id: str
    patient_id: str
    episode: int
    days: SpanLike


class CountedEscapTableModel(RowTableModel[CountedLike]):
    PATIENT, EPISODE, FROM, TO = range(4)

    def __init__(self, today: Callable[[], date], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._names: Mapping[str, str] = {}
        self._today = today
        self.columns = (
            Column("Patient", lambda c: self._names.get(c.patient_id, "Patient")),
            Column("Épisode", lambda c: str(c.episode), sort=lambda c: c.episode, centered=True),
            Column(
                "Membre actif du", lambda c: format_date(c.days.start), sort=lambda c: c.days.start
            ),
            Column(
                "au",
                self._end_text,
                sort=lambda c: c.days.end or date.max,
            ),
        )

    def _end_text(self, counted: CountedLike) -> str:
        """The year's span is clipped to 31/12: a membership still running reads "en cours"."""
        end = counted.days.end
        return "en cours" if end is None or end >= self._today() else format_date(end)

    def set_names(self, names: Mapping[str, str]) -> None:
        self._names = dict(names)

    def key(self, row: CountedLike) -> str:
        return row.escap_id
