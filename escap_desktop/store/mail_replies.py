"""The sent messages a reply answers, found by their Message-ID (unique in the outbox)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from escap_desktop.store import mail_queue
from escap_desktop.store.mail_models import MailOutboxRow
from escap_desktop.store.mail_queue import OutboxItem


def answered(session: Session, message_ids: Iterable[str]) -> list[OutboxItem]:
    """Our messages among ``message_ids``, in the order given (In-Reply-To first)."""
    wanted = list(dict.fromkeys(message_ids))
    rows = session.execute(
        select(MailOutboxRow.message_id, MailOutboxRow.id).where(
            MailOutboxRow.message_id.in_(wanted)
        )
    ).all()
    by_message = {message_id: item_id for message_id, item_id in rows}
    found = [mail_queue.get(session, by_message[m]) for m in wanted if m in by_message]
    return [item for item in found if item is not None]
