"""Reaching a member without the app through MSSanté: the care plan as an IHE XDM message.

``send_care_plan`` decides what may leave and to whom, and queues the message; ``deliver_queued``
sends what is due through the professional's own MSSanté mailbox (their operator's SMTP
submission). The rules:

- **who**: a member of the ESCAP's team (invited or accepted) or the patient's médecin traitant
  (the one the plan must reach: docs in the seeds show where earlier schemes failed), and only
  while the patient's consent lets the team share (``core.rules.consent``); a médecin traitant
  outside the team must be one the patient designated;
- **where**: the MSSanté address of the recipient's record (the directory's, once the import
  reads it); any other address is refused unless the professional confirmed it
  (``confirmed_address=True``): nothing goes to an address outside the records unconfirmed;
- **what**: the care-plan sheet *filtered for that recipient*: only the actions of the
  categories the recipient's profession and the consent let them read (``core.rules.access``,
  the same rule as on a member's own screen) — a social worker's sheet has no medical action.
  The team's contacts and the patient's identity are administrative data every member reads;
- **traced**: the message is queued in the same unit of work as the access-trail entry « Plan de
  soins envoyé par MSSanté » (``store.mail_phrases``), with the ESCAP as the record.

The message itself (``mail.mssante_message``) carries the PDF and the ``IHE_XDM.ZIP``
(``exports.xdm``) whose metadata identify the patient by INS when the identity is qualified.
The queue protocol (claimed, transmitting, sent; a crash resends the same bytes with the same
Message-ID) is described in :mod:`escap_desktop.store.mail_queue`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from functools import partial
from pathlib import Path

from escap_desktop.core.clock import paris_date
from escap_desktop.core.entities import (
    Action,
    AuditKind,
    Consent,
    Escap,
    Event,
    Membership,
    MembershipStatus,
    Message,
    Patient,
    Professional,
    new_id,
)
from escap_desktop.core.errors import ConsentError, TeamRuleError, TransitionError, ValidationError
from escap_desktop.core.rules import consent as consent_rules
from escap_desktop.core.rules import lifecycle
from escap_desktop.core.rules.access import current_consent
from escap_desktop.documents import (
    CarePlanData,
    DigestData,
    build_document,
    document_filename,
)
from escap_desktop.exports.xdm import (
    XdmDocument,
    XdmRecipient,
    XdmSubmission,
    build_xdm,
    issued_title,
)
from escap_desktop.exports.xdm_codes import (
    CABINET_INDIVIDUEL,
    CARE_PLAN_CLASS,
    CARE_PLAN_TYPE,
    DIGEST_CLASS,
    DIGEST_TYPE,
    XdmCode,
    id_oid,
    patient_ids,
)
from escap_desktop.mail.credentials import PasswordSource, keyring_password
from escap_desktop.mail.errors import MailError, MailFailure
from escap_desktop.mail.mssante_message import (
    build_message,
    care_plan_body,
    care_plan_subject,
    digest_body,
    digest_subject,
    invitation_body,
    invitation_subject,
    message_id_for,
    pdf_attachment,
    to_bytes,
    xdm_attachment,
)
from escap_desktop.mail.settings import MailSettings, is_address, same_address
from escap_desktop.mail.smtp_sender import SmtpSender
from escap_desktop.services.access import escap_access
from escap_desktop.services.base import ServiceBase
from escap_desktop.services.documents import invitation_data
from escap_desktop.store import Store, UnitOfWork, mail_queue
from escap_desktop.store.mail_phrases import CARE_PLAN_SENT, DIGEST_SENT, INVITATION_SENT
from escap_desktop.store.mail_queue import OutboxItem

KIND_CARE_PLAN = "plan_de_soins"
KIND_INVITATION = "invitation"
KIND_DIGEST = "nouvelles"
CARE_PLAN_TITLE = "Plan de soins ESCAP"
DIGEST_TITLE = "Nouvelles de l'équipe ESCAP"

PROCESS_RUN = new_id()
"""This process's delivery run: a message claimed by another run was left by a process that
died (one ESCAP Desktop per data folder: ``services/instance_lock.py``)."""

SenderFactory = Callable[[MailSettings, PasswordSource], SmtpSender]
SettingsSource = Callable[[], MailSettings | None]

NOT_CONFIGURED = (
    "La messagerie sécurisée MSSanté n'est pas configurée sur ce poste : renseignez votre "
    "serveur d'envoi et votre adresse dans « Fichier › Messagerie sécurisée MSSanté… »."
)

_REACHABLE = (MembershipStatus.INVITED, MembershipStatus.ACCEPTED)


class NotConfiguredError(MailError):
    """No MSSanté mailbox is set up: nothing can be queued or sent (the mail stays queued)."""

    def __init__(self, message: str = NOT_CONFIGURED) -> None:
        super().__init__(message, MailFailure.SERVER)


class UnconfirmedAddressError(ValidationError):
    """The address given is not the recipient's recorded MSSanté address: the professional
    must confirm it (``confirmed_address=True``) before anything is sent there."""

    def __init__(self, message: str, *, address: str, recorded: str) -> None:
        super().__init__(message, field="address")
        self.address = address
        self.recorded = recorded


@dataclass(frozen=True, slots=True)
class QueuedMail:
    """A message put in the outbox: it leaves at the next ``deliver_queued``."""

    item_id: str
    message_id: str
    recipient_id: str
    address: str
    identified_by_ins: bool


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one delivery run did: messages sent, left waiting (with the French reason), refused
    for good; ``stopped`` is the server-wide problem that ended the run early, if any."""

    sent: tuple[str, ...] = ()
    waiting: tuple[tuple[str, str], ...] = ()
    refused: tuple[tuple[str, str], ...] = ()
    stopped: str = ""


@dataclass(frozen=True, slots=True)
class _Recipient:
    escap: Escap
    patient: Patient
    professional: Professional
    is_medecin_traitant: bool


@dataclass(frozen=True, slots=True)
class _Sending:
    """One document on its way into the outbox with its XDM archive."""

    settings: MailSettings
    target: _Recipient
    address: str
    pdf: bytes
    filename: str
    type_code: XdmCode
    class_code: XdmCode
    title: str
    comments: str
    subject: str
    kind: str
    summary: str
    covers: tuple[str, ...] = ()


class MssanteService(ServiceBase):
    """``settings`` are the professional's mailbox: fixed, or read at each use from the profile
    (``ProfileService.mail_settings``; None while not configured, and then every sending says
    so in French); ``password`` reads the SMTP password (the OS keyring by default), or
    ``password_for`` gives it for the settings in force; ``sender`` builds the SMTP sender
    (tests may wrap it); ``facility_type`` is the practice's sector (TRE_R02) in the XDM
    metadata."""

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        settings: MailSettings | SettingsSource,
        *,
        password: PasswordSource | None = None,
        password_for: Callable[[MailSettings], PasswordSource] = keyring_password,
        sender: SenderFactory = SmtpSender,
        templates_dir: Path | None = None,
        facility_type: XdmCode = CABINET_INDIVIDUEL,
        run_id: str = PROCESS_RUN,
        fingerprint_provider: Callable[[], str] = lambda: "",
    ) -> None:
        super().__init__(store, actor_id)
        fixed = settings if isinstance(settings, MailSettings) else None
        self._settings_source: SettingsSource = (
            (lambda: fixed) if fixed is not None else settings  # type: ignore[assignment]
        )
        self._fixed_password = password
        self._password_for = password_for
        self._sender = sender
        self._templates_dir = templates_dir
        self._facility = facility_type
        self._run = run_id
        self._fingerprint = fingerprint_provider
        self._delivering = threading.Lock()

    @property
    def configured(self) -> bool:
        """Whether a mailbox is set up (the screens offer MSSanté only then)."""
        return self._settings_source() is not None

    @property
    def settings(self) -> MailSettings:
        """The mailbox in force; NotConfiguredError (French) while there is none."""
        return self._settings

    @property
    def _settings(self) -> MailSettings:
        settings = self._settings_source()
        if settings is None:
            raise NotConfiguredError(NOT_CONFIGURED)
        return settings

    def _password(self, settings: MailSettings) -> PasswordSource:
        return self._fixed_password or self._password_for(settings)

    # --- queueing ------------------------------------------------------------------------------

    def send_care_plan(
        self,
        escap_id: str,
        professional_id: str,
        *,
        address: str | None = None,
        confirmed_address: bool = False,
        next_reevaluation: date | None = None,
    ) -> QueuedMail:
        """Queues the care-plan sheet, filtered for the recipient, as an MSSanté message.

        ``address`` defaults to the recipient's recorded MSSanté address; another address needs
        ``confirmed_address`` (else UnconfirmedAddressError). ConsentError, TeamRuleError or
        TransitionError (French) say why nothing is sent.
        """
        actor = self.actor
        settings = self._settings
        today = self._today()
        with self._store.unit_of_work(actor) as uow:
            target = self._recipient(uow, escap_id, professional_id)
            to = self._address(target.professional, address, confirmed_address)
            actions = escap_access(uow, escap_id, professional_id).readable(
                uow.find(Action, escap_id=escap_id)
            )
            memberships = sorted(
                uow.find(Membership, escap_id=escap_id), key=lambda m: (m.invited_at, m.id)
            )
            members = [(m, uow.get(Professional, m.professional_id)) for m in memberships]
            author = uow.get(Professional, actor)
        data = CarePlanData(
            patient=target.patient,
            members=members,
            actions=actions,
            issued_on=today,
            next_reevaluation=next_reevaluation,
            author=author,
        )
        return self._queue_with_xdm(
            _Sending(
                settings=settings,
                target=target,
                address=to,
                pdf=build_document(data, templates_dir=self._templates_dir),
                filename=document_filename(data),
                type_code=CARE_PLAN_TYPE,
                class_code=CARE_PLAN_CLASS,
                title=issued_title(CARE_PLAN_TITLE, today),
                comments=f"Référence {data.reference}",
                subject=care_plan_subject(target.patient),
                kind=KIND_CARE_PLAN,
                summary=CARE_PLAN_SENT,
            ),
            author,
            lambda by_ins: care_plan_body(
                patient=target.patient,
                recipient=target.professional,
                author=author,
                issued_on=today,
                is_medecin_traitant=target.is_medecin_traitant,
                identified_by_ins=by_ins,
                sender_address=settings.sender,
            ),
        )

    def send_digest(
        self,
        escap_id: str,
        professional_id: str,
        *,
        address: str | None = None,
        confirmed_address: bool = False,
    ) -> QueuedMail:
        """Queues the team's news (the messages and events since the last news sent to that
        professional, or since the start) as an MSSanté message with its XDM archive: only what
        the recipient's profession and the consent let them read. Nothing new: ValidationError
        (French), nothing queued. The recipient and address rules are :meth:`send_care_plan`'s.
        """
        actor = self.actor
        settings = self._settings
        today = self._today()
        with self._store.unit_of_work(actor) as uow:
            target = self._recipient(uow, escap_id, professional_id)
            to = self._address(target.professional, address, confirmed_address)
            previous = [
                item
                for item in mail_queue.items(uow.session, escap_id=escap_id)
                if item.kind == KIND_DIGEST
                and item.recipient_id == professional_id
                and item.state != mail_queue.REFUSED
            ]
            since = max((item.created_at for item in previous), default=None)
            carried = {record_id for item in previous for record_id in item.covers}
            readable = escap_access(uow, escap_id, professional_id)
            messages = [
                m
                for m in readable.readable(uow.find(Message, escap_id=escap_id))
                if m.id not in carried
            ]
            events = [
                e
                for e in readable.readable(uow.find(Event, escap_id=escap_id))
                if e.id not in carried
            ]
            writers = {m.author_id for m in messages} | {e.recorded_by for e in events}
            names = {pid: uow.get(Professional, pid).display_name for pid in writers}
            author = uow.get(Professional, actor)
        if not messages and not events:
            when = f"le {paris_date(since):%d/%m/%Y}" if since else "la création de l'équipe"
            raise ValidationError(
                f"Rien de nouveau à envoyer à {target.professional.display_name} : aucun message "
                f"ni événement qu'il ou elle peut lire depuis {when}.",
                field="digest",
            )
        data = DigestData(
            patient=target.patient,
            recipient=target.professional,
            messages=messages,
            events=events,
            names=names,
            issued_on=today,
            since=paris_date(since) if since else None,
            author=author,
        )
        return self._queue_with_xdm(
            _Sending(
                settings=settings,
                target=target,
                address=to,
                pdf=build_document(data, templates_dir=self._templates_dir),
                filename=document_filename(data),
                type_code=DIGEST_TYPE,
                class_code=DIGEST_CLASS,
                title=issued_title(DIGEST_TITLE, today),
                comments=f"Référence {data.reference}",
                subject=digest_subject(target.patient),
                kind=KIND_DIGEST,
                summary=DIGEST_SENT,
                covers=(*(m.id for m in messages), *(e.id for e in events)),
            ),
            author,
            lambda by_ins: digest_body(
                patient=target.patient,
                recipient=target.professional,
                author=author,
                messages=len(messages),
                events=len(events),
                since=data.since,
                identified_by_ins=by_ins,
                sender_address=settings.sender,
            ),
        )

    def _queue_with_xdm(
        self, sending: _Sending, author: Professional, body: Callable[[bool], str]
    ) -> QueuedMail:
        """The PDF in its XDM archive, the message, and the outbox row with its access-trail
        entry in one unit of work (after checking again that the recipient may receive it)."""
        actor = self.actor
        now = self._now()
        target = sending.target
        _, _, by_ins = patient_ids(target.patient)
        document = XdmDocument(
            content=sending.pdf,
            title=sending.title,
            type_code=sending.type_code,
            class_code=sending.class_code,
            created_at=now,
            facility_type=self._facility,
            service_start=target.escap.created_at,
            comments=sending.comments,
        )
        archive = build_xdm(
            XdmSubmission(
                document=document,
                patient=target.patient,
                author=author,
                submitted_at=now,
                source_id=id_oid(author.id),
                recipient=XdmRecipient(target.professional, sending.address),
            )
        )
        item_id = new_id()
        message_id = message_id_for(item_id, sending.settings)
        message = build_message(
            settings=sending.settings,
            recipient_address=sending.address,
            recipient_name=target.professional.display_name,
            subject=sending.subject,
            body=body(by_ins),
            attachments=[
                pdf_attachment(sending.filename, sending.pdf),
                xdm_attachment(archive),
            ],
            message_id=message_id,
            sent_at=now,
        )
        escap_id, professional_id = target.escap.id, target.professional.id
        with self._store.unit_of_work(actor) as uow:
            self._recipient(uow, escap_id, professional_id)  # still allowed (consent, team)
            mail_queue.enqueue(
                uow.session,
                item_id=item_id,
                message_id=message_id,
                kind=sending.kind,
                sender=sending.settings.sender,
                recipient=sending.address,
                message=to_bytes(message),
                created_by=actor,
                now=now,
                escap_id=escap_id,
                patient_id=target.patient.id,
                recipient_id=professional_id,
                covers=sending.covers,
            )
            uow.audit(
                AuditKind.EXPORTED,
                "Escap",
                escap_id,
                patient_id=target.patient.id,
                summary=sending.summary,
            )
        return QueuedMail(item_id, message_id, professional_id, sending.address, by_ins)

    def send_invitation(
        self, membership_id: str, *, address: str | None = None, confirmed_address: bool = False
    ) -> QueuedMail:
        """Queues the invitation letter (PDF) as an MSSanté message; the invitee answers by
        replying « J'accepte » or « Je refuse » (read by ``MssanteReplyService``).

        No XDM archive here: the invitation names the patient by initials and age only (as the
        printed letter), so there is no identity the receiving software could file it under.
        The address rules are those of :meth:`send_care_plan`; TransitionError (French) once
        the invitation is answered or the ESCAP closed.
        """
        actor = self.actor
        settings = self._settings
        today, now = self._today(), self._now()
        with self._store.unit_of_work(actor) as uow:
            data = invitation_data(uow, membership_id, actor, today, self._fingerprint())
            membership = uow.get(Membership, membership_id)
            patient_id = uow.get(Escap, membership.escap_id).patient_id
            to = self._address(data.invitee, address, confirmed_address)
        pdf = build_document(data, templates_dir=self._templates_dir)
        item_id = new_id()
        message_id = message_id_for(item_id, settings)
        message = build_message(
            settings=settings,
            recipient_address=to,
            recipient_name=data.invitee.display_name,
            subject=invitation_subject(data.patient_initials, data.patient_age),
            body=invitation_body(
                invitee=data.invitee,
                inviter=data.inviter,
                patient_initials=data.patient_initials,
                patient_age=data.patient_age,
                role=data.role,
                sender_address=settings.sender,
            ),
            attachments=[pdf_attachment(document_filename(data), pdf)],
            message_id=message_id,
            sent_at=now,
        )
        with self._store.unit_of_work(actor) as uow:
            invitation_data(uow, membership_id, actor, today, "")  # still pending
            mail_queue.enqueue(
                uow.session,
                item_id=item_id,
                message_id=message_id,
                kind=KIND_INVITATION,
                sender=settings.sender,
                recipient=to,
                message=to_bytes(message),
                created_by=actor,
                now=now,
                escap_id=membership.escap_id,
                patient_id=patient_id,
                recipient_id=membership.professional_id,
            )
            uow.audit(
                AuditKind.EXPORTED,
                "Membership",
                membership_id,
                patient_id=patient_id,
                summary=INVITATION_SENT,
            )
        return QueuedMail(item_id, message_id, membership.professional_id, to, False)

    def _recipient(self, uow: UnitOfWork, escap_id: str, professional_id: str) -> _Recipient:
        escap = uow.get(Escap, escap_id)
        if not lifecycle.plan_runs(escap.state):
            raise TransitionError(
                "Le plan de soins s'envoie pendant que l'équipe se constitue ou est active "
                f"(état actuel : « {escap.state.label} »)."
            )
        patient = uow.get(Patient, escap.patient_id)
        professional = uow.get(Professional, professional_id)
        consent = current_consent(uow.find(Consent, escap_id=escap_id))
        allowed = consent_rules.allows(consent)
        if not allowed.team:
            raise ConsentError(f"Le plan de soins ne peut pas être envoyé : {allowed.why_not}")
        is_gp = patient.medecin_traitant_id == professional.id
        member = any(
            m.professional_id == professional.id and m.status in _REACHABLE
            for m in uow.find(Membership, escap_id=escap_id)
        )
        if not member and not is_gp:
            raise TeamRuleError(
                f"{professional.display_name} ne fait pas partie de l'équipe de cette ESCAP et "
                "n'est pas le médecin traitant du patient : le plan de soins ne lui est pas "
                "envoyé."
            )
        if not member and not consent_rules.designates(consent, professional):
            raise ConsentError(
                f"{professional.display_name} n'est pas désigné par le patient dans son "
                "consentement : le plan de soins ne lui est pas envoyé."
            )
        return _Recipient(escap, patient, professional, is_gp)

    def _address(self, recipient: Professional, address: str | None, confirmed: bool) -> str:
        recorded = recipient.mssante.strip()
        if address is None or not address.strip():
            if not recorded:
                raise ValidationError(
                    f"Le dossier de {recipient.display_name} n'a pas d'adresse MSSanté : "
                    "complétez-le depuis l'annuaire, ou indiquez l'adresse et confirmez-la.",
                    field="address",
                )
            return recorded
        address = address.strip()
        if not is_address(address):
            raise ValidationError(
                f"« {address} » n'est pas une adresse de messagerie valide.", field="address"
            )
        if recorded and same_address(address, recorded):
            return recorded
        if not confirmed:
            known = f"« {recorded} »" if recorded else "aucune adresse"
            raise UnconfirmedAddressError(
                f"L'adresse « {address} » n'est pas celle du dossier de "
                f"{recipient.display_name} ({known}) : confirmez que c'est bien son adresse "
                "MSSanté avant l'envoi.",
                address=address,
                recorded=recorded,
            )
        return address

    # --- delivering ----------------------------------------------------------------------------

    def deliver_queued(self, *, limit: int | None = None) -> DeliveryReport:
        """Sends the messages that are due, oldest first, each as its own transaction steps.

        Messages an earlier run left half-sent are first put back in the queue (see
        ``store.mail_queue``). A server-wide failure (no connection, certificate, login) stops
        the run: every message keeps waiting, with the French reason and a later retry time.
        """
        actor = self.actor
        sent: list[str] = []
        waiting: list[tuple[str, str]] = []
        refused: list[tuple[str, str]] = []
        stopped = ""
        settings = self._settings
        with self._delivering:
            with self._store.unit_of_work(actor) as uow:
                mail_queue.recover_interrupted(uow.session, self._run, self._now())
            sender = self._sender(settings, self._password(settings))
            while limit is None or len(sent) + len(waiting) + len(refused) < limit:
                with self._store.unit_of_work(actor) as uow:
                    item = mail_queue.claim_next(uow.session, self._run, self._now())
                if item is None:
                    break
                try:
                    sender.send(
                        item.message,
                        sender=item.sender,
                        recipient=item.recipient,
                        before_data=partial(self._transmitting, item.id),
                    )
                except MailError as error:
                    self._failed(
                        item,
                        str(error),
                        retry=error.retry,
                        answered=error.failure is not MailFailure.SERVER,
                        # a refused login waits long: an operator may lock the account
                        delay=mail_queue.MAX_RETRY if error.credentials else None,
                    )
                    (waiting if error.retry else refused).append((item.id, str(error)))
                    if error.failure is MailFailure.SERVER:
                        stopped = str(error)
                        break
                    continue
                except BaseException:
                    self._failed(item, "L'envoi a été interrompu par une erreur inattendue.")
                    raise
                with self._store.unit_of_work(actor) as uow:
                    mail_queue.mark_sent(uow.session, item.id, self._run, self._now())
                sent.append(item.id)
        return DeliveryReport(tuple(sent), tuple(waiting), tuple(refused), stopped)

    def _transmitting(self, item_id: str) -> None:
        with self._store.unit_of_work(self.actor) as uow:
            mail_queue.mark_transmitting(uow.session, item_id, self._run)

    def _failed(
        self,
        item: OutboxItem,
        error: str,
        *,
        retry: bool = True,
        answered: bool = False,
        delay: timedelta | None = None,
    ) -> None:
        with self._store.unit_of_work(self.actor) as uow:
            mail_queue.mark_failed(
                uow.session,
                item.id,
                self._run,
                error,
                self._now(),
                retry=retry,
                answered=answered,
                delay=delay,
            )

    # --- reading -------------------------------------------------------------------------------

    def outbox(self, escap_id: str | None = None) -> list[OutboxItem]:
        """Every message (of one ESCAP): to whom, when, and where it stands."""
        with self._store.unit_of_work(self.actor) as uow:
            return mail_queue.items(uow.session, escap_id=escap_id)

    def pending_count(self) -> int:
        """How many messages still wait to leave (without reading them)."""
        with self._store.unit_of_work(self.actor) as uow:
            return mail_queue.pending_count(uow.session)

    def retry(self, item_id: str) -> None:
        """A waiting or refused message is tried again at the next delivery (after the
        professional fixed the address, the password or the settings)."""
        with self._store.unit_of_work(self.actor) as uow:
            mail_queue.retry_now(uow.session, item_id, self._now())

    # --- who was reached, by which channel --------------------------------------------------

    def channels(self, escap_id: str) -> dict[str, MemberReach]:
        """For each member of the ESCAP (and the médecin traitant), how they were last reached:
        the application (their ESCAP Desktop, through the relay), MSSanté (from this outbox),
        or a printed letter. Read from the outbox and the records, never from a screen; needs
        no mailbox settings (what was sent stays true when they are removed)."""
        with self._store.unit_of_work(self.actor) as uow:
            escap = uow.get(Escap, escap_id)
            patient = uow.get(Patient, escap.patient_id)
            memberships = uow.find(Membership, escap_id=escap_id)
            wanted = {m.professional_id for m in memberships}
            if patient.medecin_traitant_id:
                wanted.add(patient.medecin_traitant_id)
            professionals = {pid: uow.get(Professional, pid) for pid in wanted}
            mails = mail_queue.items(uow.session, escap_id=escap_id)
            actions = uow.find(Action, escap_id=escap_id)
            me = self._actor_id()
            changed = {
                pid: _last_change(escap_access(uow, escap_id, pid).readable(actions))
                for pid in professionals
                if pid != me
            }
        found: dict[str, MemberReach] = {}
        for professional_id, professional in professionals.items():
            if professional_id == me:
                continue
            theirs = [m for m in mails if m.recipient_id == professional_id]
            reach = reach_of(
                professional,
                [m for m in memberships if m.professional_id == professional_id],
                theirs,
            )
            plans = [
                m.created_at
                for m in theirs
                if m.kind == KIND_CARE_PLAN and m.state != mail_queue.REFUSED
            ]
            last_change = changed[professional_id]
            if plans and last_change is not None and last_change > max(plans):
                reach = replace(reach, plan_outdated=True)
            found[professional_id] = reach
        return found


class Channel(StrEnum):
    """How a member was reached (the members panel shows it)."""

    APPLICATION = "application"
    MSSANTE = "mssante"
    LETTER = "courrier"


@dataclass(frozen=True, slots=True)
class MemberReach:
    """The last channel that reached a member, and on which day (Paris); ``waiting`` is an
    MSSanté message not sent yet, ``refused`` one the server refused, ``problem`` its French
    reason. ``channel`` None: not reached yet (invited, nothing sent or printed).
    ``last_mail`` is the id of the latest MSSanté message to them ("" none): the one
    :meth:`MssanteService.retry` sends again."""

    channel: Channel | None
    on: date | None = None
    waiting: bool = False
    refused: bool = False
    problem: str = ""
    last_mail: str = ""
    plan_outdated: bool = False
    """The plan they received by MSSanté has changed since (an action added, edited, done):
    the professional may send it again (one click, never on their behalf)."""

    @property
    def can_retry(self) -> bool:
        """A message waits for its next try, or was refused: it may be tried again now."""
        return bool(self.last_mail) and (self.waiting or self.refused)


def _last_change(actions: list[Action]) -> datetime | None:
    """When the plan a recipient reads last changed."""
    instants = [a.updated_at or a.created_at for a in actions]
    return max(instants, default=None)


def reach_of(
    professional: Professional, memberships: list[Membership], mails: list[OutboxItem]
) -> MemberReach:
    """The latest of: a sent MSSanté message, a printed invitation, an invitation through the
    application (the professional runs ESCAP Desktop: their keys are known). On the same day
    MSSanté comes first: the message proves more than a letter handed over."""
    candidates: list[tuple[date, int, Channel]] = []
    sent = [m for m in mails if m.state == mail_queue.SENT and m.sent_at is not None]
    if sent:
        last = max(m.sent_at for m in sent if m.sent_at is not None)
        candidates.append((paris_date(last), 2, Channel.MSSANTE))
    printed = [m.invitation_printed_on for m in memberships if m.invitation_printed_on]
    if printed:
        candidates.append((max(d for d in printed if d is not None), 0, Channel.LETTER))
    if professional.signing_public_key and professional.encryption_public_key and memberships:
        invited = max(m.invited_at for m in memberships)
        candidates.append((paris_date(invited), 1, Channel.APPLICATION))
    latest_mail = mails[-1] if mails else None
    waiting = latest_mail is not None and latest_mail.pending
    refused = latest_mail is not None and latest_mail.state == mail_queue.REFUSED
    problem = latest_mail.last_error if latest_mail is not None and (waiting or refused) else ""
    last_mail = latest_mail.id if latest_mail is not None else ""
    if not candidates:
        channel = Channel.MSSANTE if waiting or refused else None
        return MemberReach(channel, None, waiting, refused, problem, last_mail)
    on, _, channel = max(candidates)
    return MemberReach(channel, on, waiting, refused, problem, last_mail)
