"""The professional's MSSanté settings row, inside the caller's unit of work.

Plain values in and out (:class:`StoredMailSettings`): the store does not import the mail
adapter (which imports the store for the keyring rules); ``services`` turns them into a
``mail.settings.MailSettings``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from escap_desktop.store.mail_models import MailSettingsRow

SLOT = 1


@dataclass(frozen=True, slots=True)
class StoredMailSettings:
    """``port`` 0: the TLS mode's default; ``ca_file`` "": the system's authorities;
    ``imap_host`` "": the replies are not read (``imap_port`` 0: ``imap_tls``'s default)."""

    host: str
    port: int
    tls: str
    login: str
    sender: str
    sender_name: str
    ca_file: str
    imap_host: str = ""
    imap_port: int = 0
    imap_tls: str = "implicite"


def read(session: Session) -> StoredMailSettings | None:
    row = session.get(MailSettingsRow, SLOT)
    if row is None:
        return None
    return StoredMailSettings(
        host=row.host,
        port=row.port,
        tls=row.tls,
        login=row.login,
        sender=row.sender,
        sender_name=row.sender_name,
        ca_file=row.ca_file,
        imap_host=row.imap_host,
        imap_port=row.imap_port,
        imap_tls=row.imap_tls,
    )


def write(session: Session, settings: StoredMailSettings, now: datetime) -> None:
    """Creates or replaces the one row; it commits with the caller's unit of work."""
    row = session.get(MailSettingsRow, SLOT)
    if row is None:
        row = MailSettingsRow(slot=SLOT)
        session.add(row)
    row.host = settings.host
    row.port = settings.port
    row.tls = settings.tls
    row.login = settings.login
    row.sender = settings.sender
    row.sender_name = settings.sender_name
    row.ca_file = settings.ca_file
    row.imap_host = settings.imap_host
    row.imap_port = settings.imap_port
    row.imap_tls = settings.imap_tls
    row.updated_at = now


def clear(session: Session) -> None:
    row = session.get(MailSettingsRow, SLOT)
    if row is not None:
        session.delete(row)
