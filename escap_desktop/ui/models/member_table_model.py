"""The members of an ESCAP and where each stands (invited, member, declined, left)."""

from __future__ import annotations

from escap_desktop.core.entities import MembershipStatus
from escap_desktop.core.entities.summaries import MemberView
from escap_desktop.ui.formatting import format_date
from escap_desktop.ui.models.row_table_model import Column, RowTableModel
from escap_desktop.ui.resources import icon

_STATUS_ICONS = {
    MembershipStatus.INVITED: "invite",
    MembershipStatus.ACCEPTED: "accept",
    MembershipStatus.DECLINED: "decline",
    MembershipStatus.LEFT: "exit",
    MembershipStatus.REMOVED: "exit",
}


def _name(member: MemberView) -> str:
    name = member.professional.display_name
    return f"{name} (médecin traitant)" if member.is_medecin_traitant else name


def _answered(member: MemberView) -> str:
    when = member.membership.left_at or member.membership.responded_at
    return format_date(when) if when else ""


class MemberTableModel(RowTableModel[MemberView]):
    NAME, PROFESSION, ROLE, STATUS, ANSWERED = range(5)
    columns = (
        Column("Professionnel", _name),
        Column("Profession", lambda m: m.professional.profession.label),
        Column(
            "Rôle dans l'équipe", lambda m: m.membership.role, tooltip=lambda m: m.membership.role
        ),
        Column(
            "Statut",
            lambda m: m.membership.status.label,
            icon=lambda m: icon(_STATUS_ICONS[m.membership.status]),
        ),
        Column(
            "Depuis le",
            _answered,
            sort=lambda m: m.membership.left_at or m.membership.responded_at,
        ),
    )

    def key(self, row: MemberView) -> str:
        return row.membership.id
