"""How to reach the professional's MSSanté operator: its SMTP submission server, optionally its
IMAP server (where the médecin traitant's replies are read), and the login.

These come from the operator (Mailiz, a regional platform, a hospital's or a software vendor's
MSSanté service). They live beside the local profile, in the store
(``store.mail_settings``, saved by ``services.profile``), and are typed in the dialog
« Messagerie sécurisée MSSanté… ». The password is never here: it is read from the OS keyring
when a message is sent (:mod:`escap_desktop.mail.credentials`). MSSanté operators give one
account for both servers: the same login and the same password send and read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from escap_desktop.core.errors import ValidationError

_ADDRESS = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+")


class TlsMode(StrEnum):
    """``implicit``: TLS from the first byte (SMTPS, port 465); ``starttls``: a plain
    connection upgraded by STARTTLS before anything else (submission, port 587). There is no
    mode without TLS: a message is never sent in clear."""

    IMPLICIT = "implicite"
    STARTTLS = "starttls"

    @property
    def default_port(self) -> int:
        return 465 if self is TlsMode.IMPLICIT else 587

    @property
    def imap_default_port(self) -> int:
        """The reading server's usual port in this mode (IMAPS 993, IMAP + STARTTLS 143)."""
        return 993 if self is TlsMode.IMPLICIT else 143

    @property
    def label(self) -> str:
        """What the settings dialog shows (French)."""
        if self is TlsMode.IMPLICIT:
            return "TLS dès la connexion (SMTPS)"
        return "STARTTLS (soumission)"

    @property
    def imap_label(self) -> str:
        """The same for the reading server (French)."""
        if self is TlsMode.IMPLICIT:
            return "TLS dès la connexion (IMAPS)"
        return "STARTTLS"


@dataclass(frozen=True, slots=True)
class MailSettings:
    """The operator's submission server and the professional's mailbox.

    ``sender`` is the professional's own MSSanté address (the From of every message) and
    ``login`` the account name the operator gives (often the same address). ``ca_file`` is a
    PEM file of the certificate authorities to trust instead of the system's (an operator with
    its own authority); the server's certificate and name are always checked.

    ``imap_host`` "" means the replies are not read (not every operator opens IMAP);
    ``imap_port`` None is the default of ``imap_tls``. Reading uses the same login, password
    and ``ca_file`` as sending.
    """

    host: str
    sender: str
    login: str
    tls: TlsMode = TlsMode.STARTTLS
    port: int | None = None
    sender_name: str = ""
    ca_file: Path | None = None
    timeout: float = 30.0
    imap_host: str = ""
    imap_tls: TlsMode = TlsMode.IMPLICIT
    imap_port: int | None = None

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise ValidationError("Indiquez le serveur d'envoi de votre messagerie.", field="host")
        if self.port is not None and not 0 < self.port < 65536:
            raise ValidationError(
                f"Le port {self.port} n'existe pas : indiquez un nombre entre 1 et 65535 "
                f"(souvent {self.tls.default_port} en mode « {self.tls.label} »).",
                field="port",
            )
        if self.imap_port is not None and not 0 < self.imap_port < 65536:
            raise ValidationError(
                f"Le port de réception {self.imap_port} n'existe pas : indiquez un nombre entre 1 "
                f"et 65535 (souvent {self.imap_tls.imap_default_port} en mode "
                f"« {self.imap_tls.imap_label} »).",
                field="imap_port",
            )
        if not is_address(self.sender):
            raise ValidationError(
                f"L'adresse d'expédition « {self.sender} » n'est pas une adresse de messagerie "
                "valide.",
                field="sender",
            )
        if not self.login.strip():
            raise ValidationError("Indiquez l'identifiant de votre messagerie.", field="login")

    @property
    def effective_port(self) -> int:
        return self.port or self.tls.default_port

    @property
    def reads_replies(self) -> bool:
        """Whether a reading server is set (else the replies are noted by hand)."""
        return bool(self.imap_host.strip())

    @property
    def sender_domain(self) -> str:
        return self.sender.rsplit("@", 1)[1].lower()


def is_address(text: str) -> bool:
    return _ADDRESS.fullmatch(text.strip()) is not None


def same_address(first: str, second: str) -> bool:
    """Two spellings of one address (the domain, and in practice the whole address, is case
    insensitive; MSSanté operators do not distinguish case in the local part)."""
    return first.strip().casefold() == second.strip().casefold()
