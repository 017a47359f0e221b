"""A device that claims a colleague's (public) RPPS number first gets nothing; the colleague joins.

Through a real relay process on 127.0.0.1: the impostor registers the nurse's number before
she does, receives the invitation like her, answers it without the letter's code — and is
neither added to the team nor sealed a key. The nurse, who has the letter, joins and reads.
"""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, insert, select

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import Escap
from escap_desktop.store.sync_repository import SyncRepository
from escap_desktop.sync.crypto import PublicIdentity, TeamKey, seal_team_key
from escap_desktop.sync.relay_client import RelayRefusedError
from escap_desktop.sync.wire import KeyDeliveryBatch
from escap_relay.schema import key_deliveries, team_members
from tests.relay.client import RelayClient as SignedClient
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.faults import RelayProcess
from tests.sync.team import (
    PEOPLE,
    active_team,
    code_on_letter,
    escap_of,
    make_member,
    start_escap,
)


def test_the_first_to_claim_an_rpps_gets_no_key_and_the_real_professional_joins(
    sqlite_relay_process: RelayProcess, tmp_path: Path, clock: FrozenClock
) -> None:
    url = sqlite_relay_process.url
    for folder in ("pirate", "cabinet-infirmier", "cabinet-medical"):
        (tmp_path / folder).mkdir()
    impostor = make_member("nurse", tmp_path / "pirate", url, None, clock=clock)
    nurse = make_member("nurse", tmp_path / "cabinet-infirmier", url, None, clock=clock)
    gp = make_member("gp", tmp_path / "cabinet-medical", url, None, clock=clock)
    for member in (impostor, nurse, gp):
        member.peers = [gp]  # the letter's code is in the GP's record
    try:
        impostor.cycle()  # the number is public: the impostor registers it first
        nurse.cycle()  # and the real nurse is not locked out
        _patient, escap = start_escap(gp, ["nurse"])
        assert gp.cycle().invitations_sent == 2  # both devices giving the number are invited

        # The impostor answers without the code (it only has the relay's invitation).
        impostor.cycle()
        [offer] = impostor.sync.pending_invitations()
        impostor.sync.accept_invitation(offer.invitation_id, "AAAA-BBBB-CCCC")
        impostor.cycle()
        # The nurse answers with the code printed on the letter the GP gave her.
        nurse.cycle()
        [invitation] = nurse.sync.pending_invitations()
        nurse.sync.accept_invitation(
            invitation.invitation_id, code_on_letter(nurse, invitation.invitation_id)
        )
        nurse.cycle()

        report = gp.cycle()
        assert report.invitations_confirmed == 1
        # The team pinned the nurse's own keys, not the impostor's.
        nurse_on_gp = gp.colleague("nurse")
        assert gp.sync.colleague_fingerprint(nurse_on_gp.id) == nurse.sync.fingerprint()
        assert nurse.sync.fingerprint() != impostor.sync.fingerprint()

        gp.practice.messages.post(escap.id, "Pansement à refaire jeudi.")
        gp.cycle()
        nurse.cycle()
        nurse.cycle()
        assert escap_of(nurse, escap.team_id).id == escap.id
        bodies = [m.body for m in nurse.practice.messages.thread(escap.id)]
        assert "Pansement à refaire jeudi." in bodies

        # The impostor: no key, no team, no record, and the relay refuses it the envelopes.
        for _ in range(2):
            impostor.cycle()
        assert impostor.repo_call(lambda repo: repo.team_keys(escap.team_id)) == {}
        with impostor.practice.store.unit_of_work(impostor.me.id) as uow:
            assert uow.find(Escap) == []
        with impostor.sync.session() as engine:
            assert engine.ctx.client.members(escap.team_id) is None
            with pytest.raises(RelayRefusedError):
                engine.ctx.client.pull(escap.team_id, 0, 100)
        assert PEOPLE["nurse"][3] == impostor.me.identifier  # it did give the nurse's number
    finally:
        for member in (impostor, nurse, gp):
            member.practice.close()


def test_a_device_only_the_relay_puts_in_a_team_gets_no_key_and_sends_none(
    sqlite_members: MemberFactory, sqlite_relay: Relay
) -> None:
    gp, nurse, _physio, escap = active_team(sqlite_members)
    # A compromised relay registers a device of its own under the GP's public RPPS number and
    # writes it into the team's member list, as if an administrator had added it.
    http = httpx.Client(transport=sqlite_relay.transport, base_url=sqlite_relay.url)
    relay_own = SignedClient(http)
    try:
        assert relay_own.register(PEOPLE["gp"][3]).status_code == 201
        state = sqlite_relay.app.state.relay
        with state.engine.begin() as connection:
            connection.execute(
                insert(team_members).values(
                    team_id=escap.team_id,
                    device_id=relay_own.device_id,
                    added_by=relay_own.device_id,
                    added_at=state.clock.now(),
                )
            )
        # The GP's device reviews the team (e.g. after a membership change): the relay's
        # list names the device with the GP's number, yet no member vouched for its keys.
        gp.repo_call(lambda repo: repo.flag_review(escap.team_id))
        gp.cycle()
        nurse.cycle()
        with state.engine.connect() as connection:
            sealed_to_it = connection.scalar(
                select(func.count())
                .select_from(key_deliveries)
                .where(key_deliveries.c.recipient_id == relay_own.device_id)
            )
        assert sealed_to_it == 0
        # A key it sends in turn is not taken: a member's next records would be readable by
        # whoever made it.
        forged = seal_team_key(
            TeamKey.generate(99),
            team_id=escap.team_id,
            recipient=PublicIdentity(*nurse.repo_call(_own_public_keys)),
            sender=relay_own.keys,
        )
        body = KeyDeliveryBatch(deliveries=[forged]).model_dump_json().encode()
        delivered = relay_own.request("POST", f"/v1/teams/{escap.team_id}/keys", json_body=body)
        assert delivered.status_code == 200
        nurse.cycle()
        assert 99 not in nurse.repo_call(lambda repo: repo.team_keys(escap.team_id))
    finally:
        http.close()


def _own_public_keys(repo: SyncRepository) -> tuple[bytes, bytes]:
    state = repo.peek_state()
    assert state is not None
    assert state.signing_key is not None
    assert state.encryption_key is not None
    return state.signing_key, state.encryption_key
