"""A re-evaluation reaches the colleagues with its timeline event: both leave in the outbox of
the transaction that saved the grid."""

from __future__ import annotations

from datetime import timedelta

from escap_desktop.core.entities import ClinicalSituation, EventKind, GridAssessment
from tests.sync.conftest import MemberFactory
from tests.sync.team import TODAY, active_team


def test_the_nurse_sees_the_gps_reevaluation_in_her_timeline(
    sqlite_members: MemberFactory,
) -> None:
    gp, nurse, _physio, escap = active_team(sqlite_members)
    assert gp.sync.status().pending_changes == 0
    ids = gp.practice.escaps.current_grid().item_ids

    assessment, result = gp.practice.escaps.assess(
        escap.id,
        {item: index < 16 for index, item in enumerate(ids)},
        ClinicalSituation(chronic_conditions=3),
        assessed_on=TODAY - timedelta(days=1),
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
