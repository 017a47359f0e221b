"""Tracer codes per member of an ESCAP: entry and exit billed, or why not yet allowed."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from escap_desktop.ui.formatting import format_date
from escap_desktop.ui.models.row_table_model import Column, RowTableModel
from escap_desktop.ui.resources import icon


class MemberBillingLike(Protocol):
    professional_id: str
    display_name: str
    profession_label: str
    role: str
    entry_billed_on: date | None
    exit_billed_on: date | None
    entry_refusal: str
    exit_refusal: str


def _billed(day: date | None) -> str:
    return f"Facturée le {format_date(day)}" if day else "Non facturée"


class BillingTableModel(RowTableModel[MemberBillingLike]):
    NAME, PROFESSION, ENTRY, EXIT = range(4)
    columns = (
        Column("Professionnel", lambda m: m.display_name),
        Column("Profession", lambda m: m.profession_label),
        Column(
            "Lettre clé d'entrée",
            lambda m: _billed(m.entry_billed_on),
            sort=lambda m: m.entry_billed_on,
            icon=lambda m: icon("check") if m.entry_billed_on else None,
            tooltip=lambda m: m.entry_refusal,
        ),
        Column(
            "Lettre clé de sortie",
            lambda m: _billed(m.exit_billed_on),
            sort=lambda m: m.exit_billed_on,
            icon=lambda m: icon("check") if m.exit_billed_on else None,
            tooltip=lambda m: m.exit_refusal,
        ),
    )

    def key(self, row: MemberBillingLike) -> str:
        return row.professional_id
