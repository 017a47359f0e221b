"""The MSSanté message: a standard MIME e-mail with the document and its ``IHE_XDM.ZIP``.

What MSSanté practice software expects (ANS, "Référentiel socle MSSanté #2 — Clients de
messageries"; IHE XDM "ZIP over e-mail"): an ordinary message from the professional's MSSanté
address to the recipient's, a French text body, and the ``IHE_XDM.ZIP`` archive as an
``application/zip`` attachment, which the receiving software opens to file the document in the
patient's record. The PDF is attached as well, so that any mail client shows it.

The Message-ID is derived from the outbox item's id (:func:`message_id_for`): a message sent
again after a crash is recognisably the same message. Subject, body and names keep their
accents (UTF-8: RFC 2047 in the headers, quoted-printable in the body). The ``X-MSS-*`` headers
of the Référentiel #2 concern CDA documents in the archive; ours is a PDF, so none is set.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from escap_desktop import __version__
from escap_desktop.core.entities import Patient, Professional, Sex
from escap_desktop.mail.settings import MailSettings

XDM_FILENAME = "IHE_XDM.ZIP"


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str


def message_id_for(item_id: str, settings: MailSettings) -> str:
    """The stable Message-ID of an outbox item, in the sender's domain."""
    return f"<escap.{item_id}@{settings.sender_domain}>"


def build_message(
    *,
    settings: MailSettings,
    recipient_address: str,
    recipient_name: str,
    subject: str,
    body: str,
    attachments: Sequence[Attachment],
    message_id: str,
    sent_at: datetime,
) -> EmailMessage:
    """The MIME message (``multipart/mixed``: the text, then the attachments in order)."""
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = _address(settings.sender_name, settings.sender)
    message["To"] = _address(recipient_name, recipient_address)
    message["Subject"] = subject
    message["Date"] = format_datetime(sent_at)
    message["Message-ID"] = message_id
    message["X-Mailer"] = f"ESCAP Desktop {__version__}"
    message.set_content(body, subtype="plain", charset="utf-8", cte="quoted-printable")
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=attachment.filename,
        )
    return message


def to_bytes(message: EmailMessage) -> bytes:
    """The message as it goes on the wire (CRLF line ends)."""
    return message.as_bytes(policy=policy.SMTP)


def xdm_attachment(archive: bytes) -> Attachment:
    return Attachment(XDM_FILENAME, archive, "application", "zip")


def pdf_attachment(filename: str, content: bytes) -> Attachment:
    return Attachment(filename, content, "application", "pdf")


def _address(name: str, address: str) -> Address:
    local, _, domain = address.strip().rpartition("@")
    return Address(display_name=name, username=local, domain=domain)


# --- the care plan's words --------------------------------------------------------------------


def born(patient: Patient) -> str:
    return {Sex.FEMALE: "née", Sex.MALE: "né"}.get(patient.sex, "né(e)")


def care_plan_subject(patient: Patient) -> str:
    """« Plan de soins ESCAP – D'ALMEIDA Zoë, née le 12/03/1940 »."""
    return (
        f"Plan de soins ESCAP – {patient.display_name}, {born(patient)} le "
        f"{patient.birth_date:%d/%m/%Y}"
    )


def care_plan_body(
    *,
    patient: Patient,
    recipient: Professional,
    author: Professional,
    issued_on: date,
    is_medecin_traitant: bool,
    identified_by_ins: bool,
    sender_address: str,
) -> str:
    """The French text of the message carrying the care-plan sheet."""
    who = _civil_name(patient)
    place = (
        "dont vous êtes le médecin traitant"
        if is_medecin_traitant
        else "dont vous faites partie de l'équipe"
    )
    identity = _identified(identified_by_ins)
    lines = [
        f"Bonjour {recipient.display_name},",
        "",
        f"Veuillez trouver ci-joint le plan de soins de {who}, {born(patient)} le "
        f"{patient.birth_date:%d/%m/%Y}, suivi par une Équipe de Soins Coordonnés avec le "
        f"Patient (ESCAP) {place}.",
        "",
        f"La fiche du {issued_on:%d/%m/%Y} est jointe en PDF et dans l'archive {XDM_FILENAME}, "
        f"que votre logiciel métier peut classer dans le dossier du patient ({identity}).",
        "Seules y figurent les actions des catégories de données que le consentement du "
        "patient ouvre à votre profession.",
    ]
    return _signed(lines, author, sender_address)


INVITATION_ANSWER_HINT = (
    "Pour répondre, répondez simplement à ce message en commençant par « J'accepte » ou « Je "
    "refuse » : votre réponse sera enregistrée dans l'ESCAP."
)


def invitation_subject(patient_initials: str, patient_age: int) -> str:
    """« Invitation à une ESCAP – patient Z. D., 86 ans »: initials and age only, as the letter
    (the invitee learns who the patient is once they accepted)."""
    return f"Invitation à une ESCAP – patient {patient_initials}, {patient_age} ans"


def invitation_body(
    *,
    invitee: Professional,
    inviter: Professional,
    patient_initials: str,
    patient_age: int,
    role: str,
    sender_address: str,
) -> str:
    """The French text of the message carrying the invitation letter."""
    as_role = f" pour : {role}" if role.strip() else ""
    lines = [
        f"Bonjour {invitee.display_name},",
        "",
        f"{inviter.display_name} ({inviter.profession.label}) vous invite à rejoindre l'Équipe "
        f"de Soins Coordonnés avec le Patient (ESCAP) d'un patient de {patient_age} ans "
        f"({patient_initials}){as_role}.",
        "",
        "La lettre d'invitation est jointe en PDF. L'identité du patient et son plan de soins "
        "vous seront transmis quand vous aurez accepté.",
        "",
        INVITATION_ANSWER_HINT,
        "Si vous utilisez ESCAP Desktop, le code de la lettre vous fait rejoindre l'équipe "
        "directement.",
    ]
    return _signed(lines, inviter, sender_address)


def digest_subject(patient: Patient) -> str:
    """« Nouvelles de l'équipe ESCAP – D'ALMEIDA Zoë, née le 12/03/1940 »."""
    return (
        f"Nouvelles de l'équipe ESCAP – {patient.display_name}, {born(patient)} le "
        f"{patient.birth_date:%d/%m/%Y}"
    )


def digest_body(
    *,
    patient: Patient,
    recipient: Professional,
    author: Professional,
    messages: int,
    events: int,
    since: date | None,
    identified_by_ins: bool,
    sender_address: str,
) -> str:
    """The French text of the message carrying the team's news."""
    who = _civil_name(patient)
    period = f"depuis le {since:%d/%m/%Y}" if since else "depuis la création de l'équipe"
    counts = [
        f"{messages} message{'s' if messages > 1 else ''}" if messages else "",
        f"{events} événement{'s' if events > 1 else ''}" if events else "",
    ]
    identity = _identified(identified_by_ins)
    lines = [
        f"Bonjour {recipient.display_name},",
        "",
        f"Voici les nouvelles de l'Équipe de Soins Coordonnés avec le Patient (ESCAP) de {who}, "
        f"{born(patient)} le {patient.birth_date:%d/%m/%Y}, {period} : "
        f"{' et '.join(c for c in counts if c)}.",
        "",
        f"Le détail est joint en PDF et dans l'archive {XDM_FILENAME}, que votre logiciel métier "
        f"peut classer dans le dossier du patient ({identity}).",
        "Seuls y figurent les messages et événements des catégories de données que le "
        "consentement du patient ouvre à votre profession.",
    ]
    return _signed(lines, author, sender_address)


def _civil_name(patient: Patient) -> str:
    """« Mme D'ALMEIDA Zoë »."""
    civility = {Sex.FEMALE: "Mme", Sex.MALE: "M."}.get(patient.sex, "")
    return f"{civility} {patient.display_name}".strip()


def _identified(by_ins: bool) -> str:
    """How the XDM metadata identify the patient, for the message's text."""
    if by_ins:
        return "identifié par son INS dans les métadonnées"
    return "identifié par ses traits d'identité (son INS n'est pas qualifié)"


def _signed(lines: list[str], author: Professional, sender_address: str) -> str:
    """The message's text with the sender's signature and the emergency reminder every
    MSSanté message of ESCAP Desktop ends with."""
    signature = [
        "",
        "Bien cordialement,",
        "",
        author.display_name,
        author.profession.label,
        sender_address,
        "",
        "-- ",
        "Message envoyé avec ESCAP Desktop. Les situations d'urgence ne relèvent pas de "
        "l'ESCAP : appelez le 15.",
    ]
    return "\n".join([*lines, *signature]) + "\n"
