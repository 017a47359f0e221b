"""The MSSanté outbox, inside the caller's unit of work.

The send protocol (the service drives it, one short transaction per step):

1. **enqueue** — the whole message is written with its Message-ID in the same unit of work as
   the access-trail entry of the sending, state ``queued``;
2. **claim** — the next due message becomes ``sending`` under this run's id (a conditional
   update: two runs never claim the same row), committed before any connection is made;
3. **transmitting** — committed just before the message content is handed to the server
   (SMTP ``DATA``): until then the server cannot have it;
4. **sent**, or back to **queued** with the French error and a later retry time (doubling
   delays), or **refused** when the server refused it for good.

A run that dies leaves its row ``sending`` or ``transmitting``. The next run
(:func:`recover_interrupted`, at its start) puts a ``sending`` row back in the queue as it was —
nothing had reached the server — and a ``transmitting`` one back with ``maybe_sent``: the server
may have accepted the message just before the crash. It is sent again with the **same bytes and
the same Message-ID**, so a receiving software that deduplicates by Message-ID shows one message.
That is "at most one visible message", not "exactly once": SMTP has no way to ask a server
whether it already took a message, and looking in the Sent folder over IMAP is neither available
at every operator nor reliable (submission servers do not all file a copy there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnClause, Integer, func, literal_column, select, update
from sqlalchemy.orm import Session

from escap_desktop.store.mail_models import MailOutboxRow

QUEUED = "queued"
SENDING = "sending"
TRANSMITTING = "transmitting"
SENT = "sent"
REFUSED = "refused"
_PENDING = (QUEUED, SENDING, TRANSMITTING)

FIRST_RETRY = timedelta(minutes=1)

# Insertion order: SQLite's rowid of the table (its primary key is text), so two messages queued
# within the same instant leave in the order they were queued.
_QUEUED_ORDER: ColumnClause[int] = literal_column("mail_outbox.rowid", Integer)
MAX_RETRY = timedelta(hours=6)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One message of the outbox, as read (``message`` is the MIME message's bytes)."""

    id: str
    message_id: str
    kind: str
    escap_id: str | None
    patient_id: str | None
    recipient_id: str | None
    sender: str
    recipient: str
    message: bytes
    state: str
    attempts: int
    maybe_sent: bool
    created_by: str
    created_at: datetime
    next_attempt_at: datetime
    sent_at: datetime | None
    last_error: str
    covers: tuple[str, ...] = ()

    @property
    def pending(self) -> bool:
        return self.state not in (SENT, REFUSED)


def retry_delay(attempts: int) -> timedelta:
    """The wait after ``attempts`` failed tries: 1 min, 2, 4... at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), MAX_RETRY)


def enqueue(
    session: Session,
    *,
    item_id: str,
    message_id: str,
    kind: str,
    sender: str,
    recipient: str,
    message: bytes,
    created_by: str,
    now: datetime,
    escap_id: str | None = None,
    patient_id: str | None = None,
    recipient_id: str | None = None,
    covers: tuple[str, ...] = (),
) -> OutboxItem:
    """Adds a message, due at once; it commits with the caller's unit of work. ``covers``:
    the ids of the records a digest carries."""
    row = MailOutboxRow(
        id=item_id,
        message_id=message_id,
        kind=kind,
        escap_id=escap_id,
        patient_id=patient_id,
        recipient_id=recipient_id,
        sender=sender,
        recipient=recipient,
        message=message,
        state=QUEUED,
        attempts=0,
        maybe_sent=False,
        created_by=created_by,
        created_at=now,
        next_attempt_at=now,
        claimed_by=None,
        claimed_at=None,
        sent_at=None,
        last_error="",
        covers=" ".join(covers),
    )
    session.add(row)
    return _item(row)


def recover_interrupted(session: Session, run_id: str, now: datetime) -> list[OutboxItem]:
    """Rows an earlier run left claimed (it died): back in the queue, due now; a row that was
    transmitting is marked ``maybe_sent``. Rows of ``run_id`` itself are left alone."""
    rows = session.scalars(
        select(MailOutboxRow).where(
            MailOutboxRow.state.in_((SENDING, TRANSMITTING)),
            (MailOutboxRow.claimed_by != run_id) | MailOutboxRow.claimed_by.is_(None),
        )
    ).all()
    for row in rows:
        if row.state == TRANSMITTING:
            row.maybe_sent = True
        row.state = QUEUED
        row.claimed_by = None
        row.next_attempt_at = now
    return [_item(row) for row in rows]


def claim_next(session: Session, run_id: str, now: datetime) -> OutboxItem | None:
    """The next due message, claimed for ``run_id`` (``sending``); None when nothing is due."""
    while True:
        candidate = session.scalar(
            select(MailOutboxRow.id)
            .where(MailOutboxRow.state == QUEUED, MailOutboxRow.next_attempt_at <= now)
            .order_by(MailOutboxRow.next_attempt_at, _QUEUED_ORDER)
            .limit(1)
        )
        if candidate is None:
            return None
        claimed = session.execute(
            update(MailOutboxRow)
            .where(MailOutboxRow.id == candidate, MailOutboxRow.state == QUEUED)
            .values(
                state=SENDING,
                claimed_by=run_id,
                claimed_at=now,
                attempts=MailOutboxRow.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(claimed, "rowcount", 0) == 1:
            row = session.get(MailOutboxRow, candidate, populate_existing=True)
            assert row is not None
            return _item(row)


def mark_transmitting(session: Session, item_id: str, run_id: str) -> None:
    """The message content is about to reach the server."""
    row = _claimed(session, item_id, run_id)
    row.state = TRANSMITTING


def mark_sent(session: Session, item_id: str, run_id: str, now: datetime) -> None:
    row = _claimed(session, item_id, run_id)
    row.state = SENT
    row.sent_at = now
    row.claimed_by = None
    row.last_error = ""


def mark_failed(
    session: Session,
    item_id: str,
    run_id: str,
    error: str,
    now: datetime,
    *,
    retry: bool,
    answered: bool = False,
    delay: timedelta | None = None,
) -> OutboxItem:
    """Back in the queue with the French ``error`` and a later retry (``delay``, else doubling
    delays), or ``refused`` for good when ``retry`` is False.

    ``answered``: the server answered with a refusal. Without an answer (connection lost, no
    reply) while the content was being handed over, the server may have accepted it: the row
    is marked ``maybe_sent``, as after a crash at that point.
    """
    row = _claimed(session, item_id, run_id)
    if row.state == TRANSMITTING and not answered:
        row.maybe_sent = True
    row.last_error = error
    row.claimed_by = None
    if retry:
        row.state = QUEUED
        row.next_attempt_at = now + (delay if delay is not None else retry_delay(row.attempts))
    else:
        row.state = REFUSED
    return _item(row)


def retry_now(session: Session, item_id: str, now: datetime) -> None:
    """A refused or waiting message put back in the queue, due now (the professional fixed the
    address or the settings)."""
    row = session.get(MailOutboxRow, item_id)
    if row is None or row.state not in (QUEUED, REFUSED):
        return
    row.state = QUEUED
    row.next_attempt_at = now


def get(session: Session, item_id: str) -> OutboxItem | None:
    row = session.get(MailOutboxRow, item_id)
    return None if row is None else _item(row)


def items(session: Session, *, escap_id: str | None = None) -> list[OutboxItem]:
    """Every message (of one ESCAP), in the order queued: who was sent what, and where it
    stands."""
    query = select(MailOutboxRow).order_by(_QUEUED_ORDER)
    if escap_id is not None:
        query = query.where(MailOutboxRow.escap_id == escap_id)
    return [_item(row) for row in session.scalars(query)]


def _claimed(session: Session, item_id: str, run_id: str) -> MailOutboxRow:
    row = session.get(MailOutboxRow, item_id)
    if row is None or row.claimed_by != run_id:
        raise RuntimeError(f"mail {item_id} is not claimed by run {run_id}")
    return row


def _item(row: MailOutboxRow) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        message_id=row.message_id,
        kind=row.kind,
        escap_id=row.escap_id,
        patient_id=row.patient_id,
        recipient_id=row.recipient_id,
        sender=row.sender,
        recipient=row.recipient,
        message=bytes(row.message),
        state=row.state,
        attempts=row.attempts,
        maybe_sent=row.maybe_sent,
        created_by=row.created_by,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        last_error=row.last_error,
        covers=tuple(row.covers.split()),
    )


def pending_count(session: Session) -> int:
    """How many messages still wait to leave (the status bar says so)."""
    count = session.scalar(
        select(func.count()).select_from(MailOutboxRow).where(MailOutboxRow.state.in_(_PENDING))
    )
    return int(count or 0)
