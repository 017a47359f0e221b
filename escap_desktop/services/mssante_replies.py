"""The médecin traitant's answer to the care plan, read from the MSSanté mailbox and recorded.

A GP with only MSSanté replies to the plan from their own software; the reply is recorded on the
plan's actions as the professional would have done by hand: the date the plan was received
(every reply proves it) and, when the reply says so (``core.rules.replies``), the date it was
validated — on the actions that message carried (those of the categories the recipient reads,
created before it was sent), never on actions added since. A date already recorded stays.

Who answered matters: only a reply from the address the plan was sent to is recorded. Anything
else (a colleague's address, a forwarded copy) is reported, not recorded — a validation is the
GP's own. The access trail says « … reçue par MSSanté »; the recorded actions sync to the team
like any change of the plan.

The mailbox is the professional's, read from their settings at each collect (the settings
dialog may change it during the session); without a reading server (IMAP), nothing is read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from escap_desktop.core.clock import paris_date
from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    AuditKind,
    Escap,
    Membership,
    MembershipStatus,
    Patient,
    Professional,
)
from escap_desktop.core.errors import EscapError
from escap_desktop.core.rules import lifecycle
from escap_desktop.core.rules.replies import (
    InvitationAnswer,
    ReplyVerdict,
    read_invitation_answer,
    read_reply,
)
from escap_desktop.mail.imap_reader import ImapReader, IncomingReply
from escap_desktop.services.access import escap_access
from escap_desktop.services.base import ServiceBase
from escap_desktop.services.escaps import record_invitation_answer
from escap_desktop.services.mssante import KIND_CARE_PLAN, KIND_INVITATION, NotConfiguredError
from escap_desktop.store import Store, UnitOfWork, mail_replies
from escap_desktop.store.mail_phrases import (
    INVITATION_ACCEPTED_BY_MAIL,
    INVITATION_DECLINED_BY_MAIL,
    PLAN_NOT_VALIDATED_BY_MAIL,
    PLAN_RECEIVED_BY_MAIL,
    PLAN_VALIDATED_BY_MAIL,
)
from escap_desktop.store.mail_queue import OutboxItem

ReaderSource = Callable[[], ImapReader | None]
"""The mailbox's reader as the settings stand now, None without a reading server."""

NOT_READING = (
    "La lecture des réponses MSSanté n'est pas configurée sur ce poste : indiquez le serveur "
    "de réception (IMAP) de votre opérateur dans « Fichier › Messagerie sécurisée MSSanté… »."
)

_PHRASES = {
    ReplyVerdict.VALIDATED: PLAN_VALIDATED_BY_MAIL,
    ReplyVerdict.NOT_VALIDATED: PLAN_NOT_VALIDATED_BY_MAIL,
    ReplyVerdict.RECEIVED: PLAN_RECEIVED_BY_MAIL,
}


@dataclass(frozen=True, slots=True)
class RecordedReply:
    escap_id: str
    patient_id: str | None
    professional_id: str | None
    professional_name: str
    verdict: ReplyVerdict | InvitationAnswer
    """The plan's verdict, or the answer to an invitation."""
    excerpt: str
    actions_changed: int
    patient_name: str = ""

    @property
    def sentence(self) -> str:
        """What the professional reads in the report (French)."""
        what = {
            ReplyVerdict.VALIDATED: "valide le plan de soins",
            ReplyVerdict.NOT_VALIDATED: "ne valide pas le plan de soins",
            ReplyVerdict.RECEIVED: "a reçu le plan de soins",
            InvitationAnswer.ACCEPTED: "accepte de rejoindre l'ESCAP",
            InvitationAnswer.DECLINED: "refuse de rejoindre l'ESCAP",
            InvitationAnswer.UNCLEAR: "a répondu à l'invitation à l'ESCAP",
        }[self.verdict]
        whose = f" de {self.patient_name}" if self.patient_name else ""
        words = f" : « {self.excerpt} »" if self.excerpt else ""
        return f"{self.professional_name} {what}{whose}{words}"


@dataclass(frozen=True, slots=True)
class ReplyReport:
    recorded: list[RecordedReply]
    ignored: list[str]
    """Why a reply was not recorded, one French sentence each."""


class MssanteReplyService(ServiceBase):
    """``reader`` reads the mailbox (``mail.imap_reader``): one reader, or a callable giving the
    one of the current settings at each use (None while no reading server is set)."""

    def __init__(
        self,
        store: Store,
        actor_id: Callable[[], str | None],
        reader: ImapReader | ReaderSource,
    ) -> None:
        super().__init__(store, actor_id)
        if isinstance(reader, ImapReader):
            fixed = reader
            self._reader_source: ReaderSource = lambda: fixed
        else:
            self._reader_source = reader

    @property
    def configured(self) -> bool:
        """Whether a reading server is set (the replies are read only then)."""
        return self._reader_source() is not None

    def collect(self) -> ReplyReport:
        """Reads the new replies, records them, marks them read; MailError (French) if the
        mailbox cannot be read — nothing is recorded then, and the next call reads them again.
        NotConfiguredError (French) without a reading server."""
        reader = self._reader_source()
        if reader is None:
            raise NotConfiguredError(NOT_READING)
        recorded: list[RecordedReply] = []
        ignored: list[str] = []
        done: list[str] = []
        for reply in reader.replies():
            outcome = self._record(reply)
            if isinstance(outcome, RecordedReply):
                recorded.append(outcome)
            elif outcome is not None:
                ignored.append(outcome)
            done.append(reply.uid)
        reader.mark_read(done)
        return ReplyReport(recorded, ignored)

    def _record(self, reply: IncomingReply) -> RecordedReply | str | None:
        actor = self.actor
        with self._store.unit_of_work(actor) as uow:
            sent = [
                item
                for item in mail_replies.answered(uow.session, reply.answers)
                if item.kind in (KIND_CARE_PLAN, KIND_INVITATION) and item.escap_id
            ]
            if not sent:
                return None  # answers a message of another device or another kind: not ours
            item = sent[0]
            if reply.sender.casefold() != item.recipient.casefold():
                what = (
                    "au plan de soins envoyé"
                    if item.kind == KIND_CARE_PLAN
                    else "à l'invitation envoyée"
                )
                return (
                    f"Une réponse {what} à {item.recipient} est venue d'une autre adresse "
                    f"({reply.sender or 'inconnue'}) : elle n'est pas enregistrée ; lisez-la dans "
                    "votre messagerie et notez-la à la main si elle vaut réponse."
                )
            if item.kind == KIND_INVITATION:
                return self._record_answer(uow, item, reply)
            escap = uow.get(Escap, item.escap_id or "")
            patient = uow.get(Patient, escap.patient_id)
            name = item.recipient
            if item.recipient_id:
                name = uow.get(Professional, item.recipient_id).display_name
            reading = read_reply(reply.subject, reply.body)
            day = paris_date(reply.received_at) if reply.received_at else self._today()
            changed = 0
            if lifecycle.plan_runs(escap.state):
                for action in self._carried(uow, item):
                    updated = replace(
                        action,
                        mt_received_on=action.mt_received_on or day,
                        mt_validated_on=action.mt_validated_on
                        or (day if reading.verdict is ReplyVerdict.VALIDATED else None),
                    )
                    if updated != action:
                        uow.put(
                            replace(updated, updated_at=self._now()), patient_id=escap.patient_id
                        )
                        changed += 1
            uow.audit(
                AuditKind.RECEIVED,
                "Escap",
                escap.id,
                patient_id=escap.patient_id,
                summary=_PHRASES[reading.verdict],
            )
        return RecordedReply(
            escap.id,
            escap.patient_id,
            item.recipient_id,
            name,
            reading.verdict,
            reading.excerpt,
            changed,
            patient.display_name,
        )

    def _record_answer(
        self, uow: UnitOfWork, item: OutboxItem, reply: IncomingReply
    ) -> RecordedReply | str:
        """Accepted or declined, as the invitee wrote it, on the invitation the message carried
        (if it still waits for an answer); an unclear reply is left to the professional."""
        escap = uow.get(Escap, item.escap_id or "")
        patient = uow.get(Patient, escap.patient_id)
        invitee = uow.get(Professional, item.recipient_id) if item.recipient_id else None
        name = invitee.display_name if invitee is not None else item.recipient
        reading = read_invitation_answer(reply.subject, reply.body)
        if reading.answer is InvitationAnswer.UNCLEAR:
            return (
                f"{name} a répondu à l'invitation sans dire s'il ou elle accepte : lisez sa "
                "réponse dans votre messagerie et notez-la à la main (« A accepté » ou « A "
                "refusé »)."
            )
        pending = [
            m
            for m in uow.find(Membership, escap_id=escap.id)
            if m.professional_id == item.recipient_id and m.status is MembershipStatus.INVITED
        ]
        if not pending:
            return (
                f"La réponse de {name} à l'invitation est arrivée alors que l'invitation n'attend "
                "plus de réponse : elle n'est pas enregistrée."
            )
        accepted = reading.answer is InvitationAnswer.ACCEPTED
        try:
            record_invitation_answer(uow, pending[0].id, accepted, self._now())
        except EscapError as error:
            return f"La réponse de {name} à l'invitation n'est pas enregistrée : {error}"
        uow.audit(
            AuditKind.RECEIVED,
            "Membership",
            pending[0].id,
            patient_id=escap.patient_id,
            summary=INVITATION_ACCEPTED_BY_MAIL if accepted else INVITATION_DECLINED_BY_MAIL,
        )
        return RecordedReply(
            escap.id,
            escap.patient_id,
            item.recipient_id,
            name,
            reading.answer,
            reading.excerpt,
            0,
            patient.display_name,
        )

    def _carried(self, uow: UnitOfWork, item: OutboxItem) -> list[Action]:
        """The actions the sent plan showed its recipient (as ``send_care_plan`` chose them)."""
        actions = uow.find(Action, escap_id=item.escap_id)
        if item.recipient_id:
            actions = escap_access(uow, item.escap_id or "", item.recipient_id).readable(actions)
        return [
            action
            for action in actions
            if action.created_at <= item.created_at and action.status is not ActionStatus.CANCELLED
        ]
