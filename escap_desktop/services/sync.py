"""Team sync as use cases for the GUI and the CLI: set-up, one cycle, status, invitations.

Writing never waits for the network: every service writes to the store, and the outbox hook
(installed here, once per store) queues what the teams must receive in the same transaction.
:meth:`SyncService.sync_once` then exchanges with the relay; the GUI runs it in its job runner
(it yields :class:`SyncProgress`, returns a :class:`SyncReport`), every
:meth:`SyncService.next_delay` seconds; ``escap sync`` runs one cycle headless.
See ``docs/sync.md`` for the design.
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import threading
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import httpx

from escap_desktop.core.entities import (
    IdentifierKind,
    Membership,
    MembershipStatus,
    Profession,
    Professional,
    new_id,
)
from escap_desktop.core.errors import NotFoundError, SyncError, ValidationError
from escap_desktop.services.base import ServiceBase
from escap_desktop.services.escaps import EscapService, new_join_code
from escap_desktop.store import Store
from escap_desktop.store.sync_models import SyncDeviceRequestRow
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync import pro_sante_connect
from escap_desktop.sync.backoff import CycleSchedule, RetryPolicy, Sleeper, real_sleep
from escap_desktop.sync.clock import WallClock
from escap_desktop.sync.context import CycleContext, SyncProgress, SyncReport
from escap_desktop.sync.device import DeviceKeyVault
from escap_desktop.sync.engine import SyncEngine
from escap_desktop.sync.identity_map import wire_id
from escap_desktop.sync.invitations import ACCEPT, DECLINE, PENDING, RECEIVED
from escap_desktop.sync.join_proof import normalise_code
from escap_desktop.sync.outbox import install_outbox
from escap_desktop.sync.relay_client import RelayClient
from escap_desktop.sync.teams import LIVE_STATES
from escap_desktop.sync.wire import b64u_decode, b64u_encode, fingerprint_for

__all__ = [
    "InvitationSummary",
    "SyncProgress",
    "SyncReport",
    "SyncService",
    "SyncStatus",
]

NOT_CONFIGURED_MESSAGE = (
    "La synchronisation n'est pas configurée : indiquez l'adresse du relais de votre équipe "
    "(profil, ou « escap sync setup --relay URL »)."
)
BUSY_MESSAGE = "Une synchronisation est déjà en cours."


@dataclass(frozen=True, slots=True)
class SyncStatus:
    """What the status bar shows. ``online`` is the outcome of the last cycle."""

    configured: bool
    relay_url: str
    online: bool
    pending_changes: int
    pending_invitations: int
    last_sync_at: datetime | None
    last_error: str


@dataclass(frozen=True, slots=True)
class InvitationSummary:
    """A received invitation as shown before it is answered: the patient only by initials/age."""

    invitation_id: str
    inviter_name: str
    inviter_profession: str
    role: str
    patient_initials: str
    patient_age: int
    received_at: datetime
    new_computer: bool = False
    """A colleague asked for this professional's new computer: they are a member already."""


class SyncService(ServiceBase):
    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        *,
        escaps: EscapService,
        transport: httpx.BaseTransport | None = None,
        wall: WallClock | None = None,
        sleep: Sleeper = real_sleep,
        retry: RetryPolicy | None = None,
        schedule: CycleSchedule | None = None,
        push_batch: int | None = None,
        pull_limit: int | None = None,
    ) -> None:
        super().__init__(store, actor_id)
        # The hybrid clocks follow the practice's clock unless a test skews this device's.
        wall = wall or store.clock.timestamp
        install_outbox(store, wall)
        self._escaps = escaps
        self._transport = transport
        self._wall = wall
        self._sleep = sleep
        self._retry = retry
        self._schedule = schedule or CycleSchedule()
        self._engine_options = {
            name: value
            for name, value in (("push_batch", push_batch), ("pull_limit", pull_limit))
            if value
        }
        self._passphrase: str | None = None
        self._vault: DeviceKeyVault | None = None
        self._running = threading.Lock()
        self._identity_token: str | None = None

    # --- set-up ----------------------------------------------------------------------------

    def unlock(self, passphrase: str) -> None:
        """The passphrase protecting the device keys when no keyring is usable (the store's)."""
        self._passphrase = passphrase

    def set_up(self, relay_url: str, *, passphrase: str | None = None) -> str:
        """Saves the relay address and creates this device's keys on first use.

        Nothing is sent yet: the next cycle registers the device (binding the professional's
        RPPS number on the relay). Returns the fingerprint to read to colleagues.
        """
        url = check_relay_url(relay_url)
        if passphrase:
            self._passphrase = passphrase
        with self._store.unit_of_work(self.actor) as uow:
            state = SyncRepository(uow.session, uow.clock).state()
            device_id, slot = state.device_id, state.key_slot
        if device_id is None:
            keys, storage = self._device_vault(slot).create()
            public = keys.public
            with self._store.unit_of_work(self.actor) as uow:
                state = SyncRepository(uow.session, uow.clock).state()
                state.device_id = keys.key_id
                state.signing_key = public.signing_key
                state.encryption_key = public.encryption_key
                state.key_storage = storage
        with self._store.unit_of_work(self.actor) as uow:
            state = SyncRepository(uow.session, uow.clock).state()
            assert state.signing_key is not None
            assert state.encryption_key is not None
            profile = uow.local_profile()
            if profile is not None and profile.relay_url != url:
                uow.put(replace(profile, relay_url=url))
            me = uow.get(Professional, self.actor)
            pinned = replace(
                me,
                signing_public_key=b64u_encode(state.signing_key),
                encryption_public_key=b64u_encode(state.encryption_key),
            )
            if pinned != me:
                uow.put(pinned)
            return fingerprint_for(state.signing_key, state.encryption_key)

    def fingerprint(self) -> str:
        """The device's fingerprint (8 groups of 4 characters), "" before set-up."""
        with self._store.unit_of_work(self.actor) as uow:
            state = SyncRepository(uow.session, uow.clock).peek_state()
            if state is None or state.signing_key is None or state.encryption_key is None:
                return ""
            return fingerprint_for(state.signing_key, state.encryption_key)

    def colleague_fingerprint(self, professional_id: str) -> str:
        """The fingerprint of the keys pinned for a colleague ("" until the first invitation
        sent to them found their device), to compare with theirs on the phone."""
        with self._store.unit_of_work(self.actor) as uow:
            colleague = uow.get(Professional, professional_id)
        if not colleague.signing_public_key or not colleague.encryption_public_key:
            return ""
        try:
            return fingerprint_for(
                b64u_decode(colleague.signing_public_key),
                b64u_decode(colleague.encryption_public_key),
            )
        except ValueError:
            return ""

    # --- status ----------------------------------------------------------------------------

    def status(self) -> SyncStatus:
        with self._store.unit_of_work(self.actor) as uow:
            repo = SyncRepository(uow.session, uow.clock)
            state = repo.peek_state()
            profile = uow.local_profile()
            relay_url = profile.relay_url if profile else ""
            return SyncStatus(
                configured=bool(state and state.device_id and relay_url),
                relay_url=relay_url,
                online=bool(state and state.last_sync_at and state.failures == 0),
                pending_changes=repo.pending_count(),
                pending_invitations=sum(
                    1 for row in repo.invitations(RECEIVED, PENDING) if not row.decision
                ),
                last_sync_at=state.last_sync_at if state else None,
                last_error=state.last_error if state else "",
            )

    def next_delay(self) -> float:
        """Seconds before the next background cycle: longer after each failure, bounded."""
        with self._store.unit_of_work(self.actor) as uow:
            state = SyncRepository(uow.session, uow.clock).peek_state()
            failures = state.failures if state else 0
        return self._schedule.next_delay(failures)

    # --- one cycle -------------------------------------------------------------------------

    def sync_once(
        self,
        progress: Callable[[SyncProgress], None] | None = None,
        cancel: Callable[[], bool] | None = None,
    ) -> Generator[SyncProgress, None, SyncReport]:
        """One full exchange with the relay; raises SyncError (French) when it cannot finish.

        Whatever was done before an interruption stays done; the next cycle goes on from there.
        """
        if not self._running.acquire(blocking=False):
            raise SyncError(BUSY_MESSAGE)
        try:
            try:
                with self.session() as engine:
                    for step in engine.run(cancel or (lambda: False)):
                        if progress is not None:
                            progress(step)
                        yield step
                    report = engine.ctx.report
            except SyncError as error:
                self._record_outcome(str(error))
                raise
            self._record_outcome("")
            return report
        finally:
            self._running.release()

    @contextlib.contextmanager
    def session(self) -> Iterator[SyncEngine]:
        """An engine connected to the relay (closed after): for the cycle, tools and tests."""
        actor = self.actor
        with self._store.unit_of_work(actor) as uow:
            state = SyncRepository(uow.session, uow.clock).peek_state()
            profile = uow.local_profile()
            relay_url = profile.relay_url if profile else ""
            if state is None or state.device_id is None or not relay_url:
                raise SyncError(NOT_CONFIGURED_MESSAGE)
            storage, slot = state.key_storage, state.key_slot
        keys = self._device_vault(slot).load(storage)
        client = RelayClient(
            relay_url, keys, transport=self._transport, retry=self._retry, sleep=self._sleep
        )
        try:
            ctx = CycleContext(
                self._store,
                actor,
                keys,
                client,
                self._wall,
                self._today,
                identity_token=self._identity_token,
            )
            yield SyncEngine(
                ctx,
                confirm_membership=lambda membership_id: self._escaps.answer_invitation(
                    membership_id, accepted=True
                ),
                **self._engine_options,
            )
        finally:
            client.close()

    # --- invitations -----------------------------------------------------------------------

    def pending_invitations(self) -> list[InvitationSummary]:
        with self._store.unit_of_work(self.actor) as uow:
            rows = SyncRepository(uow.session, uow.clock).invitations(RECEIVED, PENDING)
            return [
                _invitation_summary(row.invitation_id, row.summary, row.created_at)
                for row in rows
                if not row.decision
            ]

    def prove_identity(
        self,
        issuer: str,
        client_id: str,
        open_browser: Callable[[str], object],
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> str:
        """Signs in with Pro Santé Connect for a relay that requires it; the next cycle
        registers this device again with the ID token. Returns the proven RPPS number.

        The token stays in memory only (it is short-lived and good for this device only).
        ProSanteConnectError (French) when the sign-in fails or proves another number.
        """
        with self.session() as engine:
            device_id = engine.ctx.device_id
        proven = pro_sante_connect.sign_in(
            issuer=issuer,
            client_id=client_id,
            device_id=device_id,
            open_browser=open_browser,
            now=lambda: int(self._wall()),
            transport=transport,
        )
        with self._store.unit_of_work(self.actor) as uow:
            me = uow.get(Professional, self.actor)
            if me.identifier != proven.rpps:
                raise pro_sante_connect.ProSanteConnectError(
                    f"Le compte Pro Santé Connect utilisé est celui du RPPS {proven.rpps}, pas "
                    f"celui de votre profil ({me.identifier})."
                )
            SyncRepository(uow.session, uow.clock).state().registered_url = ""
        self._identity_token = proven.id_token
        return proven.rpps

    def accept_invitation(self, invitation_id: str, join_code: str) -> None:
        """Records the acceptance with the invitation's one-time code (printed on the letter,
        or given on the phone by the inviter): the next cycle answers with its proof, and the
        team's keys and history come once the inviter's device has checked it."""
        code = normalise_code(join_code)
        self._decide(invitation_id, ACCEPT, join_code=code)

    def decline_invitation(self, invitation_id: str) -> None:
        self._decide(invitation_id, DECLINE)

    def request_new_computer(self, membership_id: str, *, replaces_lost: bool = False) -> str:
        """A member's new computer (the old one lost or replaced, or a second one) joins the
        team: returns the one-time code to give that colleague, read out on the phone or handed
        over, never sent. The next cycles invite every device giving their RPPS number that is
        not in the team yet; the one whose professional types the code joins, receives the keys
        and the file (``sync/invitations.py``). Any member may ask, as for an invitation.

        ``replaces_lost``: the member's other computers in the team are lost or stolen; once
        the new one joined, this device removes them and renews the keys without them — only
        an administrator's device (the médecin traitant's or the ESCAP creator's) may."""
        with self._store.unit_of_work(self.actor) as uow:
            membership = uow.get(Membership, membership_id)
            if membership.status is not MembershipStatus.ACCEPTED:
                raise ValidationError(
                    "Seul un membre qui a rejoint l'équipe peut y ajouter un nouvel ordinateur ; "
                    "tant qu'il est invité, l'invitation suffit."
                )
            professional = uow.get(Professional, membership.professional_id)
            if professional.identifier_kind is not IdentifierKind.RPPS:
                raise ValidationError(
                    "Ce professionnel n'a pas de numéro RPPS : son ordinateur ne peut pas être "
                    "retrouvé par le relais."
                )
            repo = SyncRepository(uow.session, uow.clock)
            team = repo.team_for_escap(membership.escap_id)
            if team is None or team.state not in LIVE_STATES:
                raise ValidationError(
                    "Cette ESCAP n'est pas partagée par le relais depuis cet ordinateur : "
                    "synchronisez-le d'abord."
                )
            if replaces_lost and not team.is_admin:
                raise ValidationError(
                    "Seuls les ordinateurs du médecin traitant et de l'auteur de l'ESCAP peuvent "
                    "retirer de l'équipe un ordinateur perdu : demandez-le-leur, ou créez le "
                    "code sans retirer l'ancien."
                )
            code = new_join_code()
            repo.add_device_request(
                SyncDeviceRequestRow(
                    request_id=new_id(),
                    team_id=team.team_id,
                    membership_id=membership.id,
                    code=normalise_code(code),
                    replaces=replaces_lost,
                    created_at=uow.clock.now(),
                    done_at=None,
                )
            )
        return code

    def retire_other_computers(self, membership_id: str) -> int:
        """The local professional's other computers in the team are lost or stolen: the next
        cycle removes them from the team and renews the keys without them (what « Créer le
        code et retirer l'ancien » does once a new computer joined). The case it is for: the
        médecin traitant who opened the ESCAP lost her only computer, her new one was given a
        code by a colleague and named administrator by the others' devices, and only it can
        now cut the lost one off. Only from an administrator's device, for one's own
        membership; returns the number of computers to be removed."""
        with self._store.unit_of_work(self.actor) as uow:
            membership = uow.get(Membership, membership_id)
            if membership.professional_id != self.actor:
                raise ValidationError(
                    "Seuls vos propres ordinateurs se retirent ainsi ; pour l'ordinateur perdu "
                    "d'un collègue, créez-lui un code avec « retirer l'ancien »."
                )
            repo = SyncRepository(uow.session, uow.clock)
            team = repo.team_for_escap(membership.escap_id)
            state = repo.peek_state()
            if team is None or team.state not in LIVE_STATES or state is None:
                raise ValidationError(
                    "Cette ESCAP n'est pas partagée par le relais depuis cet ordinateur : "
                    "synchronisez-le d'abord."
                )
            if not team.is_admin:
                raise ValidationError(
                    "Seuls les ordinateurs du médecin traitant et de l'auteur de l'ESCAP peuvent "
                    "retirer de l'équipe un ordinateur perdu : synchronisez d'abord, vos "
                    "collègues le nomment à leur prochaine synchronisation."
                )
            me = uow.get(Professional, membership.professional_id)
            count = repo.retire_devices(team.team_id, wire_id(me), keep=state.device_id or "")
            if count == 0:
                raise ValidationError("Aucun autre de vos ordinateurs n'est dans cette équipe.")
            repo.flag_review(team.team_id)
        return count

    # --- internals -------------------------------------------------------------------------

    def _decide(self, invitation_id: str, decision: str, *, join_code: str = "") -> None:
        with self._store.unit_of_work(self.actor) as uow:
            row = SyncRepository(uow.session, uow.clock).invitation(invitation_id)
            if row is None or row.direction != RECEIVED:
                raise NotFoundError("Invitation introuvable.")
            if row.status != PENDING or row.decision:
                raise ValidationError("Vous avez déjà répondu à cette invitation.")
            row.decision = decision
            row.join_code = join_code

    def _record_outcome(self, error: str) -> None:
        with self._store.unit_of_work(self.actor) as uow:
            state = SyncRepository(uow.session, uow.clock).state()
            state.last_error = error
            if error:
                state.failures += 1
            else:
                state.failures = 0
                state.last_sync_at = datetime.fromtimestamp(self._wall(), UTC)

    def _device_vault(self, slot: str) -> DeviceKeyVault:
        if self._vault is None:
            self._vault = DeviceKeyVault(self._store.path, slot, lambda: self._passphrase)
        return self._vault


def check_relay_url(text: str) -> str:
    """The relay address, normalised; https is required except on this very computer."""
    text = text.strip().rstrip("/")
    try:
        url = httpx.URL(text)
    except httpx.InvalidURL:
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ValidationError(
            "Adresse du relais invalide : attendu https://nom-du-relais[:port].", field="relay_url"
        )
    if url.scheme == "http" and not _is_loopback(url.host):
        raise ValidationError(
            "Le relais doit être joint en https:// (http:// n'est admis que pour un relais sur "
            "cet ordinateur).",
            field="relay_url",
        )
    if url.query or url.fragment or url.userinfo:
        raise ValidationError(
            "L'adresse du relais ne doit contenir ni paramètres ni identifiants.", field="relay_url"
        )
    return text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _invitation_summary(invitation_id: str, summary: str, at: datetime) -> InvitationSummary:
    data = json.loads(summary)
    inviter, patient = data["inviter"], data["patient"]
    try:
        profession = Profession(inviter.get("profession", "autre")).label
    except ValueError:
        profession = Profession.AUTRE.label
    return InvitationSummary(
        invitation_id=invitation_id,
        inviter_name=inviter["name"],
        inviter_profession=profession,
        role=data.get("role", ""),
        patient_initials=patient["initials"],
        patient_age=int(patient["age"]),
        received_at=at,
        new_computer=data.get("new_computer") is True,
    )
