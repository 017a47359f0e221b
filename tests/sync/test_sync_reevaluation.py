"""A re-evaluation reaches the colleagues with its timeline event: both leave in the outbox of
the transaction that saved the grid."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import ClinicalSituation, Event, EventKind, GridAssessment
from escap_desktop.store.sync_models import SyncOutboxRow
from escap_desktop.store.sync_repository import SENT
from tests.sync.conftest import MemberFactory
from tests.sync.team import active_team


def test_the_nurse_sees_the_gps_reevaluation_in_her_timeline(
    sqlite_members: MemberFactory,
    clock: FrozenClock,
) -> None:
    gp, nurse, _physio, escap = active_team(sqlite_members)
    assert gp.sync.status().pending_changes == 0
    ids = gp.practice.escaps.current_grid().item_ids

    assessment, result = gp.practice.escaps.assess(
        escap.id,
        {item: index < 16 for index, item in enumerate(ids)},
        ClinicalSituation(chronic_conditions=3),
        assessed_on=clock.today() - timedelta(days=1),
    )

    assert gp.sync.status().pending_changes == 2  # the grid and its event, queued together
    gp.cycle()
    nurse.cycle()
    [event] = nurse.practice.events.timeline(escap.id)
    assert event.kind is EventKind.REEVALUATION
    assert event.note == f"Score 16 ; {result.summary}"
    assert event.assessment_id == assessment.id
    with nurse.practice.store.unit_of_work(nurse.me.id) as uow:
        assert uow.get(GridAssessment, assessment.id).score == 16


def test_once_the_relay_has_them_the_outbox_keeps_no_clear_copy(
    sqlite_members: MemberFactory,
) -> None:
    """Acknowledged records keep their relay number and lose their clear payload and envelope:
    the store holds the entity, the outbox only what sync needs."""
    gp, _nurse, _physio, escap = active_team(sqlite_members)
    ids = gp.practice.escaps.current_grid().item_ids
    assessment, _result = gp.practice.escaps.assess(
        escap.id,
        {item: index < 15 for index, item in enumerate(ids)},
        ClinicalSituation(chronic_conditions=3),
    )
    with gp.practice.store.unit_of_work(gp.me.id) as uow:
        [event] = [e.id for e in uow.find(Event, escap_id=escap.id)]
    gp.cycle()
    with gp.practice.store.unit_of_work(gp.me.id) as uow:
        rows = list(
            uow.session.scalars(
                select(SyncOutboxRow).where(SyncOutboxRow.entity_id.in_([assessment.id, event]))
            )
        )
    assert len(rows) == 2
    assert {row.status for row in rows} == {SENT}
    assert all(row.payload is None and row.envelope is None for row in rows)
    seqs = sorted(row.relay_seq for row in rows if row.relay_seq is not None)
    assert len(seqs) == 2
    assert seqs[0] < seqs[1]
    assert gp.sync.status().pending_changes == 0
