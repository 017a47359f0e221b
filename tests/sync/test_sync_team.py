"""Three professionals run one ESCAP together through the relay, offline in between."""

from __future__ import annotations

from datetime import timedelta

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    ActionStatus,
    BillingKind,
    EscapState,
    MembershipStatus,
)
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.team import (
    GP_RPPS,
    accept_all,
    canonical_dump,
    code_on_letter,
    escap_of,
    relay_contents,
    start_escap,
)


def test_gp_nurse_and_physio_run_one_escap_through_the_relay(
    members: MemberFactory, relay: Relay, clock: FrozenClock
) -> None:
    gp, nurse, physio = members("gp"), members("nurse"), members("physio")
    nurse.cycle()  # registers the nurse's device (her RPPS) on the relay
    physio.cycle()

    # Offline: the GP includes the patient and invites both; nothing waits for the network.
    patient, escap = start_escap(gp, ["nurse", "physio"])
    assert gp.sync.status().pending_changes == 0  # no team yet: nothing is shared

    report = gp.cycle()
    assert report.teams_created == 1
    assert report.invitations_sent == 2
    # Nothing is pinned before the nurse proves the letter's code.
    assert gp.sync.colleague_fingerprint(gp.colleague("nurse").id) == ""
    assert gp.sync.status().pending_changes == 0

    # The nurse sees who invites her and the patient's initials and age only.
    nurse.cycle()
    [invitation] = nurse.sync.pending_invitations()
    assert invitation.inviter_name == "Dr Claire LEFÈVRE"
    assert invitation.inviter_profession == "Médecin"
    assert invitation.role == "Soins infirmiers"
    assert invitation.patient_initials == "Z. D."
    assert invitation.patient_age == patient.age_on(clock.today())
    nurse.sync.accept_invitation(
        invitation.invitation_id, code_on_letter(nurse, invitation.invitation_id)
    )
    assert nurse.sync.pending_invitations() == []
    nurse.cycle()  # her answer, with the proof of the code
    assert gp.cycle().invitations_confirmed == 1
    # What the GP and the nurse can still read to each other on the phone.
    assert gp.sync.colleague_fingerprint(gp.colleague("nurse").id) == nurse.sync.fingerprint()
    nurse.cycle()  # joins, pulls the history, confirms her membership
    nurse_escap = escap_of(nurse, escap.team_id)
    assert nurse_escap.id == escap.id
    overview = nurse.practice.escaps.overview(escap.id)
    assert overview.patient.ins == patient.ins
    assert overview.patient.birth_name == patient.birth_name
    mine = [m for m in overview.members if m.professional.id == nurse.me.id]
    assert [m.membership.status for m in mine] == [MembershipStatus.ACCEPTED]

    physio.cycle()
    assert accept_all(physio) == 1
    physio.cycle()
    gp.cycle()
    physio.cycle()

    gp.cycle()
    statuses = {
        m.professional.identifier: m.membership.status
        for m in gp.practice.escaps.overview(escap.id).members
    }
    assert set(statuses.values()) == {MembershipStatus.ACCEPTED}
    assert gp.practice.escaps.activate(escap.id).state is EscapState.ACTIVE

    # Everyone works offline, then syncs in some order.
    gp.cycle()
    nurse.cycle()
    physio.cycle()
    nurse.practice.messages.post(escap.id, "Passage ce matin : glycémie à 1,32 g/l.")
    action = physio.practice.plan.add(
        escap.id, "Marche accompagnée", responsible_id=physio.me.id, due_on=clock.today()
    )
    gp.practice.messages.post(escap.id, "Bilan sanguin prescrit.")
    physio.cycle()
    gp.cycle()
    # Concurrent edits of one action: the GP reschedules, the physio completes it.
    gp.practice.plan.reschedule(action.id, clock.today() + timedelta(days=7))
    physio.practice.plan.complete(action.id)
    for member in (nurse, physio):
        member.practice.billing.bill(escap.id, BillingKind.ENTRY)
    gp.practice.billing.bill(escap.id, BillingKind.ENTRY)
    for member in (gp, nurse, physio, gp, nurse, physio):
        member.cycle()

    dumps = [canonical_dump(member, escap.id) for member in (gp, nurse, physio)]
    assert dumps[0] == dumps[1] == dumps[2]
    merged = gp.practice.plan.actions(escap.id)[0]
    assert merged.status is ActionStatus.DONE
    assert merged.due_on == clock.today() + timedelta(days=7)
    assert len(gp.practice.messages.thread(escap.id)) == 2
    for member in (gp, nurse, physio):
        assert member.practice.billing.status(escap.id).payment_condition_met
        assert member.sync.status().pending_changes == 0
        assert member.sync.status().online

    # The relay stored all of it, and none of it in clear.
    stored = relay_contents(relay.app)
    assert GP_RPPS in stored  # device bindings are public by design: the dump reads the tables
    for secret in (
        patient.ins,
        patient.birth_name,
        patient.birth_name.upper(),
        "Zoë",
        "République",
        "glycémie",
        "Marche accompagnée",
    ):
        assert secret not in stored, secret
