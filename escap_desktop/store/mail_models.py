"""The MSSanté outbox (each message to send, kept in the encrypted store until it is sent) and
the professional's MSSanté settings.

A row holds the whole MIME message as it will go on the wire (with its Message-ID, its XDM
archive and its PDF), so a resend after a crash sends the very same bytes. Like the sync
tables, they share ``models.Base`` so one Alembic history (steps 0007 and 0008) owns them and
the schema test compares them; :mod:`escap_desktop.store.mail_queue` reads and writes the
outbox, :mod:`escap_desktop.store.mail_settings` the settings.

The message is health data: it is protected like the records, by the store's SQLCipher key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from escap_desktop.store.column_types import UtcDateTime
from escap_desktop.store.models import ID, Base

ADDRESS = String(320)


class MailOutboxRow(Base):
    """One message of the outbox.

    ``state``: ``queued`` (due at ``next_attempt_at``), ``sending`` (claimed by the run
    ``claimed_by``, nothing handed to the server yet), ``transmitting`` (the message content is
    being handed over: the server may have it), ``sent``, ``refused`` (the server refused it for
    good: nothing more is tried). ``maybe_sent`` records that a run died, or lost the server,
    while transmitting, so the next attempt may be a second copy (same Message-ID).
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    escap_id: Mapped[str | None] = mapped_column(ID, index=True)
    patient_id: Mapped[str | None] = mapped_column(ID)
    recipient_id: Mapped[str | None] = mapped_column(ID)
    sender: Mapped[str] = mapped_column(ADDRESS)
    recipient: Mapped[str] = mapped_column(ADDRESS)
    message: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer)
    maybe_sent: Mapped[bool]
    created_by: Mapped[str] = mapped_column(ID)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_by: Mapped[str | None] = mapped_column(ID)
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str] = mapped_column(Text)
    covers: Mapped[str] = mapped_column(Text, server_default="")
    """The ids of the records a digest carried, space-separated ("" for other messages): the
    next digest to that recipient leaves them out — by id, not by date, since a colleague's
    message written offline arrives with an earlier date than the last digest (step 0008)."""


class MailSettingsRow(Base):
    """The professional's MSSanté mailbox, one row (``slot`` = 1) like the local profile it
    belongs to: this installation has one user, who sends from one mailbox.

    Kept in the store rather than in ``interface.ini`` because the address and login say who
    the professional is and whom they write to; never synced (each device sends from its own
    settings), never holding the password (the OS keyring does: ``mail.credentials``).
    ``ca_file`` is "" for the system's authorities; ``port`` 0 for the TLS mode's default.
    ``imap_host`` is the reading server ("" : the replies are not read), with its own port (0:
    its TLS mode's default) and TLS mode; it reads with the same login and password.
    """

    __tablename__ = "mail_settings"
    __table_args__ = (CheckConstraint("slot = 1", name="ck_mail_settings_single_row"),)

    slot: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    host: Mapped[str] = mapped_column(String(253))
    port: Mapped[int] = mapped_column(Integer)
    tls: Mapped[str] = mapped_column(String(20))
    login: Mapped[str] = mapped_column(ADDRESS)
    sender: Mapped[str] = mapped_column(ADDRESS)
    sender_name: Mapped[str] = mapped_column(String(200))
    ca_file: Mapped[str] = mapped_column(Text)
    imap_host: Mapped[str] = mapped_column(String(253))
    imap_port: Mapped[int] = mapped_column(Integer)
    imap_tls: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
