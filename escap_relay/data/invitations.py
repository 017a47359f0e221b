"""Invitations routed to a registered key; the inviter confirms the invitee, then it joins.

The payload and any keys are sealed to the invitee, so the relay routes what it cannot read.
An acceptance carries the invitee's proof of the invitation's one-time code, which the relay
keeps for the inviter without being able to check it. Only when the inviter's device, having
checked it, confirms does the relay add the invitee to the team and release withheld keys: a
device that merely gave the invited professional's RPPS number joins nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from pydantic import TypeAdapter
from sqlalchemy import Connection, Row, insert, select, update

from escap_desktop.sync.wire import (
    InvitationAnswerResult,
    InvitationCreate,
    InvitationList,
    InvitationView,
    KeyDelivery,
    invitation_signing_bytes,
)
from escap_relay.data import keys as key_data
from escap_relay.data import teams as team_data
from escap_relay.database import as_utc
from escap_relay.problems import ProblemError
from escap_relay.schema import devices, invitations

_KEYS = TypeAdapter(list[KeyDelivery])


def _view(row: Row) -> InvitationView:
    return InvitationView(
        invitation_id=row.invitation_id,
        team_id=row.team_id,
        inviter_id=row.inviter_id,
        invitee_id=row.invitee_id,
        payload=row.payload,
        signature=row.signature,
        status=row.status,
        created_at=as_utc(row.created_at),
        answered_at=as_utc(row.answered_at) if row.answered_at is not None else None,
        proof=row.proof,
        confirmed_at=as_utc(row.confirmed_at) if row.confirmed_at is not None else None,
    )


def check_signatures(invitation: InvitationCreate, inviter_id: str, inviter_key: VerifyKey) -> None:
    signed = invitation_signing_bytes(
        invitation_id=invitation.invitation_id,
        team_id=invitation.team_id,
        inviter_id=inviter_id,
        invitee_id=invitation.invitee_id,
        payload=invitation.payload,
    )
    try:
        inviter_key.verify(signed, invitation.signature)
    except BadSignatureError as error:
        raise ProblemError(
            422, "signature-invitation-invalide", "La signature de l'invitation est invalide."
        ) from error
    for delivery in invitation.team_keys:
        if (delivery.team_id, delivery.recipient_id, delivery.sender_id) != (
            invitation.team_id,
            invitation.invitee_id,
            inviter_id,
        ):
            raise ProblemError(
                422,
                "livraison-incoherente",
                "Les clés jointes à l'invitation doivent être destinées à l'invité.",
            )
    key_data.check_signatures(invitation.team_keys, inviter_key)


def create(
    conn: Connection, inviter_id: str, invitation: InvitationCreate, now: datetime
) -> tuple[InvitationView, bool]:
    """Stores the invitation (idempotent by id); returns it and whether it is new."""
    team_data.lock_for_write(conn, invitation.team_id, inviter_id, now)
    if (
        conn.scalar(select(devices.c.device_id).where(devices.c.device_id == invitation.invitee_id))
        is None
    ):
        raise ProblemError(
            404,
            "appareil-inconnu",
            "L'invité n'a pas (encore) d'appareil enregistré sur ce relais.",
        )
    existing = conn.execute(
        select(invitations).where(invitations.c.invitation_id == invitation.invitation_id)
    ).first()
    if existing is not None:
        same = (
            existing.team_id,
            existing.inviter_id,
            existing.invitee_id,
            existing.payload,
            existing.signature,
        ) == (
            invitation.team_id,
            inviter_id,
            invitation.invitee_id,
            invitation.payload,
            invitation.signature,
        )
        if not same:
            raise ProblemError(
                409, "invitation-existante", "Une autre invitation porte déjà cet identifiant."
            )
        return _view(existing), False
    conn.execute(
        insert(invitations).values(
            invitation_id=invitation.invitation_id,
            team_id=invitation.team_id,
            inviter_id=inviter_id,
            invitee_id=invitation.invitee_id,
            payload=invitation.payload,
            signature=invitation.signature,
            withheld_keys=_KEYS.dump_json(invitation.team_keys),
            status="pending",
            created_at=now,
        )
    )
    row = conn.execute(
        select(invitations).where(invitations.c.invitation_id == invitation.invitation_id)
    ).one()
    return _view(row), True


def list_for(
    conn: Connection, device_id: str, box: Literal["received", "sent"], pending_only: bool
) -> InvitationList:
    column = invitations.c.invitee_id if box == "received" else invitations.c.inviter_id
    query = select(invitations).where(column == device_id)
    if pending_only:
        query = query.where(invitations.c.status == "pending")
    rows = conn.execute(query.order_by(invitations.c.created_at, invitations.c.invitation_id))
    return InvitationList(invitations=[_view(row) for row in rows])


def answer(
    conn: Connection,
    invitee_id: str,
    invitation_id: str,
    accept: bool,
    now: datetime,
    proof: bytes | None = None,
) -> InvitationAnswerResult:
    row = conn.execute(
        select(invitations)
        .where(invitations.c.invitation_id == invitation_id, invitations.c.invitee_id == invitee_id)
        .with_for_update()
    ).first()
    if row is None:
        raise ProblemError(
            404, "invitation-inconnue", "Aucune invitation de ce numéro pour cet appareil."
        )
    if row.status != "pending":
        raise ProblemError(
            409, "invitation-deja-repondue", "Cette invitation a déjà reçu une réponse."
        )
    if accept and not team_data.is_member(conn, row.team_id, row.inviter_id):
        raise ProblemError(
            409,
            "invitation-perimee",
            "La personne qui vous a invité ne fait plus partie de l'équipe : "
            "l'invitation n'est plus valable.",
        )
    conn.execute(
        update(invitations)
        .where(invitations.c.invitation_id == invitation_id)
        .values(
            status="accepted" if accept else "declined",
            answered_at=now,
            proof=proof if accept else None,
            withheld_keys=row.withheld_keys if accept else b"[]",
        )
    )
    updated = conn.execute(
        select(invitations).where(invitations.c.invitation_id == invitation_id)
    ).one()
    return InvitationAnswerResult(invitation=_view(updated), team_keys=[])


def confirm(conn: Connection, inviter_id: str, invitation_id: str, now: datetime) -> InvitationView:
    """The inviter checked the invitee's proof: the invitee joins the team (idempotent)."""
    row = conn.execute(
        select(invitations)
        .where(invitations.c.invitation_id == invitation_id, invitations.c.inviter_id == inviter_id)
        .with_for_update()
    ).first()
    if row is None:
        raise ProblemError(
            404, "invitation-inconnue", "Aucune invitation de ce numéro envoyée par cet appareil."
        )
    if row.status != "accepted":
        raise ProblemError(409, "invitation-non-acceptee", "Cette invitation n'a pas été acceptée.")
    if row.confirmed_at is None:
        if not team_data.is_member(conn, row.team_id, inviter_id):
            raise ProblemError(
                409, "invitation-perimee", "Vous ne faites plus partie de cette équipe."
            )
        team_data.lock_for_write(conn, row.team_id, inviter_id, now)
        team_data.add_member(conn, row.team_id, row.invitee_id, inviter_id, now)
        key_data.store(conn, _KEYS.validate_json(row.withheld_keys), now)
        conn.execute(
            update(invitations)
            .where(invitations.c.invitation_id == invitation_id)
            .values(confirmed_at=now, withheld_keys=b"[]")
        )
    updated = conn.execute(
        select(invitations).where(invitations.c.invitation_id == invitation_id)
    ).one()
    return _view(updated)
