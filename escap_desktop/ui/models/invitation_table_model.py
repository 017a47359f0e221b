"""Invitations received, before they are answered: the patient by initials and age only."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from escap_desktop.ui.formatting import format_datetime
from escap_desktop.ui.models.row_table_model import Column, RowTableModel


class InvitationLike(Protocol):
    invitation_id: str
    inviter_name: str
    inviter_profession: str
    role: str
    patient_initials: str
    patient_age: int
    received_at: datetime
    new_computer: bool


class InvitationTableModel(RowTableModel[InvitationLike]):
    INVITER, PATIENT, ROLE, RECEIVED = range(4)
    columns = (
        Column("Invité par", lambda i: f"{i.inviter_name} ({i.inviter_profession})"),
        Column("Patient", lambda i: f"{i.patient_initials}, {i.patient_age} ans"),
        Column(
            "Rôle proposé",
            lambda i: (
                "ce nouvel ordinateur (vous êtes déjà membre)"
                if i.new_computer
                else i.role or "à convenir avec l'équipe"
            ),
        ),
        Column("Reçue le", lambda i: format_datetime(i.received_at), sort=lambda i: i.received_at),
    )

    def key(self, row: InvitationLike) -> str:
        return row.invitation_id
