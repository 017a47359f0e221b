"""A device that claims a colleague's (public) RPPS number first gets nothing; the colleague joins.

Through a real relay process on 127.0.0.1: the impostor registers the nurse's number before
she does, receives the invitation like her, answers it without the letter's code — and is
neither added to the team nor sealed a key. The nurse, who has the letter, joins and reads.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import Escap
from escap_desktop.sync.relay_client import RelayRefusedError
from tests.sync.faults import RelayProcess
from tests.sync.team import PEOPLE, code_on_letter, escap_of, make_member, start_escap


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
