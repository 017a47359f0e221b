"""Teams on the relay: creation, member devices, team keys, removals and key rotation.

- An ESCAP gets a team when its first colleague is invited (the inviter's device creates it and
  becomes its admin; team id = ``Escap.team_id``, random) and its history goes to the outbox.
- Team keys reach this device sealed and signed; a key is kept only if its sender is a known
  member device of that team.
- When a membership ends (removed or left), the admin's device removes that professional's
  devices from the relay team, then rotates the key: a new version sealed to the remaining
  members only. Records written afterwards use it, so the former member cannot read them.
- The admin also seals every key version to members that joined without it.
- Keys are per data category (``sync/category_keys.py``): a member's device receives only the
  keys of the categories that member may read (``core.rules.access``: the consent's scopes and
  their profession), and a device keeps only those, whoever sends more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from escap_desktop.core.entities import (
    AuditKind,
    Consent,
    DataCategory,
    Escap,
    EscapState,
    Membership,
    MembershipStatus,
    Patient,
    Professional,
)
from escap_desktop.core.errors import NotFoundError
from escap_desktop.core.rules.access import current_consent, readable_categories
from escap_desktop.core.rules.team import may_administer
from escap_desktop.store import UnitOfWork
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.category_keys import (
    category_of_version,
    new_generation,
    readable_versions,
)
from escap_desktop.sync.context import CycleContext
from escap_desktop.sync.crypto import (
    CryptoError,
    PublicIdentity,
    TeamKey,
    open_team_key,
    seal_team_key,
)
from escap_desktop.sync.identity_map import IdentityMap, wire_id_for_rpps
from escap_desktop.sync.outbox import OutboxWriter, applying_remote
from escap_desktop.sync.relay_client import RelayRefusedError
from escap_desktop.sync.wire import KeyDelivery, MemberList

logger = logging.getLogger(__name__)

NEW, ACTIVE, JOINING, REMOVED = "new", "active", "joining", "removed"
AWAITING = "awaiting"
"""Invitation accepted with the proof of its code; the inviter's device has not confirmed this
device yet: nothing is pulled, pushed nor reviewed until the relay lists it as a member."""
LIVE_STATES = (ACTIVE, JOINING)
_DEPARTED = (MembershipStatus.LEFT, MembershipStatus.REMOVED)
KEY_PAGE = 200


def refresh_members(ctx: CycleContext, team_id: str) -> MemberList | None:
    """The relay's member list, remembered as known devices; None if this device is no member."""
    members = ctx.client.members(team_id)
    ctx.members_refreshed.add(team_id)
    if members is None:
        return None
    with ctx.work() as (_uow, repo):
        for member in members.members:
            device = member.device
            repo.remember_device(
                team_id,
                device.device_id,
                device.signing_key,
                device.encryption_key,
                wire_id_for_rpps(device.rpps) if device.rpps else None,
            )
    return members


def mark_removed(ctx: CycleContext, team_id: str) -> None:
    """The relay no longer counts this device in the team: stop pushing and pulling it, and
    record here that this professional is no longer a member (the team's own record of the
    removal is sealed with keys this device will never get), so the ESCAP page says so and
    offers no more writes; what was written before stays as history."""
    with ctx.work() as (_uow, repo):
        team = repo.team(team_id)
        if team is None or team.state == REMOVED:
            return
        team.state = REMOVED
        escap_id = team.escap_id
        kept = repo.mark_refused(team_id)
        logger.warning(
            "Cet appareil ne fait plus partie de l'équipe %s ; %d modification(s) non envoyée(s).",
            team_id,
            kept,
        )
    with applying_remote(), ctx.work() as (uow, _repo):
        for membership in uow.find(Membership, escap_id=escap_id):
            if membership.professional_id == ctx.actor_id and membership.status in (
                MembershipStatus.ACCEPTED,
                MembershipStatus.INVITED,
            ):
                uow.put(
                    replace(
                        membership,
                        status=MembershipStatus.REMOVED,
                        left_at=membership.left_at or uow.clock.now(),
                    ),
                    kind=AuditKind.RECEIVED,
                )


# --- keys -----------------------------------------------------------------------------------


def receive_keys(ctx: CycleContext) -> set[str]:
    """Fetches the team keys sealed to this device; returns the teams that got a new version."""
    updated: set[str] = set()
    with ctx.work() as (_uow, repo):
        cursor = repo.state().key_cursor
    while True:
        listing = ctx.client.my_keys(cursor)
        for delivered in listing.keys:
            if accept_delivery(ctx, delivered.delivery):
                updated.add(delivered.delivery.team_id)
        cursor = listing.next_cursor
        with ctx.work() as (_uow, repo):
            repo.state().key_cursor = cursor
        if len(listing.keys) < KEY_PAGE:
            return updated


def accept_delivery(ctx: CycleContext, delivery: KeyDelivery) -> bool:
    """Keeps a delivered key if a known member of the team sent it; True when it is new."""
    team_id = delivery.team_id
    with ctx.work() as (_uow, repo):
        team = repo.team(team_id)
        sender = repo.device(team_id, delivery.sender_id)
    if team is None:
        logger.info("Clé reçue pour une équipe inconnue de cet appareil (%s) : ignorée.", team_id)
        return False
    if sender is None and team_id not in ctx.members_refreshed:
        refresh_members(ctx, team_id)
        with ctx.work() as (_uow, repo):
            sender = repo.device(team_id, delivery.sender_id)
    if sender is None or not sender.vouched:
        # Unknown, or only listed by the relay: no member vouched for it, and a key it sends
        # could be one the relay holds.
        logger.warning(
            "Clé d'équipe rejetée (équipe %s, version %d) : expéditeur %s inconnu de l'équipe.",
            team_id,
            delivery.key_version,
            delivery.sender_id,
        )
        return False
    try:
        key = open_team_key(delivery, recipient=ctx.keys, sender_verify_key=sender.signing_key)
    except CryptoError as error:
        logger.warning(
            "Clé d'équipe rejetée (équipe %s, version %d) : %s",
            team_id,
            delivery.key_version,
            type(error).__name__,
        )
        return False
    with ctx.work() as (uow, repo):
        allowed = member_categories(uow, team.escap_id, uow.actor_id)
        if category_of_version(key.version) not in allowed:
            logger.warning(
                "Clé d'équipe écartée (équipe %s, version %d) : catégorie non accessible ici.",
                team_id,
                key.version,
            )
            return False
        added = repo.add_team_key(team_id, key.version, key.key)
    if added:
        ctx.report.keys_received += 1
    return added


def member_categories(
    uow: UnitOfWork, escap_id: str, professional_id: str | None
) -> frozenset[DataCategory]:
    """The categories a professional (local id) may read in an episode; unknown: admin only."""
    professional = None
    if professional_id is not None:
        try:
            professional = uow.get(Professional, professional_id)
        except NotFoundError:
            professional = None
    return readable_categories(
        professional.profession if professional else None,
        current_consent(uow.find(Consent, escap_id=escap_id)),
    )


def device_categories(
    uow: UnitOfWork, escap_id: str, professional_wire_id: str | None, identities: IdentityMap
) -> frozenset[DataCategory]:
    """The categories a member device's professional may read (from the wire id it carries)."""
    local = identities.local_id_of(professional_wire_id) if professional_wire_id else None
    return member_categories(uow, escap_id, local)


def latest_key(keys: dict[int, bytes]) -> TeamKey | None:
    if not keys:
        return None
    version = max(keys)
    return TeamKey(version, keys[version])


# --- creation -------------------------------------------------------------------------------


def share_new_escaps(ctx: CycleContext) -> None:
    """Gives a team to each episode where this professional invited a colleague.

    The team row and the episode's whole history go to the outbox in one transaction.
    """
    with ctx.work() as (uow, repo):
        writer = OutboxWriter(uow, repo, ctx.wall)
        seen: set[str] = set()
        for membership in uow.find(Membership, status=MembershipStatus.INVITED):
            if (
                membership.invited_by != ctx.actor_id
                or membership.professional_id == ctx.actor_id
                or membership.escap_id in seen
            ):
                continue
            seen.add(membership.escap_id)
            escap = uow.get(Escap, membership.escap_id)
            if escap.state is EscapState.CLOSED or repo.team(escap.team_id) is not None:
                continue
            repo.add_team(escap.team_id, escap.id, is_admin=True, state=NEW)
            writer.share_escap(escap)


def create_pending_teams(ctx: CycleContext) -> None:
    with ctx.work() as (_uow, repo):
        pending = [team.team_id for team in repo.teams(NEW)]
    for team_id in pending:
        try:
            members = ctx.client.create_team(team_id)
        except RelayRefusedError as error:
            if error.status != 403:
                raise
            logger.warning("Équipe %s déjà créée sur le relais par un autre appareil.", team_id)
            mark_removed(ctx, team_id)
            continue
        with ctx.work() as (_uow, repo):
            team = repo.team(team_id)
            assert team is not None
            team.is_admin = any(
                m.is_admin and m.device.device_id == ctx.device_id for m in members.members
            )
            if not repo.team_keys(team_id):
                for first in new_generation([]):
                    repo.add_team_key(team_id, first.version, first.key)
            public = ctx.keys.public
            repo.remember_device(
                team_id,
                ctx.device_id,
                public.signing_key,
                public.encryption_key,
                None,
                vouched=True,
            )
            team.state = ACTIVE
            team.review = True
        ctx.report.teams_created += 1


# --- membership changes ---------------------------------------------------------------------


def review_teams(ctx: CycleContext) -> None:
    """Teams whose memberships changed: removals and key rotation, keys for new members."""
    with ctx.work() as (_uow, repo):
        flagged = [(t.team_id, t.escap_id) for t in repo.teams(*LIVE_STATES) if t.review]
    for team_id, escap_id in flagged:
        members = refresh_members(ctx, team_id)
        if members is None:
            mark_removed(ctx, team_id)
            continue
        with ctx.work() as (_uow, repo):
            team = repo.team(team_id)
            is_admin = any(
                m.is_admin and m.device.device_id == ctx.device_id for m in members.members
            )
            if team is not None:
                team.is_admin = is_admin  # named (or no longer) by another administrator
        if is_admin:
            _settle_unclaimed(ctx, team_id)
            on_relay = {m.device.device_id for m in members.members}
            remaining = _remove_departed(ctx, team_id, escap_id, on_relay)
            _follow_consent_amendment(ctx, team_id, escap_id, remaining)
            _deliver_missing_keys(ctx, team_id, escap_id, remaining)
        # An administrator names them; another member's device asks the relay for them (two
        # such requests name a device: the only administrator's computer may be lost).
        _name_admins(ctx, team_id, escap_id, members)
        with ctx.work() as (_uow, repo):
            team = repo.team(team_id)
            if team is not None:
                team.review = False


def _remove_departed(
    ctx: CycleContext, team_id: str, escap_id: str, on_relay: set[str]
) -> set[str]:
    """Removes departed members' devices and rotates the key; returns the devices that stay."""
    with ctx.work() as (uow, repo):
        identities = IdentityMap(uow.find(Professional))
        departed = {
            identities.to_wire(m.professional_id)
            for m in uow.find(Membership, escap_id=escap_id)
            if m.status in _DEPARTED
        }
        devices = repo.devices(team_id)
        leaving = [
            device.device_id
            for device in devices
            if (device.professional_wire_id in departed or device.retired)
            and device.device_id in on_relay
            and device.device_id != ctx.device_id
        ]
        retired = [device.device_id for device in devices if device.retired]
        current = latest_key(repo.team_keys(team_id))
    remaining = on_relay - set(leaving)
    if not leaving or current is None:
        return remaining

    def cut_off(repo: SyncRepository) -> None:
        for wire in departed:
            repo.cut_off_professional(team_id, wire, current.version)
        repo.cut_off_devices(team_id, retired, current.version)  # lost computers

    deliveries = _rotate(ctx, team_id, escap_id, remaining, also=cut_off)
    for device_id in leaving:
        ctx.client.remove_member(team_id, device_id)
    deliver(ctx, team_id, deliveries)
    return remaining


def _follow_consent_amendment(
    ctx: CycleContext, team_id: str, escap_id: str, remaining: set[str]
) -> None:
    """A consent amendment the keys have not followed yet: a new generation of category keys,
    sealed to each member device only for the categories the amended consent allows it, so a
    member who lost a category cannot open its new records even with the old key."""
    with ctx.work() as (uow, repo):
        consent = current_consent(uow.find(Consent, escap_id=escap_id))
        team = repo.team(team_id)
        if consent is None or team is None or consent.amendment <= team.consent_amendment:
            return
        if latest_key(repo.team_keys(team_id)) is None:
            team.consent_amendment = consent.amendment
            return
        amendment = consent.amendment

    def remember(repo: SyncRepository) -> None:
        row = repo.team(team_id)
        if row is not None:
            row.consent_amendment = amendment

    deliver(ctx, team_id, _rotate(ctx, team_id, escap_id, remaining, also=remember))


def _rotate(
    ctx: CycleContext,
    team_id: str,
    escap_id: str,
    remaining: set[str],
    *,
    also: Callable[[SyncRepository], None],
) -> list[KeyDelivery]:
    """A new generation of keys, and its deliveries to the ``remaining`` devices (per the
    categories each may read). The keys are kept (with ``also``'s change) before anything
    leaves this computer: a retry never rotates twice, and a delivery lost in a crash is sent
    again by :func:`_deliver_missing_keys`."""
    deliveries: list[KeyDelivery] = []
    with ctx.work() as (_uow, repo):
        generation = new_generation(repo.team_keys(team_id))
        for new_key in generation:
            repo.add_team_key(team_id, new_key.version, new_key.key, pending=True)
        also(repo)
    if not _claim(ctx, team_id, [new_key.version for new_key in generation]):
        return []  # another administrator renewed them first: its keys come to this device
    with ctx.work() as (uow, repo):
        identities = IdentityMap(uow.find(Professional))
        for row in repo.devices(team_id):
            if row.device_id not in remaining or row.device_id == ctx.device_id:
                continue
            if not row.vouched:
                continue  # listed by the relay only: no key (SyncTeamDeviceRow.vouched)
            allowed = device_categories(uow, escap_id, row.professional_wire_id, identities)
            recipient = PublicIdentity(row.signing_key, row.encryption_key)
            deliveries.extend(
                seal_team_key(new_key, team_id=team_id, recipient=recipient, sender=ctx.keys)
                for new_key in generation
                if category_of_version(new_key.version) in allowed
            )
    ctx.report.key_rotations += 1
    logger.info(
        "Clés de l'équipe %s renouvelées (versions %d à %d).",
        team_id,
        generation[0].version,
        generation[-1].version,
    )
    return deliveries


def _claim(ctx: CycleContext, team_id: str, versions: list[int]) -> bool:
    """Claims a renewal's key versions on the relay: True when they are this device's to use
    and deliver; False when another administrator's device claimed them first (dropped here)."""
    try:
        ctx.client.claim_key_versions(team_id, versions)
    except RelayRefusedError as error:
        if error.status != 409 or error.slug != "version-attribuee":
            raise  # not answered: the renewal stays pending, claimed again next time
        with ctx.work() as (_uow, repo):
            repo.settle_claim(team_id, versions, won=False)
        logger.info(
            "Équipe %s : un autre administrateur a renouvelé les clés (versions %d à %d).",
            team_id,
            versions[0],
            versions[-1],
        )
        return False
    with ctx.work() as (_uow, repo):
        repo.settle_claim(team_id, versions, won=True)
    return True


def _settle_unclaimed(ctx: CycleContext, team_id: str) -> None:
    """A renewal interrupted before the relay answered its claim (a crash, a cut line)."""
    with ctx.work() as (_uow, repo):
        unclaimed = sorted(repo.unclaimed_keys(team_id))
    if unclaimed:
        _claim(ctx, team_id, unclaimed)  # won: delivered by _deliver_missing_keys


def _name_admins(ctx: CycleContext, team_id: str, escap_id: str, members: MemberList) -> None:
    """Names administrators the member devices the team rule names and the relay does not
    count yet (``core.rules.team.may_administer``: the médecin traitant's, the creator's);
    from a device that is no administrator, asks the relay to, which names a device once two
    members' devices asked (``escap_relay.data.teams.make_admin``)."""
    with ctx.work() as (uow, repo):
        try:
            escap = uow.get(Escap, escap_id)
            patient = uow.get(Patient, escap.patient_id)
        except NotFoundError:
            return
        memberships = uow.find(Membership, escap_id=escap_id)
        identities = IdentityMap(uow.find(Professional))
        wanted = []
        for member in members.members:
            row = repo.device(team_id, member.device.device_id)
            if member.is_admin or row is None or not row.vouched or not row.professional_wire_id:
                continue  # the relay's word alone never makes an administrator
            local = identities.local_id_of(row.professional_wire_id)
            if may_administer(escap, patient, memberships, local):
                wanted.append(member.device.device_id)
    for device_id in wanted:
        if device_id == ctx.device_id:
            continue  # a device cannot ask for itself: its colleagues' devices do
        answer = ctx.client.make_admin(team_id, device_id)
        if any(m.is_admin and m.device.device_id == device_id for m in answer.members):
            logger.info("Équipe %s : appareil %s nommé administrateur.", team_id, device_id)
        else:
            logger.info(
                "Équipe %s : demande de nommer l'appareil %s administrateur envoyée.",
                team_id,
                device_id,
            )


def _deliver_missing_keys(
    ctx: CycleContext, team_id: str, escap_id: str, members: set[str]
) -> None:
    """Seals to each member device the versions it lacks, of the categories it may read."""
    with ctx.work() as (uow, repo):
        keys = repo.team_keys(team_id)
        if not keys:
            return
        identities = IdentityMap(uow.find(Professional))
        deliveries = []
        for device in repo.devices(team_id):
            if device.device_id not in members or device.device_id == ctx.device_id:
                continue
            if not device.vouched:
                continue  # listed by the relay only: no key (SyncTeamDeviceRow.vouched)
            recipient = PublicIdentity(device.signing_key, device.encryption_key)
            allowed = device_categories(uow, escap_id, device.professional_wire_id, identities)
            for version in readable_versions(keys, allowed):
                if version > device.delivered_version:
                    deliveries.append(
                        seal_team_key(
                            TeamKey(version, keys[version]),
                            team_id=team_id,
                            recipient=recipient,
                            sender=ctx.keys,
                        )
                    )
    deliver(ctx, team_id, deliveries)


def deliver(ctx: CycleContext, team_id: str, deliveries: list[KeyDelivery]) -> None:
    """One delivery per request: a member who already holds a version answers 409, not all."""
    for delivery in deliveries:
        if delivery.recipient_id != ctx.device_id:
            try:
                ctx.client.deliver_keys(team_id, [delivery])
            except RelayRefusedError as error:
                if error.status != 409:
                    raise
        with ctx.work() as (_uow, repo):
            row = repo.device(team_id, delivery.recipient_id)
            if row is not None and row.delivered_version < delivery.key_version:
                row.delivered_version = delivery.key_version
