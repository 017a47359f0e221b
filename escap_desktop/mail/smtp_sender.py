"""Sending one message through the operator's SMTP submission, over TLS, with the professional's
login; every failure becomes a French :class:`MailError`.

TLS is mandatory: implicit TLS (SMTPS, 465) or STARTTLS (587) before the login — a server that
does not offer STARTTLS is refused rather than spoken to in clear. The server's certificate is
checked against the system's authorities (or the ``ca_file`` of the settings) and its name
against the host, with TLS 1.2 at least.

The transaction is split (``MAIL``, ``RCPT``, then ``DATA``) so that the caller can commit
"transmitting" just before the content leaves (``before_data``): a crash earlier means the
server certainly does not have the message (see :mod:`escap_desktop.store.mail_queue`).
"""

from __future__ import annotations

import base64
import smtplib
import socket
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from escap_desktop.mail.credentials import PasswordSource
from escap_desktop.mail.errors import MailError, MailFailure
from escap_desktop.mail.settings import MailSettings, TlsMode
from escap_desktop.mail.tls import client_context

Hook = Callable[[], None]
T = TypeVar("T")


class SmtpSender:
    """Sends messages with one connection each (few messages: no pooling needed)."""

    def __init__(self, settings: MailSettings, password: PasswordSource) -> None:
        self._settings = settings
        self._password = password

    @property
    def where(self) -> str:
        return f"{self._settings.host}:{self._settings.effective_port}"

    def tls_context(self) -> ssl.SSLContext:
        return client_context(self._settings.ca_file)

    def send(
        self, message: bytes, *, sender: str, recipient: str, before_data: Hook | None = None
    ) -> None:
        """Hands ``message`` to the server for ``recipient``; MailError (French) otherwise.

        Returns once the server accepted the content (``250`` after ``DATA``).
        """
        with self._session() as smtp:
            self._login(smtp)
            code, answer = self._step(lambda: smtp.mail(sender))
            if code != 250:
                raise self._refusal(
                    code, answer, f"L'adresse d'expédition {sender} a été refusée par le serveur"
                )
            code, answer = self._step(lambda: smtp.rcpt(recipient))
            if code not in (250, 251):
                raise self._refusal(
                    code,
                    answer,
                    f"Le serveur de messagerie a refusé le destinataire {recipient}",
                )
            if before_data is not None:
                before_data()
            try:
                self._step(lambda: smtp.data(message))
            except smtplib.SMTPDataError as error:
                refused = "Le serveur de messagerie a refusé le message"
                raise self._refusal(error.smtp_code, error.smtp_error, refused) from None

    @contextmanager
    def _session(self) -> Iterator[smtplib.SMTP]:
        settings = self._settings
        context = self.tls_context()
        smtp: smtplib.SMTP | None = None
        finished = False
        try:
            if settings.tls is TlsMode.IMPLICIT:
                smtp = self._step(
                    lambda: smtplib.SMTP_SSL(
                        settings.host,
                        settings.effective_port,
                        timeout=settings.timeout,
                        context=context,
                    )
                )
            else:
                smtp = self._step(
                    lambda: smtplib.SMTP(
                        settings.host, settings.effective_port, timeout=settings.timeout
                    )
                )
            self._step(smtp.ehlo)
            if settings.tls is TlsMode.STARTTLS:
                if not smtp.has_extn("starttls"):
                    raise MailError(
                        f"Le serveur de messagerie {self.where} ne propose pas de connexion "
                        "chiffrée (STARTTLS) : le message n'est pas envoyé en clair. Vérifiez le "
                        "port et le mode de sécurité donnés par votre opérateur MSSanté."
                    )
                connection = smtp
                self._step(lambda: connection.starttls(context=context))
                self._step(connection.ehlo)
            yield smtp
            finished = True
        finally:
            if smtp is not None:
                _hang_up(smtp, politely=finished)

    def _login(self, smtp: smtplib.SMTP) -> None:
        password = self._password()
        login = self._settings.login
        try:
            if (login + password).isascii():
                self._step(lambda: smtp.login(login, password))
            else:
                self._step(lambda: _login_plain_utf8(smtp, login, password))
        except smtplib.SMTPAuthenticationError:
            raise MailError(
                f"Le serveur de messagerie {self.where} a refusé l'identifiant ou le mot de passe "
                f"de {self._settings.login} : vérifiez-les dans les réglages de la messagerie.",
                credentials=True,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise MailError(
                f"Le serveur de messagerie {self.where} ne propose pas d'authentification : "
                "vérifiez le serveur et le port donnés par votre opérateur MSSanté."
            ) from None

    def _refusal(self, code: int, answer: bytes | str, what: str) -> MailError:
        text = answer.decode("utf-8", "replace") if isinstance(answer, bytes) else answer
        text = " ".join(text.split())
        failure = MailFailure.PERMANENT if 500 <= code < 600 else MailFailure.TEMPORARY
        later = "" if failure is MailFailure.PERMANENT else " ; il sera réessayé plus tard"
        return MailError(f"{what} (réponse {code} : {text}){later}.", failure)

    def _step(self, call: Callable[[], T]) -> T:
        return _translated(call, self.where, self._settings.timeout)


def _hang_up(smtp: smtplib.SMTP, *, politely: bool) -> None:
    """QUIT after a sending; after a failure just close (a server that stopped answering would
    make QUIT wait for the whole timeout again)."""
    if politely:
        try:
            smtp.quit()
            return
        except (smtplib.SMTPException, OSError):
            pass
    smtp.close()


def _login_plain_utf8(smtp: smtplib.SMTP, login: str, password: str) -> None:
    """AUTH PLAIN with UTF-8 credentials (RFC 4616): smtplib encodes them as ASCII, so a
    password with an accent could not log in through ``SMTP.login``."""
    if not smtp.has_extn("auth"):
        raise smtplib.SMTPNotSupportedError("AUTH")
    mechanisms = smtp.esmtp_features.get("auth", "").upper().split()
    if "PLAIN" not in mechanisms:
        raise MailError(
            "Le mot de passe contient des caractères accentués et le serveur de messagerie "
            "n'accepte pas la méthode d'authentification qui les transmet (PLAIN)."
        )
    token = base64.b64encode(f"\0{login}\0{password}".encode()).decode("ascii")
    code, answer = smtp.docmd("AUTH", f"PLAIN {token}")
    if code == 334:  # a server that wants the credentials after an empty challenge
        code, answer = smtp.docmd(token)
    if code not in (235, 503):
        raise smtplib.SMTPAuthenticationError(code, answer)


def _translated(call: Callable[[], T], where: str, timeout: float) -> T:
    """Runs one SMTP step; network and TLS failures become MailError (SERVER)."""
    try:
        return call()
    except MailError:
        raise
    except ssl.SSLCertVerificationError as error:
        reason = error.verify_message or error.reason or "certificat refusé"
        raise MailError(
            f"Le certificat du serveur de messagerie {where} n'est pas valide ({reason}) : la "
            "connexion est refusée pour protéger les données. Vérifiez l'adresse du serveur, ou "
            "l'autorité de certification de votre opérateur MSSanté ; le message reste en "
            "attente."
        ) from None
    except ssl.SSLError as error:
        raise MailError(
            f"La connexion chiffrée avec le serveur de messagerie {where} a échoué "
            f"({error.reason or error.__class__.__name__}) ; le message reste en attente."
        ) from None
    except ConnectionRefusedError:
        raise MailError(
            f"Le serveur de messagerie {where} refuse la connexion : vérifiez le serveur et le "
            "port, ou réessayez plus tard ; le message reste en attente."
        ) from None
    except (TimeoutError, smtplib.SMTPServerDisconnected) as error:
        if not isinstance(error, TimeoutError) and not isinstance(error.__context__, TimeoutError):
            raise MailError(
                f"Le serveur de messagerie {where} a coupé la connexion ; le message reste en "
                "attente et sera réessayé."
            ) from None
        raise MailError(
            f"Le serveur de messagerie {where} ne répond pas (plus de {timeout:g} s) ; le "
            "message reste en attente et sera réessayé."
        ) from None
    except socket.gaierror:
        raise MailError(
            f"Le serveur de messagerie {where} est introuvable (nom inconnu ou pas de connexion "
            "à internet) ; le message reste en attente."
        ) from None
    except (smtplib.SMTPHeloError, smtplib.SMTPResponseException) as error:
        if isinstance(error, smtplib.SMTPAuthenticationError | smtplib.SMTPDataError):
            raise
        code = getattr(error, "smtp_code", 0)
        raise MailError(
            f"Le serveur de messagerie {where} a répondu par une erreur ({code}) ; le message "
            "reste en attente."
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise
    except smtplib.SMTPException as error:
        raise MailError(
            f"L'échange avec le serveur de messagerie {where} a échoué ({error}) ; le message "
            "reste en attente."
        ) from None
    except OSError as error:
        raise MailError(
            f"Le serveur de messagerie {where} est injoignable ({error.strerror or error}) ; le "
            "message reste en attente."
        ) from None
