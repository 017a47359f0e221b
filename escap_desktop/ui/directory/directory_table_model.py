"""The results of a directory search, one row per professional."""

from __future__ import annotations

from escap_desktop.core.entities.directory import DirectoryEntry
from escap_desktop.ui.formatting import fold
from escap_desktop.ui.models.row_table_model import ROW_ROLE, Column, RowTableModel

ENTRY_ROLE = ROW_ROLE
"""The :class:`DirectoryEntry` of a row, under this role of any of its cells."""


def _place(entry: DirectoryEntry) -> str:
    if not entry.sites:
        return ""
    more = len(entry.sites) - 1
    return entry.sites[0].place + (f" (+{more} autre{'s' if more > 1 else ''})" if more else "")


def _all_places(entry: DirectoryEntry) -> str:
    if len(entry.sites) < 2:
        return ""
    lines = [f"{len(entry.sites)} lieux d'exercice :"]
    for site in entry.sites:
        where = f"{site.organisation} — {site.place}" if site.organisation else site.place
        lines.append(f"• {where}")
    return "\n".join(lines)


def _all_mssante(entry: DirectoryEntry) -> str:
    if len(entry.mssante_addresses) < 2:
        return ""
    lines = [f"{len(entry.mssante_addresses)} adresses MSSanté (la première est retenue) :"]
    lines += [f"• {address}" for address in entry.mssante_addresses]
    return "\n".join(lines)


class DirectoryTableModel(RowTableModel[DirectoryEntry]):
    """Name, profession, specialty, first place of practice, its phone, the MSSanté address."""

    NAME, PROFESSION, SPECIALTY, PLACE, PHONE, MSSANTE = range(6)
    columns = (
        Column(
            "Nom", lambda e: e.display_name, sort=lambda e: fold(f"{e.last_name} {e.first_name}")
        ),
        Column("Profession", lambda e: e.profession_label),
        Column("Spécialité", lambda e: e.specialty),
        Column("Lieu d'exercice", _place, tooltip=_all_places),
        Column("Téléphone", lambda e: e.sites[0].phone_display if e.sites else ""),
        Column("MSSanté", lambda e: e.mssante, tooltip=_all_mssante),
    )

    def key(self, row: DirectoryEntry) -> str:
        return f"{row.national_id}/{row.profession_code}"

    def entry_at(self, position: int) -> DirectoryEntry | None:
        return self.row_at(position)
