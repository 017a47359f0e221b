"""``escap sync`` headless, against a relay process on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from escap_desktop.cli.main import main
from escap_desktop.core.clock import FrozenClock
from escap_desktop.services.practice import build_practice
from escap_desktop.store import open_store
from tests.relay.server import free_port
from tests.sync.faults import RelayProcess
from tests.sync.team import PEOPLE, make_member, professional, start_escap


def _profile_folder(root: Path, key: str, clock: FrozenClock) -> Path:
    folder = root / f"cli-{key}"
    folder.mkdir()
    practice = build_practice(open_store(folder, clock=clock), folder)
    practice.profile.save(professional(*PEOPLE[key]))
    practice.close()
    return folder


def _escap(folder: Path, *args: str) -> int:
    return main(["--data-dir", str(folder), "sync", *args])


def test_a_nurse_joins_an_escap_from_the_command_line(
    sqlite_relay_process: RelayProcess,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    clock: FrozenClock,
) -> None:
    nurse = _profile_folder(tmp_path, "nurse", clock)
    assert _escap(nurse, "status") == 0
    assert "non configurée" in capsys.readouterr().out

    assert _escap(nurse, "setup", "--relay", sqlite_relay_process.url) == 0
    out = capsys.readouterr().out
    assert f"Relais enregistré : {sqlite_relay_process.url}" in out
    assert "Empreinte de cet appareil : " in out
    assert (
        _escap(
            nurse,
        )
        == 0
    )
    assert "Synchronisation terminée" in capsys.readouterr().out

    gp = make_member("gp", tmp_path, sqlite_relay_process.url, None, clock=clock)
    try:
        patient, escap = start_escap(gp, ["nurse"])
        gp.cycle()

        assert _escap(nurse) == 0
        assert "1 invitation(s) reçue(s)" in capsys.readouterr().out
        assert _escap(nurse, "invitations") == 0
        line = capsys.readouterr().out.strip()
        assert "Dr Claire LEFÈVRE (Médecin) vous invite comme « Soins infirmiers »" in line
        assert line.endswith(f"patient Z. D., {patient.age_on(clock.today())} ans")
        invitation_id = line.split()[0]
        # The code printed on the letter the GP handed over (here read from the GP's record).
        [invited] = [
            m.membership
            for m in gp.practice.escaps.overview(escap.id).members
            if m.professional.identifier == PEOPLE["nurse"][3]
        ]
        assert _escap(nurse, "accept", invitation_id, "pas-un-code") == 1
        assert "code d'invitation n'est pas valide" in capsys.readouterr().err
        assert _escap(nurse, "accept", invitation_id, invited.join_code.lower()) == 0
        assert "prochaine synchronisation" in capsys.readouterr().out
        assert _escap(nurse) == 0  # the answer with the proof of the code
        capsys.readouterr()
        assert gp.cycle().invitations_confirmed == 1
        assert _escap(nurse) == 0  # keys and history
        assert "reçue(s)" in capsys.readouterr().out

        gp.cycle()
        members = gp.practice.escaps.overview(escap.id).members
        assert all(m.membership.status.value == "accepte" for m in members)
    finally:
        gp.practice.close()

    assert _escap(nurse, "status") == 0
    out = capsys.readouterr().out
    assert "Modifications en attente d'envoi : 0" in out
    assert "Dernière synchronisation réussie : " in out


def test_an_unreachable_relay_is_one_french_line_and_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: FrozenClock
) -> None:
    nurse = _profile_folder(tmp_path, "nurse", clock)
    nowhere = f"http://127.0.0.1:{free_port()}"
    assert _escap(nurse, "setup", "--relay", nowhere) == 0
    capsys.readouterr()
    assert _escap(nurse) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("escap : Le relais de synchronisation est injoignable")
    assert _escap(nurse, "status") == 0
    assert "Dernière erreur : Le relais de synchronisation est injoignable" in (
        capsys.readouterr().out
    )


def test_setup_refuses_a_plain_http_relay_elsewhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: FrozenClock
) -> None:
    nurse = _profile_folder(tmp_path, "nurse", clock)
    assert _escap(nurse, "setup", "--relay", "http://relais.example.org") == 1
    assert "https://" in capsys.readouterr().err
