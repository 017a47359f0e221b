"""No single device in charge of a team (issue 18): the médecin traitant's devices and the
ESCAP creator's administer it, so a lost or offline laptop blocks nothing, and two
administrators renewing the keys at the same moment end with one set of keys.

Here a nurse opens the ESCAP (her device creates the team) for a patient whose médecin
traitant is the GP; the physio is the third member.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import Escap, MembershipStatus
from escap_desktop.core.errors import ValidationError
from escap_desktop.sync.relay_client import RelayUnavailableError
from escap_relay.schema import team_members
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.faults import CutConnection
from tests.sync.team import Member, accept_all, active_team, include_patient, make_member


def _nurse_led_team(make: Callable[..., Member], **gp_options: object) -> tuple[Member, ...]:
    nurse, gp, physio = make("nurse"), make("gp", **gp_options), make("physio")
    gp.cycle()
    physio.cycle()
    doctor = nurse.colleague("gp")
    _patient, escap = include_patient(nurse, medecin_traitant_id=doctor.id)
    escaps = nurse.practice.escaps
    escaps.invite(escap.id, nurse.me.id, "Soins infirmiers")
    escaps.invite(escap.id, doctor.id, "Médecin traitant")
    escaps.invite(escap.id, nurse.colleague("physio").id, "Rééducation")
    nurse.cycle()
    for member in (gp, physio):
        member.cycle()
        accept_all(member)
        member.cycle()
    nurse.cycle()  # checks both proofs, confirms them, seals them the keys
    for member in (gp, physio):
        member.cycle()
    nurse.cycle()  # the GP's acceptance is in: her device names the GP's administrator
    escaps.activate(escap.id)
    for member in (nurse, gp, physio, nurse, gp, physio):
        member.cycle()
    return nurse, gp, physio, escaps.get(escap.id)


def _admins(relay: Relay, team_id: str) -> set[str]:
    with relay.app.state.relay.engine.connect() as connection:
        return set(
            connection.scalars(
                select(team_members.c.device_id).where(
                    team_members.c.team_id == team_id, team_members.c.is_admin
                )
            )
        )


def _device(member: Member) -> str | None:
    return member.repo_call(lambda repo: state.device_id if (state := repo.peek_state()) else None)


def _remove(by: Member, escap: Escap, who: Member) -> None:
    membership = next(
        m.membership
        for m in by.practice.escaps.overview(escap.id).members
        if m.professional.identifier == who.me.identifier
    )
    by.practice.escaps.remove_member(membership.id)


def _bodies(member: Member, escap: Escap) -> list[str]:
    return [message.body for message in member.practice.messages.thread(escap.id)]


def _bring_in(new_pc: Member, by: Member, membership_id: str) -> None:
    """``by`` asks for the member's new computer; the code, read out, is typed on it; ``by``
    checks the proof and confirms it (only the new computer is invited: the old one is in)."""
    code = by.sync.request_new_computer(membership_id)
    assert by.cycle().invitations_sent == 1
    new_pc.cycle()
    [offer] = new_pc.sync.pending_invitations()
    new_pc.sync.accept_invitation(offer.invitation_id, code)
    new_pc.cycle()
    assert by.cycle().invitations_confirmed == 1


def test_the_medecin_traitant_administers_the_team_when_the_creators_laptop_is_gone(
    sqlite_members: MemberFactory, sqlite_relay: Relay
) -> None:
    relay = sqlite_relay
    nurse, gp, physio, escap = _nurse_led_team(sqlite_members)
    # The nurse's device created the team; it named the GP's (the médecin traitant) too.
    assert _admins(relay, escap.team_id) == {_device(nurse), _device(gp)}

    # The nurse's laptop is stolen: it never syncs again. The GP removes the physio.
    _remove(gp, escap, physio)
    report = gp.cycle()
    assert report.key_rotations == 1  # renewed without the team's creator
    gp.practice.messages.post(escap.id, "Après le départ du kiné : réservé à l'équipe.")
    gp.cycle()

    physio.cycle()
    assert physio.repo_call(lambda repo: repo.team(escap.team_id).state) == "removed"
    assert "Après le départ du kiné : réservé à l'équipe." not in _bodies(physio, escap)
    assert _device(physio) not in _admins(relay, escap.team_id)
    mine = [
        m.membership.status
        for m in physio.practice.escaps.overview(escap.id).members
        if m.professional.id == physio.me.id
    ]
    assert mine == [MembershipStatus.REMOVED]


def test_two_administrators_renewing_the_keys_at_once_end_with_one_set_of_keys(
    sqlite_members: MemberFactory, sqlite_relay: Relay, caplog: pytest.LogCaptureFixture
) -> None:
    cut = CutConnection(sqlite_relay.transport)
    nurse, gp, physio, escap = _nurse_led_team(sqlite_members, transport=cut)
    # Both administrators remove the physio, offline, at the same moment.
    _remove(gp, escap, physio)
    _remove(nurse, escap, physio)
    # The GP's claim of the new keys reaches the relay, then his line drops.
    cut.cut_after(f"/v1/teams/{escap.team_id}/key-versions", 1)
    with pytest.raises(RelayUnavailableError):
        gp.cycle()
    assert cut.down
    assert sorted(gp.repo_call(lambda repo: repo.unclaimed_keys(escap.team_id))) == [4, 5, 6]
    # The nurse renews the same versions: the relay gave them to the GP, so she drops hers.
    with caplog.at_level(logging.INFO, logger="escap_desktop.sync.teams"):
        report = nurse.cycle()
    assert report.key_rotations == 0
    assert "un autre administrateur a renouvelé les clés (versions 4 à 6)" in caplog.text
    assert max(nurse.repo_call(lambda repo: repo.team_keys(escap.team_id))) == 3
    cut.restore()
    gp.cycle()  # his renewal, claimed before the cut, is delivered now
    for member in (nurse, gp, nurse, gp):
        member.cycle()

    nurse_keys = nurse.repo_call(lambda repo: repo.team_keys(escap.team_id))
    gp_keys = gp.repo_call(lambda repo: repo.team_keys(escap.team_id))
    assert nurse_keys == gp_keys
    assert max(gp_keys) > 3  # a second generation, the same on both
    assert not gp.repo_call(lambda repo: repo.unclaimed_keys(escap.team_id))
    gp.practice.messages.post(escap.id, "Ordonnance de kiné arrêtée.")
    nurse.practice.messages.post(escap.id, "Pansement refait, cicatrice propre.")
    for member in (gp, nurse, gp, nurse, physio):
        member.cycle()
    for member in (gp, nurse):
        assert {"Ordonnance de kiné arrêtée.", "Pansement refait, cicatrice propre."} <= set(
            _bodies(member, escap)
        )
    assert "Ordonnance de kiné arrêtée." not in _bodies(physio, escap)


def test_a_stolen_laptop_is_replaced_the_new_computer_joins_with_a_code_and_administers(
    sqlite_members: MemberFactory, sqlite_relay: Relay, tmp_path: Path, clock: FrozenClock
) -> None:
    relay = sqlite_relay
    nurse, gp, physio, escap = _nurse_led_team(sqlite_members)
    gp.practice.messages.post(escap.id, "Avant le vol : bilan gériatrique fait.")
    gp.cycle()
    nurse.cycle()
    # The GP's laptop is stolen; she installs ESCAP Desktop on a new computer (her RPPS, a new
    # device), which registers.
    (tmp_path / "nouveau-poste").mkdir()
    new_pc = make_member("gp", tmp_path / "nouveau-poste", relay.url, relay.transport, clock=clock)
    try:
        new_pc.cycle()
        # The nurse asks for it from the team tab and reads the code to her on the phone.
        gp_membership = next(
            m.membership
            for m in nurse.practice.escaps.overview(escap.id).members
            if m.professional.identifier == gp.me.identifier
        )
        _bring_in(new_pc, nurse, gp_membership.id)
        for member in (new_pc, new_pc, nurse, physio):
            member.cycle()
        assert "Avant le vol : bilan gériatrique fait." in _bodies(new_pc, escap)
        # It is the médecin traitant's: the nurse's device named it administrator.
        assert _device(new_pc) in _admins(relay, escap.team_id)
        new_pc.practice.messages.post(escap.id, "Depuis le nouveau poste : ordonnance renouvelée.")
        for member in (new_pc, nurse, physio):
            member.cycle()
        assert "Depuis le nouveau poste : ordonnance renouvelée." in _bodies(physio, escap)
        # The code was used once: nothing more is sent for it.
        assert nurse.cycle().invitations_sent == 0
    finally:
        new_pc.practice.close()


def test_only_an_administrators_device_may_retire_a_lost_computer(
    sqlite_members: MemberFactory,
) -> None:
    nurse, gp, physio, escap = _nurse_led_team(sqlite_members)
    gp_membership = next(
        m.membership
        for m in physio.practice.escaps.overview(escap.id).members
        if m.professional.identifier == gp.me.identifier
    )
    # The physio's device is no administrator: it may give a code, not retire a computer.
    with pytest.raises(ValidationError, match="Seuls les ordinateurs du médecin traitant"):
        physio.sync.request_new_computer(gp_membership.id, replaces_lost=True)
    assert physio.sync.request_new_computer(gp_membership.id)
    assert nurse.repo_call(lambda repo: repo.team(escap.team_id).is_admin)


def test_only_a_member_who_joined_can_get_a_new_computer(sqlite_members: MemberFactory) -> None:
    gp, _nurse, _physio, escap = active_team(sqlite_members)
    gp.practice.escaps.invite(escap.id, gp.colleague("dietitian").id, "Nutrition")
    invited = next(
        m.membership
        for m in gp.practice.escaps.overview(escap.id).members
        if m.membership.status is MembershipStatus.INVITED
    )
    with pytest.raises(ValidationError, match="tant qu'il est invité, l'invitation suffit"):
        gp.sync.request_new_computer(invited.id)


def replace_the_only_administrators_laptop(
    members: MemberFactory, relay: Relay, tmp_path: Path, clock: FrozenClock
) -> tuple[Member, Member, Member, Escap, Member]:
    """The GP opened the ESCAP and is the médecin traitant: her laptop, the team's only
    administrator, is stolen. The nurse gives her new computer a code; once it joined, the
    nurse's and the physio's devices ask the relay to name it administrator (two requests name
    a device). Returns the team, its ESCAP and the new computer (closed by the caller)."""
    gp, nurse, physio, escap = active_team(members)
    assert _admins(relay, escap.team_id) == {_device(gp)}
    gp.practice.messages.post(escap.id, "Avant le vol : bilan gériatrique fait.")
    for member in (gp, nurse, physio):
        member.cycle()
    (tmp_path / "nouveau-poste").mkdir()
    new_pc = make_member("gp", tmp_path / "nouveau-poste", relay.url, relay.transport, clock=clock)
    new_pc.cycle()
    gp_membership = next(
        m.membership
        for m in nurse.practice.escaps.overview(escap.id).members
        if m.professional.identifier == gp.me.identifier
    )
    _bring_in(new_pc, nurse, gp_membership.id)  # no administrator needed to give the code
    for member in (new_pc, physio, nurse, new_pc):
        member.cycle()
    assert "Avant le vol : bilan gériatrique fait." in _bodies(new_pc, escap)
    return gp, nurse, physio, escap, new_pc


def test_the_only_administrators_lost_laptop_is_replaced_and_cut_off_by_her_new_computer(
    sqlite_members: MemberFactory,
    sqlite_relay: Relay,
    tmp_path: Path,
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    relay = sqlite_relay
    with caplog.at_level(logging.INFO, logger="escap_desktop.sync.teams"):
        gp, nurse, physio, escap, new_pc = replace_the_only_administrators_laptop(
            sqlite_members, relay, tmp_path, clock
        )
    try:
        assert "administrateur envoyée" in caplog.text  # the first request names nobody
        stolen = _device(gp)
        assert _admins(relay, escap.team_id) == {stolen, _device(new_pc)}
        # The new computer cuts the stolen laptop off: removed, keys renewed without it.
        mine = next(
            m.membership
            for m in new_pc.practice.escaps.overview(escap.id).members
            if m.professional.id == new_pc.me.id
        )
        assert new_pc.sync.retire_other_computers(mine.id) == 1
        assert new_pc.cycle().key_rotations == 1
        assert _admins(relay, escap.team_id) == {_device(new_pc)}
        new_pc.practice.messages.post(escap.id, "Après le vol : ordonnance renouvelée.")
        for member in (new_pc, nurse, physio):
            member.cycle()
        for member in (nurse, physio):
            assert "Après le vol : ordonnance renouvelée." in _bodies(member, escap)
        gp.cycle()  # the stolen laptop, if it syncs again: out of the team, reads nothing new
        assert gp.repo_call(lambda repo: repo.team(escap.team_id).state) == "removed"
        assert "Après le vol : ordonnance renouvelée." not in _bodies(gp, escap)
    finally:
        new_pc.practice.close()


def test_only_an_administrators_device_retires_its_professionals_other_computers(
    sqlite_members: MemberFactory,
) -> None:
    gp, nurse, _physio, escap = active_team(sqlite_members)
    members = {
        m.professional.id: m.membership for m in nurse.practice.escaps.overview(escap.id).members
    }
    with pytest.raises(ValidationError, match="Seuls les ordinateurs du médecin traitant"):
        nurse.sync.retire_other_computers(members[nurse.me.id].id)
    with pytest.raises(ValidationError, match="Seuls vos propres ordinateurs"):
        nurse.sync.retire_other_computers(members[nurse.colleague("gp").id].id)
    gp_members = {
        m.professional.id: m.membership for m in gp.practice.escaps.overview(escap.id).members
    }
    with pytest.raises(ValidationError, match="Aucun autre de vos ordinateurs"):
        gp.sync.retire_other_computers(gp_members[gp.me.id].id)
