"""Replies in the professional's MSSanté mailbox, read over IMAP (where the operator allows it).

Only replies to what ESCAP Desktop sent are read: a message whose ``In-Reply-To`` or
``References`` names one of our Message-IDs (``<escap.…@domain>``, :mod:`mssante_message`).
Everything else in the mailbox is the professional's own mail and stays untouched, unread.

A reply is marked with the IMAP keyword ``$EscapLu`` once its content is recorded, and later
reads skip it. Recording is idempotent (a date already set stays), so a crash between recording
and marking only reads the reply once more. The connection is TLS only (IMAPS, or STARTTLS
before the login), the certificate and the server's name checked as for sending.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import re
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path

from escap_desktop.core.errors import ValidationError
from escap_desktop.mail.errors import MailError
from escap_desktop.mail.settings import TlsMode
from escap_desktop.mail.tls import client_context

PasswordSource = Callable[[], str]

READ_KEYWORD = "$EscapLu"
_OUR_IDS = re.compile(r"<escap\.[0-9a-f]{32}@[^<>\s]+>")


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """The operator's IMAP server for the same mailbox as the sending settings."""

    host: str
    login: str
    tls: TlsMode = TlsMode.IMPLICIT
    port: int | None = None
    ca_file: Path | None = None
    timeout: float = 30.0
    folder: str = "INBOX"

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise ValidationError("Indiquez le serveur de réception (IMAP).", field="imap_host")
        if not self.login.strip():
            raise ValidationError("Indiquez l'identifiant de la messagerie.", field="login")
        if self.port is not None and not 0 < self.port < 65536:
            raise ValidationError(
                f"Le port {self.port} n'est pas un port de serveur valide.", field="imap_port"
            )

    @property
    def effective_port(self) -> int:
        return self.port or self.tls.imap_default_port


@dataclass(frozen=True, slots=True)
class IncomingReply:
    """One reply to a message we sent; ``uid`` is its IMAP UID in the folder."""

    uid: str
    message_id: str
    answers: tuple[str, ...]
    """Our Message-IDs it answers (In-Reply-To first, then References)."""
    sender: str
    subject: str
    body: str
    received_at: datetime | None


class ImapReader:
    def __init__(self, settings: ImapSettings, password: PasswordSource) -> None:
        self._settings = settings
        self._password = password

    @property
    def where(self) -> str:
        return f"{self._settings.host}:{self._settings.effective_port}"

    def replies(self) -> list[IncomingReply]:
        """The replies to our messages not yet marked as read by the app (MailError otherwise)."""
        with self._session() as imap:
            status, data = imap.uid("SEARCH", "UNKEYWORD", READ_KEYWORD)
            self._ok(status, "la recherche des réponses")
            uids = data[0].split() if data and data[0] else []
            found = []
            for uid in uids:
                status, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                self._ok(status, "la lecture d'une réponse")
                raw = next((p[1] for p in parts if isinstance(p, tuple)), None)
                if raw is None:
                    continue
                reply = _reply(uid.decode(), raw)
                if reply is not None:
                    found.append(reply)
            return found

    def mark_read(self, uids: list[str]) -> None:
        """Marks recorded replies so they are not read again (the professional still sees them
        in their mailbox: only the app's own keyword is set, not \\Seen)."""
        if not uids:
            return
        with self._session() as imap:
            status, _ = imap.uid("STORE", ",".join(uids), "+FLAGS", f"({READ_KEYWORD})")
            self._ok(status, "le marquage des réponses lues")

    @contextmanager
    def _session(self) -> Iterator[imaplib.IMAP4]:
        settings = self._settings
        context = client_context(settings.ca_file)
        imap: imaplib.IMAP4 | None = None
        try:
            if settings.tls is TlsMode.IMPLICIT:
                imap = imaplib.IMAP4_SSL(
                    settings.host,
                    settings.effective_port,
                    ssl_context=context,
                    timeout=settings.timeout,
                )
            else:
                imap = imaplib.IMAP4(settings.host, settings.effective_port, settings.timeout)
                imap.starttls(context)
            try:
                _login_plain_utf8(imap, settings.login, self._password())
            except imaplib.IMAP4.error:
                raise MailError(
                    f"Le serveur de réception {self.where} refuse l'identifiant ou le mot de passe "
                    "de la messagerie MSSanté : vérifiez-les dans les réglages.",
                    credentials=True,
                ) from None
            status, _ = imap.select(settings.folder)
            self._ok(status, f"l'ouverture du dossier « {settings.folder} »")
            yield imap
            with suppress(OSError, imaplib.IMAP4.error):
                imap.logout()  # closes the connection too
            imap = None
        except MailError:
            raise
        except ssl.SSLCertVerificationError as error:
            reason = error.verify_message or error.reason or "certificat refusé"
            raise MailError(
                f"Le certificat du serveur de réception {self.where} n'est pas valide ({reason}) : "
                "la connexion est refusée pour protéger les données."
            ) from None
        except ssl.SSLError as error:
            raise MailError(
                f"La connexion chiffrée avec le serveur de réception {self.where} a échoué "
                f"({error.reason or error.__class__.__name__})."
            ) from None
        except ConnectionRefusedError:
            raise MailError(
                f"Le serveur de réception {self.where} refuse la connexion : vérifiez le serveur "
                "et le port, ou réessayez plus tard."
            ) from None
        except TimeoutError:
            raise MailError(
                f"Le serveur de réception {self.where} ne répond pas (plus de "
                f"{settings.timeout:g} s) ; les réponses seront relues plus tard."
            ) from None
        except socket.gaierror:
            raise MailError(
                f"Le serveur de réception {self.where} est introuvable (nom inconnu ou pas de "
                "connexion à internet)."
            ) from None
        except (OSError, imaplib.IMAP4.error) as error:
            raise MailError(
                f"Le serveur de réception {self.where} a interrompu l'échange "
                f"({error.__class__.__name__}) ; les réponses seront relues plus tard."
            ) from None
        finally:
            if imap is not None:  # a refused login or a failed step: hang up
                with suppress(OSError):
                    imap.shutdown()

    def _ok(self, status: str, what: str) -> None:
        if status != "OK":
            raise MailError(f"Le serveur de réception {self.where} a refusé {what}.")


def _login_plain_utf8(imap: imaplib.IMAP4, login: str, password: str) -> None:
    """AUTHENTICATE PLAIN with UTF-8 (RFC 4616): ``LOGIN`` would send the password as ASCII,
    and a French password has accents."""
    secret = f"\0{login}\0{password}".encode()
    imap.authenticate("PLAIN", lambda _challenge: secret)


def _reply(uid: str, raw: bytes) -> IncomingReply | None:
    """The reply, or None when the message answers nothing we sent."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    answers = _OUR_IDS.findall(str(message.get("In-Reply-To", "")))
    answers += [
        found for found in _OUR_IDS.findall(str(message.get("References", "")))
        if found not in answers
    ]  # fmt: skip
    if not answers:
        return None
    text_part = message.get_body(preferencelist=("plain", "html"))
    body = text_part.get_content() if text_part is not None else ""
    if text_part is not None and text_part.get_content_type() == "text/html":
        body = re.sub(r"<[^>]+>", " ", body)
    try:
        received = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        received = None
    return IncomingReply(
        uid=uid,
        message_id=str(message.get("Message-ID", "")).strip(),
        answers=tuple(answers),
        sender=parseaddr(str(message.get("From", "")))[1],
        subject=str(message.get("Subject", "")),
        body=body,
        received_at=received,
    )
