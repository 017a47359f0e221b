"""A removed member reads nothing written after the removal: the team key is rotated."""

from __future__ import annotations

import pytest

from escap_desktop.core.entities import MembershipStatus
from escap_desktop.core.errors import TeamRuleError
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.team import active_team, relay_envelopes


def test_a_removed_member_cannot_decrypt_later_records(
    members: MemberFactory, relay: Relay
) -> None:
    gp, nurse, physio, escap = active_team(members)
    gp.practice.messages.post(escap.id, "Avant le retrait : tout le monde lit.")
    gp.cycle()
    physio.cycle()
    assert len(physio.practice.messages.thread(escap.id)) == 1

    physio_membership = next(
        m.membership
        for m in gp.practice.escaps.overview(escap.id).members
        if m.professional.identifier == physio.me.identifier
    )
    gp.practice.escaps.remove_member(physio_membership.id)
    report = gp.cycle()
    assert report.key_rotations == 1
    gp.practice.messages.post(escap.id, "Après le retrait : réservé à l'équipe restante.")
    gp.cycle()

    # The nurse gets the new key and reads both messages.
    nurse.cycle()
    assert [m.body for m in nurse.practice.messages.thread(escap.id)] == [
        "Avant le retrait : tout le monde lit.",
        "Après le retrait : réservé à l'équipe restante.",
    ]
    removed = [
        m.membership.status
        for m in nurse.practice.escaps.overview(escap.id).members
        if m.professional.identifier == physio.me.identifier
    ]
    assert removed == [MembershipStatus.REMOVED]

    # The relay no longer serves the physio; her device notes it and keeps what it had.
    physio.cycle()
    assert physio.repo_call(lambda repo: repo.team(escap.team_id).state) == "removed"
    assert len(physio.practice.messages.thread(escap.id)) == 1
    # Her own store now says she is no longer a member, and refuses new writes.
    mine = [
        m.membership.status
        for m in physio.practice.escaps.overview(escap.id).members
        if m.professional.id == physio.me.id
    ]
    assert mine == [MembershipStatus.REMOVED]
    with pytest.raises(TeamRuleError, match="ne faites plus partie de l'équipe"):
        physio.practice.messages.post(escap.id, "Encore un mot ?")
    with pytest.raises(TeamRuleError):
        physio.practice.plan.add(escap.id, "Séance de kiné", responsible_id=physio.me.id)
    assert physio.sync.status().pending_changes == 0  # nothing of it waits to be sent

    # Even holding a copy of the later envelopes, her device cannot open them.
    # Her keys are the first generation (one per data category, versions 1 to 3).
    later = [e for e in relay_envelopes(relay.app, escap.team_id) if e.key_version > 3]
    assert later
    assert physio.repo_call(lambda repo: sorted(repo.team_keys(escap.team_id))) == [1, 2, 3]
    with physio.sync.session() as engine:
        result = engine.apply_envelopes(escap.team_id, later)
    assert result.received == 0
    assert result.parked == len(later)  # waits for a key it will never receive
    assert len(physio.practice.messages.thread(escap.id)) == 1
