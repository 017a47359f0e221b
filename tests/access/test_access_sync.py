"""Through the relay: a social worker's device never receives the medical key of the team.

GP, nurse and social worker each have their own store; the GP writes a medical and a social
message. After sync the nurse reads both, the social worker only the social one, and her
device could not open the medical envelope even holding a copy: the medical key version was
never delivered to it, and none of the keys it holds decrypts it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import DataCategory, Escap, Message, Profession
from escap_desktop.sync.category_keys import category_of_version
from escap_desktop.sync.crypto import DecryptionError, UnknownKeyVersionError, open_record
from escap_relay.schema import key_deliveries
from tests.sync.conftest import MemberFactory, Relay, member_factory
from tests.sync.team import PEOPLE, Member, accept_all, relay_envelopes, start_escap

SOCIAL_RPPS = "10000000005"  # social workers have no RPPS; the relay finds devices by RPPS


@pytest.fixture
def members(
    tmp_path: Path, sqlite_relay: Relay, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
) -> Iterator[MemberFactory]:
    monkeypatch.setitem(
        PEOPLE, "social", ("Roussel", "Inès", Profession.ASSISTANT_SERVICE_SOCIAL, SOCIAL_RPPS)
    )
    yield from member_factory(tmp_path, sqlite_relay, clock)


def _team(members: MemberFactory) -> tuple[Member, Member, Member, Escap]:
    """GP, nurse and social worker in a forming ESCAP, every store up to date."""
    gp, nurse, social = members("gp"), members("nurse"), members("social")
    nurse.cycle()
    social.cycle()
    _patient, escap = start_escap(gp, ["nurse"])
    gp.practice.escaps.invite(escap.id, gp.colleague("social").id, "Accompagnement social")
    gp.cycle()
    for member in (nurse, social):
        member.cycle()
        assert accept_all(member) == 1
        member.cycle()
    gp.cycle()  # the team is forming: its members already write to each other
    return gp, nurse, social, escap


def test_a_social_worker_gets_social_records_and_cannot_open_medical_ones(
    members: MemberFactory, sqlite_relay: Relay
) -> None:
    gp, nurse, social, escap = _team(members)
    gp.practice.messages.post(escap.id, "HbA1c à 9 %, insuline à adapter", DataCategory.MEDICAL)
    gp.practice.messages.post(escap.id, "Dossier APA à monter", DataCategory.SOCIAL)
    gp.cycle()
    nurse.cycle()
    social.cycle()

    assert [m.body for m in nurse.practice.messages.thread(escap.id)] == [
        "HbA1c à 9 %, insuline à adapter",
        "Dossier APA à monter",
    ]
    assert [m.body for m in social.practice.messages.thread(escap.id)] == ["Dossier APA à monter"]
    # Not hidden by a screen filter: the medical message is not in her store at all.
    with social.practice.store.unit_of_work(social.me.id) as uow:
        assert [m.body for m in uow.find(Message, escap_id=escap.id)] == ["Dossier APA à monter"]

    # Her device did not even keep the medical envelopes (the grid and the message).
    assert sum(report.withheld for report in social.reports) == 2
    assert social.repo_call(lambda repo: repo.parked(escap.team_id)) == []
    assert sum(report.withheld for report in nurse.reports) == 0

    # Keys: the nurse holds the three categories, the social worker never the medical one.
    team_id = escap.team_id
    nurse_keys = nurse.repo_call(lambda repo: sorted(repo.team_keys(team_id)))
    social_keys = social.repo_call(lambda repo: dict(repo.team_keys(team_id)))
    assert nurse_keys == [1, 2, 3]
    assert sorted(social_keys) == [1, 2]
    assert {category_of_version(v) for v in social_keys} == {
        DataCategory.ADMINISTRATIVE,
        DataCategory.SOCIAL,
    }
    with social.sync.session() as engine:
        social_device = engine.ctx.device_id
    with sqlite_relay.app.state.relay.engine.connect() as connection:
        delivered = connection.execute(
            select(key_deliveries.c.key_version).where(
                key_deliveries.c.team_id == team_id,
                key_deliveries.c.recipient_id == social_device,
            )
        ).all()
    assert delivered
    assert all(
        category_of_version(row.key_version) is not DataCategory.MEDICAL for row in delivered
    )

    # A copy of the medical envelope: unknown key version, and no key she holds opens it.
    medical = [
        e
        for e in relay_envelopes(sqlite_relay.app, team_id)
        if category_of_version(e.key_version) is DataCategory.MEDICAL
    ]
    assert medical  # the message (and the grid assessment, an event would be too)
    with gp.sync.session() as engine:
        gp_device, gp_verify = engine.ctx.device_id, engine.ctx.keys.public.signing_key
    assert all(envelope.author_key_id == gp_device for envelope in medical)
    for envelope in medical:
        with pytest.raises(UnknownKeyVersionError):
            open_record(envelope, social_keys, gp_verify)
        for key in social_keys.values():
            with pytest.raises(DecryptionError):
                open_record(envelope, {envelope.key_version: key}, gp_verify)

    # She still writes in the social category, and the team reads it.
    social.practice.messages.post(escap.id, "Visite à domicile faite", DataCategory.SOCIAL)
    social.cycle()
    gp.cycle()
    assert "Visite à domicile faite" in [m.body for m in gp.practice.messages.thread(escap.id)]


def test_after_a_removal_the_new_keys_follow_the_same_rule(
    members: MemberFactory, sqlite_relay: Relay
) -> None:
    gp, nurse, social, escap = _team(members)
    nurse_membership = next(
        m.membership
        for m in gp.practice.escaps.overview(escap.id).members
        if m.professional.identifier == nurse.me.identifier
    )
    gp.practice.escaps.remove_member(nurse_membership.id)
    assert gp.cycle().key_rotations == 1
    gp.practice.messages.post(escap.id, "Nouveau traitement", DataCategory.MEDICAL)
    gp.practice.messages.post(escap.id, "Aide au ménage accordée", DataCategory.SOCIAL)
    gp.cycle()
    social.cycle()

    assert gp.repo_call(lambda repo: sorted(repo.team_keys(escap.team_id))) == [1, 2, 3, 4, 5, 6]
    assert social.repo_call(lambda repo: sorted(repo.team_keys(escap.team_id))) == [1, 2, 4, 5]
    assert [m.body for m in social.practice.messages.thread(escap.id)] == [
        "Aide au ménage accordée"
    ]
    sealed = {
        e.key_version
        for e in relay_envelopes(sqlite_relay.app, escap.team_id)
        if e.record_type == "Message"
    }
    assert sealed == {5, 6}  # the new generation's social and medical keys
