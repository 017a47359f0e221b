"""The MSSanté outbox: each message to send, kept in the encrypted store until it is sent.

A row holds the whole MIME message as it will go on the wire (with its Message-ID, its XDM
archive and its PDF), so a resend after a crash sends the very same bytes. Like the sync
tables, it shares ``models.Base`` so one Alembic history (step 0007) owns it and the schema
test compares it; :mod:`escap_desktop.store.mail_queue` reads and writes it.

The message is health data: it is protected like the records, by the store's SQLCipher key.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, LargeBinary, String, Text
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
