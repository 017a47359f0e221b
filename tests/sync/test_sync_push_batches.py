"""The push's own outbox reads and writes (``store/push_batches``) agree with the outbox's."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from escap_desktop.store import Store
from escap_desktop.store.keys import new_key
from escap_desktop.store.push_batches import mark_sent, pending_after, store_envelopes
from escap_desktop.store.sync_repository import SyncRepository

ACTOR = "0" * 32
TEAM = "t" * 32
AT = datetime(2026, 12, 7, 8, 30, 15, 123456, tzinfo=UTC)


def _rows(store: Store) -> list[tuple[object, ...]]:
    with store.unit_of_work(ACTOR) as uow:
        return [
            tuple(row)
            for row in uow.session.execute(
                text(
                    "SELECT seq, team_id, entity_type, entity_id, payload, envelope, status, "
                    "relay_seq, created_at, sent_at FROM sync_outbox ORDER BY seq"
                )
            )
        ]


def test_pending_rows_envelopes_and_marking_sent(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "coffre.db", new_key())
    try:
        with store.unit_of_work(ACTOR) as uow:
            repo = SyncRepository(uow.session, uow.clock)
            ids = [
                repo.add_outbox(TEAM, "Message", f"{n:032d}", b"clair %d" % n).record_id
                for n in range(6)
            ]
            repo.add_outbox("u" * 32, "Message", "9" * 32, b"autre equipe")
        with store.unit_of_work(ACTOR) as uow:
            rows = pending_after(uow.session, TEAM, 0, 4)
            assert [row.record_id for row in rows] == ids[:4]
            assert pending_after(uow.session, TEAM, rows[-1].seq, 10)[0].record_id == ids[4]
            store_envelopes(uow.session, [(rows[0].seq, b"{1}"), (rows[1].seq, b"{2}")])
        with store.unit_of_work(ACTOR) as uow:
            # A row sealed already keeps its first envelope.
            store_envelopes(uow.session, [(rows[0].seq, b"{autre}")])
            again = pending_after(uow.session, TEAM, 0, 2)
            assert [row.envelope for row in again] == [b"{1}", b"{2}"]
            mark_sent(uow.session, [(ids[0], 11), (ids[2], 13)], AT)
            SyncRepository(uow.session, uow.clock).mark_sent([(ids[1], 12), (ids[3], 14)], AT)
        rows_after = _rows(store)
        by_seq = {row[0]: row for row in rows_after}
        ours = [by_seq[rows[0].seq], by_seq[rows[2].seq]]
        theirs = [by_seq[rows[1].seq], by_seq[rows[3].seq]]
        # Sent, no payload or envelope left, the same stamp, the relay's numbers.
        assert {(row[4], row[5], row[6], row[9]) for row in ours + theirs} == {
            (None, None, "sent", theirs[0][9])
        }
        assert [row[7] for row in ours + theirs] == [11, 13, 12, 14]
        with store.unit_of_work(ACTOR) as uow:
            assert [row.record_id for row in pending_after(uow.session, TEAM, 0, 10)] == ids[4:]
    finally:
        store.close()
