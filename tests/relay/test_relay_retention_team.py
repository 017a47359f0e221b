"""Retention with real members: three professionals' stores, a relay that purges, and restarts.

The members must still converge when acknowledged envelopes are purged while one of them is
offline; a member whose cursor falls in a part purged for age is told so in French (by the
cycle, ``escap sync`` and the status), while the rest of its sync goes on; and a captured request
is still refused by a relay process restarted on the same database.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import create_engine, select, update

from escap_desktop.cli.main import main
from escap_desktop.core.clock import SYSTEM_CLOCK, FrozenClock
from escap_desktop.core.errors import SyncError
from escap_desktop.sync.crypto import TeamKey
from escap_desktop.sync.relay_client import HISTORY_PURGED_MESSAGE, HistoryPurgedError
from escap_desktop.sync.wire import PushRequest
from escap_relay import retention
from escap_relay.app import create_app
from escap_relay.schema import envelopes, team_members, teams
from escap_relay.settings import RelaySettings
from tests.relay.client import InProcessTransport, RelayClient
from tests.relay.helpers import assert_problem, new_id, sealed
from tests.relay.server import free_port, relay_process
from tests.sync.faults import RelayProcess
from tests.sync.team import (
    Member,
    accept_all,
    active_team,
    canonical_dump,
    make_member,
    reopen_member,
    start_escap,
)

RELAY_URL = "http://127.0.0.1:8765"
ACKED_PURGE = RelaySettings(rate_per_second=1e6, rate_burst=1_000_000, acked_retention_days=0)


@pytest.fixture
def acked_app(database_url: str) -> Iterator[FastAPI]:
    app = create_app(database_url, settings=ACKED_PURGE)
    yield app
    app.state.relay.engine.dispose()


@pytest.fixture
def acked_sqlite_app(tmp_path: Path) -> Iterator[FastAPI]:
    """For the clients' side of retention: the resend's relay paths have their PostgreSQL
    tests (test_relay_history_resend.py)."""
    app = create_app(f"sqlite:///{tmp_path / 'relay.db'}", settings=ACKED_PURGE)
    yield app
    app.state.relay.engine.dispose()


def _purge(app: FastAPI) -> int:
    return retention.purge(app.state.relay.engine, ACKED_PURGE, app.state.relay.clock).envelopes


def _floor_and_head(app: FastAPI, team_id: str) -> tuple[int, int]:
    with app.state.relay.engine.connect() as connection:
        row = connection.execute(
            select(teams.c.purged_seq, teams.c.head_seq).where(teams.c.team_id == team_id)
        ).one()
    return row.purged_seq, row.head_seq


def _acked(app: FastAPI, team_id: str) -> list[int]:
    with app.state.relay.engine.connect() as connection:
        return sorted(
            connection.scalars(
                select(team_members.c.acked_seq).where(team_members.c.team_id == team_id)
            )
        )


def test_acknowledged_envelopes_are_purged_and_three_members_still_converge(
    acked_app: FastAPI, tmp_path: Path, clock: FrozenClock
) -> None:
    transport = InProcessTransport(acked_app)
    gp, nurse, physio = (
        make_member(name, tmp_path, RELAY_URL, transport, clock=clock)
        for name in ("gp", "nurse", "physio")
    )
    try:
        nurse.cycle()
        physio.cycle()
        _patient, escap = start_escap(gp, ["nurse", "physio"])
        gp.cycle()
        nurse.cycle()
        accept_all(nurse)
        nurse.cycle()
        for member in (gp, nurse, gp, nurse):
            member.cycle()
        # GP and nurse stored the whole history, but the physio's invitation is still pending:
        # he will need all of it, so nothing goes.
        assert _purge(acked_app) == 0
        physio.cycle()
        accept_all(physio)
        physio.cycle()
        gp.cycle()  # checks the physio's proof of the letter's code, seals him the keys
        physio.cycle()
        gp.cycle()
        gp.practice.escaps.activate(escap.id)
        for member in (gp, nurse, physio):
            member.cycle()

        # The physio goes offline; the GP and the nurse keep working and syncing.
        for round_ in range(3):
            gp.practice.messages.post(escap.id, f"Bilan n° {round_} : tension 13/8.")
            nurse.practice.messages.post(escap.id, f"Passage n° {round_} : pansement refait.")
            gp.cycle()
            nurse.cycle()
        gp.cycle()
        floor_before = _floor_and_head(acked_app, escap.team_id)[0]
        assert _purge(acked_app) > 0
        floor, head = _floor_and_head(acked_app, escap.team_id)
        # Purged up to what every member stored, the offline physio included; not beyond.
        assert floor_before < floor == min(_acked(acked_app, escap.team_id)) < head

        # The physio comes back: he gets what he missed, no error, and everyone converges.
        physio.practice.messages.post(escap.id, "Séance de kiné décalée à jeudi.")
        physio.cycle()
        for member in (gp, nurse, physio, gp, nurse, physio):
            member.cycle()
        dumps = [canonical_dump(member, escap.id) for member in (gp, nurse, physio)]
        assert dumps[0] == dumps[1] == dumps[2]
        assert len(physio.practice.messages.thread(escap.id)) == 7

        # Once everyone pulled past the newest records, they go too.
        for member in (gp, nurse, physio):
            member.cycle()
        assert _purge(acked_app) > 0
        floor, head = _floor_and_head(acked_app, escap.team_id)
        assert floor > 0
        assert head - floor <= 3  # at most the last records, not yet acknowledged by a pull
    finally:
        for member in (gp, nurse, physio):
            member.practice.close()


def test_a_colleague_invited_after_a_purge_gets_the_file_from_a_member_and_converges(
    acked_sqlite_app: FastAPI, tmp_path: Path, clock: FrozenClock
) -> None:
    acked_app = acked_sqlite_app
    transport = InProcessTransport(acked_app)
    gp, nurse, physio = (
        make_member(name, tmp_path, RELAY_URL, transport, clock=clock)
        for name in ("gp", "nurse", "physio")
    )
    try:
        nurse.cycle()
        physio.cycle()
        _patient, escap = start_escap(gp, ["nurse"])
        gp.cycle()
        nurse.cycle()
        accept_all(nurse)
        for member in (nurse, gp, nurse, gp):
            member.cycle()
        for round_ in range(3):
            gp.practice.messages.post(escap.id, f"Bilan n° {round_} : tension 13/8.")
            nurse.practice.messages.post(escap.id, f"Passage n° {round_} : pansement refait.")
            gp.cycle()
            nurse.cycle()
        gp.cycle()
        # Both stored everything: the relay keeps none of the ESCAP's beginning.
        assert _purge(acked_app) > 0
        assert _floor_and_head(acked_app, escap.team_id)[0] > 0

        # Months later the GP invites the physio, who accepts.
        gp.practice.escaps.invite(escap.id, gp.colleague("physio").id, "Rééducation")
        gp.cycle()
        physio.cycle()
        accept_all(physio)
        physio.cycle()
        gp.cycle()  # checks his proof of the letter's code, seals him the keys
        nurse.cycle()
        with pytest.raises(HistoryPurgedError) as raised:
            physio.cycle()  # the relay no longer has the beginning: he asks for the file
        assert raised.value.resume_from is None
        assert physio.sync.status().last_error == HISTORY_PURGED_MESSAGE
        assert "va vous renvoyer le dossier" in HISTORY_PURGED_MESSAGE
        assert physio.practice.messages.thread(escap.id) == []

        # The GP's next cycle sends the whole file again; the nurse's device merges it into
        # nothing; the physio's resumes after it and has everything.
        sent = gp.cycle()
        assert sent.history_sent == 1
        assert "dossier renvoyé à un membre" in sent.summary()
        assert nurse.cycle().changed == 0
        caught_up = physio.cycle()
        assert caught_up.history_resumed == 1
        assert physio.sync.status().last_error == ""
        for member in (gp, nurse, physio, gp, nurse):
            member.cycle()
        dumps = [canonical_dump(member, escap.id) for member in (gp, nurse, physio)]
        assert dumps[0] == dumps[1] == dumps[2]
        bodies = [message.body for message in physio.practice.messages.thread(escap.id)]
        assert "Bilan n° 0 : tension 13/8." in bodies
        assert "Passage n° 2 : pansement refait." in bodies
        assert len(bodies) == 6

        # He is a member like the others: what he writes reaches them.
        physio.practice.messages.post(escap.id, "Séance de kiné décalée à jeudi.")
        for member in (physio, gp, nurse):
            member.cycle()
        assert "Séance de kiné décalée à jeudi." in [
            message.body for message in nurse.practice.messages.thread(escap.id)
        ]
        # The relay again keeps only what retention allows: the resend goes too once pulled.
        for member in (gp, nurse, physio, gp, nurse, physio):
            member.cycle()
        assert _purge(acked_app) > 0
        floor, head = _floor_and_head(acked_app, escap.team_id)
        assert head - floor <= 3
    finally:
        for member in (gp, nurse, physio):
            member.practice.close()


def _backdate_and_purge(database_url: str, team_id: str) -> str:
    """The team's envelopes are made 200 days old, then ``escap relay purge`` runs with the
    operator's maximum age of 180 days (there is none by default)."""
    engine = create_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                update(envelopes)
                .where(envelopes.c.team_id == team_id)
                # ``escap relay purge`` runs in its own process, on the machine's clock.
                .values(received_at=SYSTEM_CLOCK.now() - timedelta(days=200))
            )
    finally:
        engine.dispose()
    result = subprocess.run(
        [
            *(sys.executable, "-m", "escap_desktop", "relay", "purge"),
            *("--database-url", database_url, "--max-age-days", "180"),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return result.stdout.decode()


def test_a_member_back_after_the_maximum_age_is_told_in_french_and_the_rest_still_syncs(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], clock: FrozenClock
) -> None:
    process = RelayProcess(free_port(), database_url)
    process.start()
    members: list[Member] = []

    def make(name: str) -> Member:
        member = make_member(name, tmp_path, process.url, None, clock=clock)
        members.append(member)
        return member

    try:
        gp, nurse, physio, escap = active_team(make)
        # The nurse goes offline for more than the relay keeps envelopes; she writes meanwhile.
        nurse.practice.messages.post(escap.id, "Note écrite hors ligne : pas de fièvre.")
        gp.practice.messages.post(escap.id, "Ordonnance renouvelée.")
        for member in (gp, physio, gp, physio):
            member.cycle()
        summary = _backdate_and_purge(database_url, escap.team_id)
        assert "Purge terminée :" in summary
        assert "0 enveloppe(s)" not in summary

        with pytest.raises(HistoryPurgedError) as raised:
            nurse.cycle()
        assert isinstance(raised.value, SyncError)
        assert str(raised.value) == HISTORY_PURGED_MESSAGE
        assert "effacés du relais" in str(raised.value)
        assert nurse.sync.status().last_error == HISTORY_PURGED_MESSAGE

        # ``escap sync`` says it in one French line and fails, until a member resends her file.
        nurse.practice.close()
        members.remove(nurse)
        capsys.readouterr()
        assert main(["--data-dir", str(nurse.folder), "sync"]) == 1
        err = capsys.readouterr().err
        assert f"escap : {HISTORY_PURGED_MESSAGE}" in err
        assert "Traceback" not in err

        # Her offline note went out all the same, and the others are not affected. The GP's
        # cycle also sends her the file again (the physio's device does not: one sender).
        resent = gp.cycle()
        assert "Note écrite hors ligne : pas de fièvre." in [
            message.body for message in gp.practice.messages.thread(escap.id)
        ]
        assert resent.history_sent == 1
        assert physio.cycle().history_sent == 0
        # Then her ``escap sync`` goes through, and she has what was purged before she got it.
        assert main(["--data-dir", str(nurse.folder), "sync"]) == 0
        out = capsys.readouterr().out
        assert "dossier reçu à nouveau pour 1 ESCAP" in out
        back = reopen_member(nurse, None, clock=clock)
        members.append(back)
        assert "Ordonnance renouvelée." in [
            message.body for message in back.practice.messages.thread(escap.id)
        ]
        for member in (gp, physio, back, gp, physio, back):
            member.cycle()
        dumps = [canonical_dump(member, escap.id) for member in (gp, physio, back)]
        assert dumps[0] == dumps[1] == dumps[2]
    finally:
        for member in members:
            member.practice.close()
        process.stop()


def test_a_replayed_push_is_still_refused_after_a_relay_restart(database_url: str) -> None:
    command = ["-m", "escap_relay.cli"]
    with (
        relay_process(command, database_url) as (base_url, _process),
        httpx.Client(base_url=base_url, timeout=30) as http,
    ):
        alice = RelayClient(http)
        assert alice.register("10101010101").status_code == 201
        team_id = new_id()
        alice.create_team(team_id)
        envelope = sealed(alice.keys, TeamKey.generate(), team_id)
        # The exact bytes and headers someone capturing the push would hold.
        body = PushRequest(envelopes=[envelope]).model_dump_json().encode()
        captured = http.build_request(
            "POST", "/v1/envelopes", content=body, headers={"Content-Type": "application/json"}
        )
        captured.headers.update(alice.request_headers("POST", "/v1/envelopes", body))
        assert http.send(captured).status_code == 200

    # A new process on the same database: the captured request is still refused.
    with (
        relay_process(command, database_url) as (base_url, _process),
        httpx.Client(base_url=base_url, timeout=30) as http,
    ):
        replay = http.build_request(
            "POST", "/v1/envelopes", content=body, headers=dict(captured.headers)
        )
        problem = assert_problem(http.send(replay), 401)
        assert "rejouée" in str(problem["detail"])


def test_a_relay_process_purges_old_envelopes_before_it_serves(database_url: str) -> None:
    app = create_app(database_url)
    try:
        with httpx.Client(transport=InProcessTransport(app), base_url="http://relais.test") as http:
            alice = RelayClient(http)
            alice.register("10101010101")
            team_id = new_id()
            alice.create_team(team_id)
            key = TeamKey.generate()
            alice.push([sealed(alice.keys, key, team_id) for _ in range(3)])
        with app.state.relay.engine.begin() as connection:
            connection.execute(
                update(envelopes)
                .where(envelopes.c.team_id == team_id, envelopes.c.seq <= 2)
                .values(received_at=app.state.relay.clock.now() - timedelta(days=40))
            )
    finally:
        app.state.relay.engine.dispose()

    command = ["-m", "escap_relay.cli", "--max-age-days", "30", "--purge-interval-minutes", "5"]
    with relay_process(command, database_url) as (base_url, _process):
        engine = create_engine(database_url)
        try:
            with engine.connect() as connection:
                seqs = list(
                    connection.scalars(
                        select(envelopes.c.seq).where(envelopes.c.team_id == team_id)
                    )
                )
                floor = connection.scalar(
                    select(teams.c.purged_seq).where(teams.c.team_id == team_id)
                )
        finally:
            engine.dispose()
        assert httpx.get(f"{base_url}/v1/health", timeout=30).json()["status"] == "ok"
    assert seqs == [3]
    assert floor == 2
