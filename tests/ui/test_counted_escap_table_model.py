""" "Mes ESCAP": the ESCAPs counted for the year, as the professional reads them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from escap_desktop.ui.models.counted_escap_table_model import CountedEscapTableModel


@dataclass
class Span:
    start: date
    end: date | None


@dataclass
class Counted:
    escap_id: str
    patient_id: str
    episode: int
    days: Span


def test_a_membership_still_running_reads_en_cours_not_the_year_end() -> None:
    model = CountedEscapTableModel(lambda: date(2026, 11, 25))
    model.set_rows(
        [
            Counted("a", "p1", 1, Span(date(2026, 1, 1), date(2026, 12, 31))),
            Counted("b", "p2", 1, Span(date(2026, 1, 1), date(2026, 2, 23))),
        ]
    )
    to = CountedEscapTableModel.TO
    assert model.data(model.index(0, to)) == "en cours"
    assert model.data(model.index(1, to)) == "23/02/2026"
