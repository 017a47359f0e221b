"""Small builders for episodes and memberships on given days (UTC noon unless told otherwise)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time

from escap_desktop.core.entities import (
    Escap,
    EscapState,
    ExitReason,
    Membership,
    MembershipStatus,
    Profession,
    Professional,
)


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=UTC)


def professional(
    last_name: str = "Lefèvre",
    first_name: str = "Marie",
    profession: Profession = Profession.INFIRMIER,
    rpps: str = "10101010101",
) -> Professional:
    return Professional(
        last_name=last_name, first_name=first_name, profession=profession, identifier=rpps
    )


def escap(
    activated: date | None,
    closed: date | None = None,
    *,
    patient_id: str = "",
    created: date | None = None,
    episode: int = 1,
) -> Escap:
    """An episode activated (and possibly closed) on the given days."""
    state = EscapState.FORMING
    if activated is not None:
        state = EscapState.CLOSED if closed is not None else EscapState.ACTIVE
    elif closed is not None:
        state = EscapState.CLOSED
    made = Escap(
        patient_id="",
        created_by="createur",
        created_at=noon(created or activated or date(2025, 4, 1)),
        state=state,
        episode=episode,
        activated_at=noon(activated) if activated else None,
        closed_at=noon(closed) if closed else None,
        exit_reason=ExitReason.IMPROVED if closed else None,
    )
    return replace(made, patient_id=patient_id or f"patient-{made.id}")


def member(
    episode: Escap,
    who: Professional,
    *,
    accepted: date | None = None,
    left: date | None = None,
    status: MembershipStatus | None = None,
    invited: date | None = None,
    role: str = "",
) -> Membership:
    """An accepted membership by default (accepted on the invitation day)."""
    invited_on = invited or accepted or date(2025, 4, 1)
    if status is None:
        status = MembershipStatus.LEFT if left else MembershipStatus.ACCEPTED
    responded = accepted or (invited_on if status is not MembershipStatus.INVITED else None)
    return Membership(
        escap_id=episode.id,
        professional_id=who.id,
        invited_by="createur",
        invited_at=noon(invited_on),
        role=role,
        status=status,
        responded_at=noon(responded) if responded else None,
        left_at=noon(left) if left else None,
    )
