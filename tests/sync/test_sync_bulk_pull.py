"""A pulled page writes new append-only records in bulk: the store ends exactly as through
``UnitOfWork.put`` one record at a time (rows, readers, audit trail, clocks, replay guard,
patient list), whatever the page mixes (new records, a second version of one in the same page,
records already held, registers)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from escap_desktop.core.entities import EventKind
from escap_desktop.services.practice import build_practice
from escap_desktop.services.sync import SyncService
from escap_desktop.store import open_store
from escap_desktop.sync import applier
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.team import Member, active_team, no_sleep, relay_envelopes

_TABLES = {
    "message": "SELECT * FROM message ORDER BY id",
    "message_read": "SELECT * FROM message_read ORDER BY message_id, professional_id",
    "event": "SELECT * FROM event ORDER BY id",
    "action": "SELECT * FROM action ORDER BY id",
    "sync_clock": "SELECT * FROM sync_clock ORDER BY entity_type, entity_id",
    "sync_applied": "SELECT * FROM sync_applied ORDER BY team_id, record_id",
    # Ids of audit entries are random: everything else, in the order written.
    "audit_entry": "SELECT at, actor_id, kind, entity_type, entity_id, patient_id, summary "
    "FROM audit_entry ORDER BY seq",
}


def _dump(member: Member) -> dict[str, Any]:
    with member.practice.store.unit_of_work(member.me.id) as uow:
        dump: dict[str, Any] = {
            name: [tuple(row) for row in uow.session.execute(text(query))]
            for name, query in _TABLES.items()
        }
        dump["patient list"] = uow.patient_summaries()
    return dump


def _copy(member: Member, folder: Path, relay: Relay) -> Member:
    """The same installation (same device, same store) in another folder."""
    folder.mkdir()
    for path in member.folder.iterdir():
        if path.is_file() and path.name.endswith(".json"):  # the key info, the device keys
            shutil.copy2(path, folder / path.name)
    member.practice.store.backup_to(folder / "escap-desktop.db")
    store = open_store(folder, clock=member.practice.store.clock)
    practice = build_practice(store, folder)
    me = member.me
    sync = SyncService(
        store, lambda: me.id, escaps=practice.escaps, transport=relay.transport, sleep=no_sleep
    )
    practice.sync = sync
    return Member(f"{member.name}-copy", folder, practice, sync, me)


@pytest.mark.parametrize("read_elsewhere", [True, False], ids=["second-versions", "all-new"])
def test_a_page_applied_in_bulk_leaves_the_store_as_one_record_at_a_time(
    read_elsewhere: bool,
    sqlite_members: MemberFactory,
    sqlite_relay: Relay,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gp, nurse, physio, escap = active_team(sqlite_members)
    for index in range(12):
        gp.practice.messages.post(escap.id, f"Passage n°{index} : RAS.")
    gp.practice.events.record(escap.id, EventKind.HOSPITALISATION, date(2026, 11, 20), "Chute")
    gp.practice.plan.add(escap.id, "Kinésithérapie deux fois par semaine")
    gp.cycle()
    if read_elsewhere:
        physio.cycle()
        physio.practice.messages.mark_read(escap.id)  # second versions of the same messages
        physio.cycle()
    gp.practice.messages.post(escap.id, "Un dernier mot.")
    gp.cycle()
    cursor = nurse.repo_call(lambda repo: repo.team(escap.team_id).cursor)  # type: ignore[union-attr]
    held = relay_envelopes(sqlite_relay.app, escap.team_id)
    new = held[cursor:]
    assert len({e.record_type for e in new}) >= 3
    assert new[0].record_type == "Message"
    # One envelope already applied and one twice: replays, the second within the same page.
    page = [held[cursor - 1], *new, new[0]]
    copy = _copy(nurse, tmp_path / "nurse-copy", sqlite_relay)
    queued: list[str] = []
    add = applier.ReceivedRows.add

    def spy(rows: applier.ReceivedRows, entity: Any) -> None:
        queued.append(type(entity).__name__)
        add(rows, entity)

    try:
        monkeypatch.setattr(applier.ReceivedRows, "add", spy)
        with nurse.sync.session() as engine:
            bulk = engine.apply_envelopes(escap.team_id, page)
        # New and once in the page: the event and the last message, and the others unless
        # they come twice (the physio's reading, the copy of the first): those merge one at
        # a time.
        assert sorted(queued) == ["Event"] + ["Message"] * (1 if read_elsewhere else 12)
        monkeypatch.setattr(applier, "_BULK_TYPES", frozenset())
        with copy.sync.session() as engine:
            one_by_one = engine.apply_envelopes(escap.team_id, page)
        assert (bulk.received, bulk.changed, bulk.rejected) == (
            one_by_one.received,
            one_by_one.changed,
            one_by_one.rejected,
        )
        assert bulk.rejected == 2
        assert _dump(nurse) == _dump(copy)
        assert len(nurse.practice.messages.thread(escap.id)) == 13
    finally:
        copy.practice.close()
