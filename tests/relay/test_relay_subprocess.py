"""The relay as a real process on 127.0.0.1: started by `escap-relay` or by `escap relay`."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from escap_desktop.sync.crypto import TeamKey, open_record
from escap_desktop.sync.wire import PullPage
from tests.relay.client import RelayClient
from tests.relay.helpers import assert_problem, new_id, sealed
from tests.relay.server import relay_process

LAUNCHERS = {
    "escap-relay": ["-m", "escap_relay.cli"],
    "escap relay": ["-m", "escap_desktop", "relay"],
}


@pytest.mark.parametrize("launcher", sorted(LAUNCHERS))
def test_two_devices_exchange_records_through_a_relay_process(
    launcher: str, database_url: str
) -> None:
    with (
        relay_process(LAUNCHERS[launcher], database_url) as (base_url, _process),
        httpx.Client(base_url=base_url, timeout=30) as http,
    ):
        assert http.get("/v1/health").json()["status"] == "ok"
        alice, bob = RelayClient(http), RelayClient(http)
        assert alice.register("10101010101").status_code == 201
        assert bob.register("20202020202").status_code == 201
        team_id = new_id()
        team_key = TeamKey.generate()
        alice.create_team(team_id)
        alice.add_member(team_id, bob.device_id)
        envelopes = [sealed(alice.keys, team_key, team_id, f"n{i}".encode()) for i in range(3)]
        assert alice.push(envelopes).status_code == 200
        assert alice.push(envelopes[:1]).json()["results"][0]["duplicate"] is True

        page = PullPage.model_validate_json(bob.pull(team_id, limit=2).content)
        assert page.has_more
        rest = PullPage.model_validate_json(bob.pull(team_id, after=page.next_cursor).content)
        texts = [
            open_record(item.envelope, {1: team_key}, alice.keys.public.signing_key)
            for item in page.envelopes + rest.envelopes
        ]
        assert texts == [b"n0", b"n1", b"n2"]

        # Signed-request checks hold over a real socket too.
        request = http.build_request("GET", "/v1/teams")
        request.headers.update(alice.request_headers("GET", "/v1/teams"))
        assert http.send(request).status_code == 200
        assert_problem(http.send(request), 401)


def test_an_unusable_database_is_reported_in_french() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "escap_relay.cli", "--database-url", "mysql://nulle-part/x"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert "base de données" in result.stderr.decode()
