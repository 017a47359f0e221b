"""Invitations: waiting for the invitee's device, declining, leaving; changes stay offline-first."""

from __future__ import annotations

import pytest

from escap_desktop.core.entities import MembershipStatus, Message
from escap_desktop.core.errors import NotFoundError, ValidationError
from escap_desktop.store.sync_models import SyncOutboxRow
from tests.sync.conftest import MemberFactory
from tests.sync.team import Member, active_team, code_on_letter, start_escap


def _statuses(member: Member, escap_id: str) -> dict[str, MembershipStatus]:
    return {
        m.professional.identifier: m.membership.status
        for m in member.practice.escaps.overview(escap_id).members
    }


def test_an_invitation_waits_for_the_device_then_can_be_declined(
    sqlite_members: MemberFactory,
) -> None:
    gp = sqlite_members("gp")
    _patient, escap = start_escap(gp, ["nurse", "dietitian"])
    report = gp.cycle()
    assert report.invitations_sent == 0  # neither colleague has a device on the relay yet

    dietitian = sqlite_members("dietitian")
    dietitian.cycle()  # registers
    assert gp.cycle().invitations_sent == 1
    dietitian.cycle()
    [invitation] = dietitian.sync.pending_invitations()
    assert invitation.role == "Nutrition"
    dietitian.sync.decline_invitation(invitation.invitation_id)
    code = code_on_letter(dietitian, invitation.invitation_id)
    with pytest.raises(ValidationError, match="déjà répondu"):
        dietitian.sync.accept_invitation(invitation.invitation_id, code)
    with pytest.raises(NotFoundError):
        dietitian.sync.accept_invitation("0" * 32, code)
    report = dietitian.cycle()
    assert dietitian.sync.pending_invitations() == []
    assert dietitian.sync.status().pending_invitations == 0
    # Declining gives no access to the team.
    assert dietitian.repo_call(lambda repo: repo.team(escap.team_id)) is None

    gp.cycle()
    statuses = _statuses(gp, escap.id)
    assert statuses[dietitian.me.identifier] is MembershipStatus.DECLINED
    assert statuses[gp.colleague("nurse").identifier] is MembershipStatus.INVITED

    nurse = sqlite_members("nurse")
    nurse.cycle()
    gp.cycle()
    nurse.cycle()
    [invitation] = nurse.sync.pending_invitations()
    with pytest.raises(ValidationError, match="code d'invitation n'est pas valide"):
        nurse.sync.accept_invitation(invitation.invitation_id, "ABCD-0000")
    nurse.sync.accept_invitation(
        invitation.invitation_id, code_on_letter(nurse, invitation.invitation_id)
    )
    nurse.cycle()
    gp.cycle()
    nurse.cycle()
    # The nurse's store holds the whole team, the decline included.
    assert _statuses(nurse, escap.id)[dietitian.me.identifier] is MembershipStatus.DECLINED


def test_a_member_who_leaves_loses_access_to_what_follows(sqlite_members: MemberFactory) -> None:
    gp, nurse, physio, escap = active_team(sqlite_members)
    mine = next(
        m.membership
        for m in physio.practice.escaps.overview(escap.id).members
        if m.professional.id == physio.me.id
    )
    physio.practice.escaps.remove_member(mine.id, left=True)
    physio.cycle()  # tells the team
    report = gp.cycle()  # the admin's device removes her device and rotates the key
    assert report.key_rotations == 1
    gp.practice.messages.post(escap.id, "Après son départ.")
    gp.cycle()
    nurse.cycle()
    physio.cycle()
    assert [m.body for m in nurse.practice.messages.thread(escap.id)] == ["Après son départ."]
    assert physio.practice.messages.thread(escap.id) == []
    assert physio.repo_call(lambda repo: repo.team(escap.team_id).state) == "removed"
    assert _statuses(nurse, escap.id)[physio.me.identifier] is MembershipStatus.LEFT


def test_received_records_never_go_back_out_and_a_rolled_back_change_is_not_queued(
    sqlite_members: MemberFactory,
) -> None:
    gp, nurse, _physio, escap = active_team(sqlite_members)
    gp.practice.messages.post(escap.id, "Une information pour l'équipe.")
    gp.cycle()
    before = nurse.repo_call(lambda repo: repo.session.query(SyncOutboxRow).count())
    report = nurse.cycle()
    assert report.received >= 1
    after = nurse.repo_call(lambda repo: repo.session.query(SyncOutboxRow).count())
    assert after == before  # applying what the GP wrote queued nothing to send back

    message = Message(
        escap_id=escap.id,
        author_id=nurse.me.id,
        sent_at=nurse.practice.clock.now(),
        body="Écrit puis annulé.",
    )

    def fail_midway() -> None:
        with nurse.practice.store.unit_of_work(nurse.me.id) as uow:
            uow.put(message)
            raise RuntimeError("panne au milieu de l'enregistrement")

    with pytest.raises(RuntimeError):
        fail_midway()
    assert nurse.sync.status().pending_changes == 0  # the change and its outbox row: neither
    with nurse.practice.store.unit_of_work(nurse.me.id) as uow:
        uow.put(message)
    assert nurse.sync.status().pending_changes == 1  # both
