"""A real SMTP submission server for the tests (aiosmtpd, in a thread of the test process):
STARTTLS (or TLS from the first byte), AUTH required over TLS, a certificate from
``certificates.py``; it records what it receives and can be told to refuse a recipient or to
hold a transaction (in RCPT, or in DATA once the content is in) while a test kills the client,
or hang up once the content is in, before answering.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.mail.certificates import CertificateFiles

LOGIN = "infirmiere.ndiaye@test.mssante.fr"
PASSWORD = "Mot de passe très secret"
"""The test account's password, with an accent: smtplib alone could not log in with it."""

HOLD_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = message_from_bytes(self.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class RecordingHandler:
    received: list[Received] = field(default_factory=list)
    refused_recipients: set[str] = field(default_factory=set)
    hold_in_rcpt: bool = False
    hold_in_data: bool = False
    drop_in_data: bool = False
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    logins: list[str] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refused_recipients:
            return "550 5.1.1 Destinataire inconnu sur ce domaine"
        if self.hold_in_rcpt:
            await self._hold()
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        self.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos), content))
        if self.hold_in_data:
            await self._hold()
        if self.drop_in_data:  # the content is in, the answer never leaves
            server.transport.close()
        return "250 2.0.0 Message accepte"

    async def _hold(self) -> None:
        self.holding.set()
        for _ in range(int(HOLD_SECONDS / 0.05)):
            if self.release.is_set():
                return
            await asyncio.sleep(0.05)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = auth_data.login.decode("utf-8")
        if login != LOGIN or auth_data.password.decode("utf-8") != PASSWORD:
            return AuthResult(success=False, handled=False)  # 535, the server answers
        self.logins.append(login)
        return AuthResult(success=True, auth_data=auth_data)


@dataclass
class MailServer:
    handler: RecordingHandler
    port: int
    implicit: bool

    @property
    def received(self) -> list[Received]:
        return self.handler.received


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_context(certificates: CertificateFiles) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificates.server_cert, certificates.server_key)
    return context


@contextmanager
def running_server(
    certificates: CertificateFiles, *, implicit: bool = False
) -> Iterator[MailServer]:
    handler = RecordingHandler()
    port = free_port()
    context = server_context(certificates)
    tls: dict[str, Any] = (
        {"ssl_context": context} if implicit else {"tls_context": context, "require_starttls": True}
    )
    controller = Controller(
        handler,
        hostname="127.0.0.1",
        port=port,
        authenticator=handler.authenticate,
        auth_required=True,
        # aiosmtpd only knows STARTTLS: with TLS from the first byte it would hide AUTH.
        auth_require_tls=not implicit,
        **tls,
    )
    controller.start()
    try:
        yield MailServer(handler, port, implicit)
    finally:
        handler.release.set()
        controller.stop()
