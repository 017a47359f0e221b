"""Retention on the relay: what is purged, when, and what a device that lags behind is told.

Envelopes go once every member device pulled past them (when the operator turns that on) and in
any case after the maximum age; a device whose cursor falls in the purged part gets a French
problem (410) instead of silently skipping records.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from escap_desktop.core.clock import SYSTEM_CLOCK, FrozenClock
from escap_desktop.sync.crypto import TeamKey
from escap_desktop.sync.wire import PullPage
from escap_relay import cli as relay_cli
from escap_relay import retention
from escap_relay.app import create_app
from escap_relay.schema import envelopes, request_nonces, team_members, teams
from escap_relay.settings import RelaySettings
from tests.relay.client import InProcessTransport, RelayClient
from tests.relay.conftest import AppFactory
from tests.relay.helpers import assert_problem, new_id, sealed

ACKED_PURGE = RelaySettings(acked_retention_days=0)


def _team_of_three(
    new_client: Callable[[], RelayClient],
) -> tuple[RelayClient, RelayClient, RelayClient, str]:
    alice, bob, carol = new_client(), new_client(), new_client()
    for client, rpps in ((alice, "10101010101"), (bob, "20202020202"), (carol, "30303030303")):
        assert client.register(rpps).status_code == 201
    team_id = new_id()
    alice.create_team(team_id)
    alice.add_member(team_id, bob.device_id)
    alice.add_member(team_id, carol.device_id)
    return alice, bob, carol, team_id


def _seqs(response_content: bytes) -> list[int]:
    return [item.seq for item in PullPage.model_validate_json(response_content).envelopes]


def _purged_seq(app: FastAPI, team_id: str) -> int:
    with app.state.relay.engine.connect() as connection:
        value: int = connection.scalar(select(teams.c.purged_seq).where(teams.c.team_id == team_id))
    return value


def _stored_seqs(app: FastAPI, team_id: str) -> list[int]:
    with app.state.relay.engine.connect() as connection:
        return list(
            connection.scalars(
                select(envelopes.c.seq)
                .where(envelopes.c.team_id == team_id)
                .order_by(envelopes.c.seq)
            )
        )


Relay = tuple[FastAPI, Callable[[], RelayClient]]


def _relay_with(make_app: AppFactory, settings: RelaySettings) -> Iterator[Relay]:
    """An in-process relay with these settings, and a factory of device clients on it."""
    app = make_app(settings)
    clients: list[httpx.Client] = []

    def new_client() -> RelayClient:
        http = httpx.Client(transport=InProcessTransport(app), base_url="http://relais.test")
        clients.append(http)
        return RelayClient(http)

    yield app, new_client
    for http in clients:
        http.close()


@pytest.fixture
def acked_relay(make_app: AppFactory) -> Iterator[Relay]:
    yield from _relay_with(make_app, ACKED_PURGE)


@pytest.fixture
def default_relay(make_app: AppFactory) -> Iterator[Relay]:
    yield from _relay_with(make_app, RelaySettings())


def test_envelopes_go_once_every_member_pulled_past_them(
    acked_relay: Relay,
) -> None:
    app, new_client = acked_relay
    alice, bob, carol, team_id = _team_of_three(new_client)
    key = TeamKey.generate()
    alice.push([sealed(alice.keys, key, team_id, f"n{i}".encode()) for i in range(5)])
    for member in (alice, bob):
        assert _seqs(member.pull(team_id).content) == [1, 2, 3, 4, 5]
        member.pull(team_id, after=5)  # the next cycle's pull: it stored all five
    carol.pull(team_id, after=0, limit=3)  # carol is offline after her first page

    # Carol has not said she stored anything: nothing goes.
    assert (
        retention.purge(app.state.relay.engine, ACKED_PURGE, app.state.relay.clock).envelopes == 0
    )
    assert _stored_seqs(app, team_id) == [1, 2, 3, 4, 5]

    # Back online, carol pulls from her cursor: what she stored is acknowledged and purged.
    assert _seqs(carol.pull(team_id, after=3).content) == [4, 5]
    report = retention.purge(app.state.relay.engine, ACKED_PURGE, app.state.relay.clock)
    assert (report.envelopes, report.teams) == (3, 1)
    assert _stored_seqs(app, team_id) == [4, 5]
    assert _purged_seq(app, team_id) == 3
    # Every member goes on from its cursor; nothing is lost to anyone.
    assert _seqs(bob.pull(team_id, after=5).content) == []
    assert _seqs(carol.pull(team_id, after=3).content) == [4, 5]


def test_a_device_cannot_acknowledge_records_that_do_not_exist(
    acked_relay: Relay,
) -> None:
    app, new_client = acked_relay
    alice, bob, carol, team_id = _team_of_three(new_client)
    key = TeamKey.generate()
    alice.push([sealed(alice.keys, key, team_id) for _ in range(2)])
    for member in (alice, bob, carol):
        member.pull(team_id, after=10**9)  # a cursor far ahead acknowledges the head only
    with app.state.relay.engine.connect() as connection:
        acked = set(
            connection.scalars(
                select(team_members.c.acked_seq).where(team_members.c.team_id == team_id)
            )
        )
    assert acked == {2}
    alice.push([sealed(alice.keys, key, team_id)])
    retention.purge(app.state.relay.engine, ACKED_PURGE, app.state.relay.clock)
    assert _stored_seqs(app, team_id) == [3]  # the newer record waits for everyone


def test_old_envelopes_are_purged_and_a_late_device_is_told_in_french(
    default_relay: Relay,
) -> None:
    app, new_client = default_relay
    alice, bob, _carol, team_id = _team_of_three(new_client)
    key = TeamKey.generate()
    alice.push([sealed(alice.keys, key, team_id) for _ in range(3)])
    assert _seqs(bob.pull(team_id).content) == [1, 2, 3]
    bob.pull(team_id, after=3)
    # Everyone but Carol pulled them: nothing is acknowledged by every member, and all are
    # recent — the defaults (a year; a month after all members stored them) purge nothing.
    assert (
        retention.purge(app.state.relay.engine, RelaySettings(), app.state.relay.clock).envelopes
        == 0
    )
    # An operator who chose a maximum age of 180 days, and keeps acknowledged envelopes.
    settings = RelaySettings(max_age_days=180, acked_retention_days=None)
    assert (
        retention.purge(app.state.relay.engine, settings, app.state.relay.clock).envelopes == 0
    )  # all recent
    # Two of them are older than the maximum age.
    with app.state.relay.engine.begin() as connection:
        connection.execute(
            update(envelopes)
            .where(envelopes.c.team_id == team_id, envelopes.c.seq <= 2)
            .values(received_at=app.state.relay.clock.now() - timedelta(days=181))
        )
    assert (
        retention.purge(app.state.relay.engine, RelaySettings(), app.state.relay.clock).envelopes
        == 0
    )  # 181 days: within the default year
    assert retention.purge(app.state.relay.engine, settings, app.state.relay.clock).envelopes == 2
    assert _stored_seqs(app, team_id) == [3]

    problem = assert_problem(alice.pull(team_id, after=0), 410)
    assert problem["type"] == "urn:escap:probleme:historique-efface"
    assert problem["purged_seq"] == 2
    assert "effacés du relais" in str(problem["detail"])
    assert _seqs(alice.pull(team_id, after=2).content) == [3]
    assert _seqs(bob.pull(team_id, after=3).content) == []
    # A later purge keeps the floor where it is.
    assert retention.purge(app.state.relay.engine, settings, app.state.relay.clock).envelopes == 0
    assert _purged_seq(app, team_id) == 2


def test_expired_nonces_are_purged_with_the_envelopes(default_relay: Relay) -> None:
    app, new_client = default_relay
    alice, _bob, _carol, team_id = _team_of_three(new_client)
    alice.pull(team_id)
    engine = app.state.relay.engine
    with engine.connect() as connection:
        stored = connection.scalar(select(func.count()).select_from(request_nonces))
    assert stored is not None
    assert stored >= 6
    assert retention.purge(engine, RelaySettings(), SYSTEM_CLOCK).nonces == 0  # still valid
    # A nonce lives in machine time, like the request timestamp it guards.
    later = FrozenClock(SYSTEM_CLOCK.now() + timedelta(minutes=11))
    assert retention.purge(engine, RelaySettings(), later).nonces == stored


def test_a_replay_is_refused_by_another_relay_process_on_the_same_database(
    database_url: str,
) -> None:
    first, second = create_app(database_url), create_app(database_url)
    try:
        with (
            httpx.Client(transport=InProcessTransport(first), base_url="http://a.test") as one,
            httpx.Client(transport=InProcessTransport(second), base_url="http://b.test") as two,
        ):
            alice = RelayClient(one)
            alice.register("10101010101")
            request = one.build_request("GET", "/v1/teams")
            request.headers.update(alice.request_headers("GET", "/v1/teams"))
            assert one.send(request).status_code == 200
            replay = two.build_request("GET", "/v1/teams", headers=request.headers)
            problem = assert_problem(two.send(replay), 401)
            assert "rejouée" in str(problem["detail"])
    finally:
        first.state.relay.engine.dispose()
        second.state.relay.engine.dispose()


def test_settings_refuse_a_retention_that_would_purge_everything_at_once() -> None:
    with pytest.raises(ValueError, match="au moins un jour"):
        RelaySettings(max_age_days=0)


def test_the_purge_command_reports_in_french(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database_url = f"sqlite:///{tmp_path / 'relay.db'}"
    assert relay_cli.main(["purge", "--database-url", database_url]) == 0
    assert capsys.readouterr().out.startswith("Purge terminée : 0 enveloppe(s) supprimée(s)")

    assert relay_cli.main(["purge", "--database-url", "mysql://nulle-part/x"]) == 1
    assert "base de données inutilisable" in capsys.readouterr().err

    with pytest.raises(SystemExit) as exited:
        relay_cli.main(["purge", "--max-age-days", "0"])
    assert exited.value.code == 2
    assert "nombre entier d'au moins 1 attendu" in capsys.readouterr().err


def test_retention_is_on_by_default_and_an_operator_may_turn_each_rule_off() -> None:
    parser = argparse.ArgumentParser()
    relay_cli.add_arguments(parser)
    defaults = relay_cli.settings_from(parser.parse_args([]))
    assert (defaults.max_age_days, defaults.acked_retention_days) == (365, 30)
    kept = relay_cli.settings_from(
        parser.parse_args(["purge", "--max-age-days", "jamais", "--acked-retention-days", "0"])
    )
    assert (kept.max_age_days, kept.acked_retention_days) == (None, 0)
    off = relay_cli.settings_from(parser.parse_args(["--acked-retention-days", "Jamais"]))
    assert (off.max_age_days, off.acked_retention_days) == (365, None)
