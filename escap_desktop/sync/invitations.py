"""Invitations through the relay, and the proof of who answers them.

RPPS numbers are public, so the relay's RPPS → devices list is a hint: the inviter's device
sends an invitation to *each* device giving the invitee's number, sealed to it (who invites, the
role, the patient's initials and age — no health data, no key). The invitee's professional
accepts by typing the invitation's one-time code, which reached them outside the relay (printed
letter, telephone); their device answers with the proof of it (``sync/join_proof.py``). Only
then, when the inviter's device has checked that proof against the membership's code, does it
confirm the invitee to the relay (which adds it to the team), pin its keys in the professional
record the team shares, and seal team keys to it. A device that answered without the code is
refused and receives nothing.

The invitee's answer is recorded at once and carried out by the next cycle; once confirmed
(``AWAITING`` until then) its device pulls the history and records its own membership answer
(their consent to join), which the team receives like any other change. A decline is seen by
the inviter's device, which records it on the membership.
"""

from __future__ import annotations

import json
import logging
from dataclasses import replace
from typing import Any

from escap_desktop.core.entities import (
    Escap,
    IdentifierKind,
    Membership,
    MembershipStatus,
    Patient,
    Professional,
    new_id,
)
from escap_desktop.core.errors import NotFoundError
from escap_desktop.store import UnitOfWork
from escap_desktop.store.sync_models import SyncInvitationRow
from escap_desktop.sync.category_keys import readable_versions
from escap_desktop.sync.codec import canonical_json
from escap_desktop.sync.context import CycleContext
from escap_desktop.sync.crypto import (
    CryptoError,
    PublicIdentity,
    TeamKey,
    open_invitation,
    seal_invitation,
    seal_team_key,
)
from escap_desktop.sync.identity_map import wire_id, wire_id_for_rpps
from escap_desktop.sync.join_proof import join_proof, proves_code
from escap_desktop.sync.relay_client import RelayRefusedError
from escap_desktop.sync.teams import (
    ACTIVE,
    AWAITING,
    JOINING,
    LIVE_STATES,
    accept_delivery,
    deliver,
    member_categories,
    refresh_members,
)
from escap_desktop.sync.wire import DeviceInfo, InvitationCreate, InvitationView, b64u_encode

logger = logging.getLogger(__name__)

INVITATION_FORMAT = 1
SENT, RECEIVED = "sent", "received"
UNSENT, PENDING, ACCEPTED, DECLINED, EXPIRED, REJECTED = (
    "unsent",
    "pending",
    "accepted",
    "declined",
    "expired",
    "rejected",
)
ACCEPT, DECLINE = "accept", "decline"


# --- the invitee's side ---------------------------------------------------------------------


def receive_invitations(ctx: CycleContext) -> None:
    listing = ctx.client.invitations("received", pending=True)
    for view in listing.invitations:
        with ctx.work() as (_uow, repo):
            if repo.invitation(view.invitation_id) is not None:
                continue
        inviter = ctx.client.device(view.inviter_id)
        if inviter is None:
            continue
        try:
            text = open_invitation(view, invitee=ctx.keys, inviter_verify_key=inviter.signing_key)
            summary = _checked_summary(json.loads(text), view.team_id)
        except (CryptoError, ValueError, KeyError, TypeError) as error:
            logger.warning(
                "Invitation rejetée (%s, de %s) : %s",
                view.invitation_id,
                view.inviter_id,
                type(error).__name__,
            )
            continue
        claimed = summary["inviter"].get("rpps") or ""
        if claimed and inviter.rpps != claimed:
            logger.warning(
                "Invitation rejetée (%s) : le RPPS annoncé n'est pas celui de l'appareil.",
                view.invitation_id,
            )
            continue
        with ctx.work() as (_uow, repo):
            repo.add_invitation(
                SyncInvitationRow(
                    invitation_id=view.invitation_id,
                    direction=RECEIVED,
                    team_id=view.team_id,
                    escap_id=summary["escap_id"],
                    membership_id=summary["membership_id"],
                    peer_device_id=view.inviter_id,
                    status=PENDING,
                    decision="",
                    summary=canonical_json(summary).decode("utf-8"),
                    created_at=view.created_at,
                )
            )
            repo.remember_device(
                view.team_id,
                inviter.device_id,
                inviter.signing_key,
                inviter.encryption_key,
                wire_id_for_rpps(inviter.rpps) if inviter.rpps else None,
                vouched=True,  # its signature on the invitation was checked with these keys
            )
        ctx.report.invitations_received += 1


def answer_invitations(ctx: CycleContext) -> None:
    """Carries the professional's recorded answers to the relay."""
    with ctx.work() as (_uow, repo):
        answers = [
            (row.invitation_id, row.team_id, row.escap_id, row.decision, row.join_code)
            for row in repo.invitations(RECEIVED, PENDING)
            if row.decision in (ACCEPT, DECLINE)
        ]
    for invitation_id, team_id, escap_id, decision, code in answers:
        accept = decision == ACCEPT
        status = ACCEPTED if accept else DECLINED
        released = []
        proof = (
            join_proof(
                code,
                invitation_id,
                ctx.keys.public.signing_key,
                ctx.keys.public.encryption_key,
            )
            if accept
            else None
        )
        try:
            released = ctx.client.answer(invitation_id, accept=accept, proof=proof).team_keys
        except RelayRefusedError as error:
            if error.status == 404 or error.slug == "invitation-perimee":
                status = EXPIRED
            elif error.status != 409:  # 409: answered already (a lost answer was retried)
                raise
        with ctx.work() as (_uow, repo):
            row = repo.invitation(invitation_id)
            assert row is not None
            row.status = status
            row.join_code = ""  # used: nothing keeps it on this computer
            if status == ACCEPTED and repo.team(team_id) is None:
                repo.add_team(team_id, escap_id, is_admin=False, state=AWAITING)
        for delivery in released:
            accept_delivery(ctx, delivery)


def join_confirmed_teams(ctx: CycleContext) -> None:
    """Teams whose inviter confirmed this device (the relay lists it as a member) start joining:
    their keys come, then their history."""
    with ctx.work() as (_uow, repo):
        awaited = [team.team_id for team in repo.teams(AWAITING)]
    for team_id in awaited:
        if refresh_members(ctx, team_id) is None:
            continue  # not confirmed yet: the inviter's device checks the code at its next cycle
        with ctx.work() as (_uow, repo):
            team = repo.team(team_id)
            if team is not None and team.state == AWAITING:
                team.state = JOINING


def confirm_joined_teams(ctx: CycleContext) -> list[str]:
    """Memberships to accept now that their history arrived (ids); teams with it go active."""
    to_accept: list[str] = []
    with ctx.work() as (uow, repo):
        accepted = {row.team_id: row.membership_id for row in repo.invitations(RECEIVED, ACCEPTED)}
        for team in repo.teams(JOINING):
            membership_id = accepted.get(team.team_id)
            try:
                membership = uow.get(Membership, membership_id) if membership_id else None
            except NotFoundError:
                membership = None
            if membership is None:
                continue  # the history is not there yet
            if membership.status is MembershipStatus.INVITED:
                to_accept.append(membership.id)
            team.state = ACTIVE
    return to_accept


# --- the inviter's side ---------------------------------------------------------------------


def send_invitations(ctx: CycleContext) -> None:
    _prepare_invitations(ctx)
    with ctx.work() as (_uow, repo):
        unsent = [(row.invitation_id, row.summary) for row in repo.invitations(SENT, UNSENT)]
    for invitation_id, body in unsent:
        try:
            ctx.client.invite(InvitationCreate.model_validate_json(body))
        except RelayRefusedError as error:
            if error.status not in (403, 404, 409):
                raise
            logger.warning("Invitation %s refusée par le relais : %s", invitation_id, error.slug)
            status = EXPIRED
        else:
            status = PENDING
            ctx.report.invitations_sent += 1
        with ctx.work() as (_uow, repo):
            row = repo.invitation(invitation_id)
            assert row is not None
            row.status = status


def _prepare_invitations(ctx: CycleContext) -> None:
    """Seals an invitation for each colleague this professional invited and who has a device.

    The sealed invitation is stored before it is sent, so a retry sends the same one (the relay
    takes an identical invitation twice as one).
    """
    with ctx.work() as (uow, repo):
        waiting: list[tuple[str, Membership, Professional]] = []
        for team in repo.teams(*LIVE_STATES):
            for membership in uow.find(
                Membership, escap_id=team.escap_id, status=MembershipStatus.INVITED
            ):
                if (
                    membership.invited_by == ctx.actor_id
                    and membership.professional_id != ctx.actor_id
                    and not repo.answered_invitation_for(membership.id)
                ):
                    professional = uow.get(Professional, membership.professional_id)
                    if professional.identifier_kind is IdentifierKind.RPPS:
                        waiting.append((team.team_id, membership, professional))
    for team_id, membership, professional in waiting:
        # Every device giving that number is invited; none receives a key before its proof.
        for device in ctx.client.devices_by_rpps(professional.identifier):
            if device.device_id != ctx.device_id:
                _prepare_one(ctx, team_id, membership, device)
    _prepare_new_computers(ctx)


def _prepare_new_computers(ctx: CycleContext) -> None:
    """A member's new computer asked for here (``SyncService.request_new_computer``): every
    device giving their number that is not in the team yet is invited, with the request's code
    to prove; the member's devices already in the team are left alone."""
    with ctx.work() as (uow, repo):
        requested: list[tuple[str, Membership, Professional, str]] = []
        for request in repo.open_device_requests():
            team = repo.team(request.team_id)
            if team is None or team.state not in LIVE_STATES:
                continue
            try:
                membership = uow.get(Membership, request.membership_id)
                professional = uow.get(Professional, membership.professional_id)
            except NotFoundError:
                continue
            if membership.status is MembershipStatus.ACCEPTED:
                requested.append((request.team_id, membership, professional, request.code))
    for team_id, membership, professional, code in requested:
        members = refresh_members(ctx, team_id)
        if members is None:
            continue
        in_team = {member.device.device_id for member in members.members}
        for device in ctx.client.devices_by_rpps(professional.identifier):
            if device.device_id not in in_team:
                _prepare_one(ctx, team_id, membership, device, code=code)


def _prepare_one(
    ctx: CycleContext, team_id: str, membership: Membership, device: DeviceInfo, *, code: str = ""
) -> None:
    """``code``: a new computer's request code, which its proof must show (for an invitation,
    the membership's own code)."""
    invitee = PublicIdentity(device.signing_key, device.encryption_key)
    with ctx.work() as (uow, repo):
        if repo.sent_invitation_for(membership.id, device.device_id) is not None:
            return
        summary = _summary(uow, team_id, membership, ctx, new_computer=bool(code))
        invitation = seal_invitation(
            invitation_id=new_id(),
            team_id=team_id,
            invitee=invitee,
            inviter=ctx.keys,
            message=canonical_json(summary),
            team_keys=[],  # sealed once the invitee proved the invitation's code
        )
        repo.add_invitation(
            SyncInvitationRow(
                invitation_id=invitation.invitation_id,
                direction=SENT,
                team_id=team_id,
                escap_id=membership.escap_id,
                membership_id=membership.id,
                peer_device_id=device.device_id,
                status=UNSENT,
                decision="",
                join_code=code,
                summary=invitation.model_dump_json(),
                created_at=uow.clock.now(),
            )
        )


def poll_sent_invitations(ctx: CycleContext) -> None:
    """Answers seen on the relay: a decline is recorded on the membership (the team then learns
    it); an acceptance is checked (:func:`_check_and_confirm`)."""
    with ctx.work() as (_uow, repo):
        if not repo.invitations(SENT, PENDING):
            return
    answered = {
        view.invitation_id: view
        for view in ctx.client.invitations("sent", pending=False).invitations
        if view.status != "pending"
    }
    with ctx.work() as (uow, repo):
        accepted: list[tuple[str, InvitationView]] = []
        for row in repo.invitations(SENT, PENDING):
            view = answered.get(row.invitation_id)
            if view is None:
                continue
            if view.status == "accepted":
                accepted.append((row.invitation_id, view))
                continue
            row.status = DECLINED
            membership = uow.get(Membership, row.membership_id)
            if membership.status is MembershipStatus.INVITED:
                uow.put(
                    replace(
                        membership,
                        status=MembershipStatus.DECLINED,
                        responded_at=view.answered_at or uow.clock.now(),
                    )
                )
    for invitation_id, view in accepted:
        _check_and_confirm(ctx, invitation_id, view)


def _check_and_confirm(ctx: CycleContext, invitation_id: str, view: InvitationView) -> None:
    """An acceptance counts only with the proof of the membership's one-time code, made with the
    keys of the device it was sent to; then the relay adds that device, the team learns its keys
    and every key version of the categories it may read is sealed to it."""
    device = ctx.client.device(view.invitee_id)
    with ctx.work() as (uow, repo):
        row = repo.invitation(invitation_id)
        assert row is not None
        membership = uow.get(Membership, row.membership_id)
        code = row.join_code or membership.join_code  # a new computer's request, or the letter's
        proved = device is not None and proves_code(
            view.proof,
            code,
            invitation_id,
            device.signing_key,
            device.encryption_key,
        )
        if not proved:
            row.status = REJECTED
            logger.warning(
                "Invitation %s : l'appareil %s a répondu sans le code de l'invitation ; "
                "il ne reçoit rien.",
                invitation_id,
                view.invitee_id,
            )
            return
    assert device is not None
    ctx.client.confirm(invitation_id)
    with ctx.work() as (uow, repo):
        row = repo.invitation(invitation_id)
        assert row is not None
        row.status = ACCEPTED
        replaces = bool(row.join_code) and repo.finish_device_requests(
            row.membership_id, row.join_code
        )
        membership = uow.get(Membership, row.membership_id)
        professional = uow.get(Professional, membership.professional_id)
        pinned = replace(
            professional,
            signing_public_key=b64u_encode(device.signing_key),
            encryption_public_key=b64u_encode(device.encryption_key),
        )
        if pinned != professional:
            uow.put(pinned)  # the team learns the invitee's proven keys with the record
        repo.remember_device(
            row.team_id,
            device.device_id,
            device.signing_key,
            device.encryption_key,
            wire_id(pinned),
            vouched=True,  # it proved the invitation's one-time code
        )
        if replaces:
            # The member's lost computers: removed at this cycle's review, keys renewed.
            repo.retire_devices(row.team_id, wire_id(pinned), keep=device.device_id)
        repo.flag_review(row.team_id)
        # Every key version of the categories the invitee may read, as the invitation carried
        # them before: the history it is about to pull was sealed with the older ones.
        keys = repo.team_keys(row.team_id)
        allowed = member_categories(uow, membership.escap_id, professional.id)
        deliveries = [
            seal_team_key(
                TeamKey(version, keys[version]),
                team_id=row.team_id,
                recipient=PublicIdentity(device.signing_key, device.encryption_key),
                sender=ctx.keys,
            )
            for version in readable_versions(keys, allowed)
        ]
        team_id = row.team_id
    deliver(ctx, team_id, deliveries)
    ctx.report.invitations_confirmed += 1


# --- the invitation text --------------------------------------------------------------------


def _summary(
    uow: UnitOfWork,
    team_id: str,
    membership: Membership,
    ctx: CycleContext,
    *,
    new_computer: bool = False,
) -> dict[str, Any]:
    """What the invitee reads before answering (sealed to it). ``new_computer``: a member's
    new computer asked for by a colleague, not an invitation to join: its professional is a
    member already, and is told so."""
    escap = uow.get(Escap, membership.escap_id)
    patient = uow.get(Patient, escap.patient_id)
    inviter = uow.get(Professional, ctx.actor_id)
    today = ctx.today()
    return {
        "format": INVITATION_FORMAT,
        "team_id": team_id,
        "escap_id": escap.id,
        "membership_id": membership.id,
        "role": membership.role,
        "invited_at": membership.invited_at.isoformat(),
        "inviter": {
            "name": inviter.display_name,
            "profession": inviter.profession.value,
            "rpps": inviter.identifier if inviter.identifier_kind is IdentifierKind.RPPS else "",
        },
        "patient": {"initials": patient.initials, "age": patient.age_on(today)},
        **({"new_computer": True} if new_computer else {}),
    }


def _checked_summary(data: Any, team_id: str) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != INVITATION_FORMAT:
        raise ValueError("format d'invitation inconnu")
    if data.get("team_id") != team_id:
        raise ValueError("équipe différente de celle de l'enveloppe")
    for name in ("escap_id", "membership_id", "role", "invited_at"):
        if not isinstance(data.get(name), str):
            raise ValueError(f"champ {name} absent")
    inviter, patient = data.get("inviter"), data.get("patient")
    if not isinstance(inviter, dict) or not isinstance(patient, dict):
        raise ValueError("invitation incomplète")
    if not isinstance(inviter.get("name"), str) or not isinstance(patient.get("initials"), str):
        raise ValueError("invitation incomplète")
    if not isinstance(patient.get("age"), int):
        raise ValueError("âge absent")
    return data
