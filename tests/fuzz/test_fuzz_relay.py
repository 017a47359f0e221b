"""Every relay endpoint fed hostile requests: wrong types, unknown fields, broken JSON, odd
paths and queries, forged headers, oversized bodies. Each gets a 4xx problem document (never a
500), and the relay keeps serving the other devices.

The relay runs in-process on SQLite (as in tests/relay), with its body limit lowered to 64 KiB
so oversized bodies are cheap to send, and its rate limit raised out of the way.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from escap_desktop.sync.crypto import TeamKey, seal_invitation, seal_team_key
from escap_desktop.sync.wire import (
    HEADER_DEVICE,
    HEADER_NONCE,
    HEADER_SIGNATURE,
    HEADER_TIMESTAMP,
    PROBLEM_MEDIA_TYPE,
    DeviceRegistration,
    InvitationAnswer,
    KeyDeliveryBatch,
    MemberAdd,
    PullPage,
    PushRequest,
)
from escap_relay.app import create_app
from escap_relay.settings import RelaySettings
from tests.fuzz.conftest import FUZZ, JSON_VALUES, mutate
from tests.relay.client import InProcessTransport, RelayClient
from tests.relay.helpers import new_id, sealed

MAX_BODY = 64 * 1024
SETTINGS = RelaySettings(max_body_bytes=MAX_BODY, rate_per_second=1e6, rate_burst=1_000_000)


@dataclass
class Relay:
    http: httpx.Client
    alice: RelayClient
    bob: RelayClient
    team_id: str
    team_key: TeamKey
    invitation_id: str
    bodies: dict[str, bytes]

    def client(self) -> RelayClient:
        return RelayClient(self.http)


@pytest.fixture(scope="module")
def relay(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Relay]:
    database = tmp_path_factory.mktemp("relais") / "relay.db"
    app = create_app(f"sqlite:///{database}", settings=SETTINGS)
    http = httpx.Client(transport=InProcessTransport(app), base_url="http://relais.test")
    alice, bob = RelayClient(http), RelayClient(http)
    assert alice.register("10101010101").status_code == 201
    assert bob.register("20202020202").status_code == 201
    team_id, team_key = new_id(), TeamKey.generate()
    assert alice.push([sealed(alice.keys, team_key, team_id)]).status_code == 200
    invitation = seal_invitation(
        invitation_id=new_id(),
        team_id=team_id,
        invitee=bob.keys.public,
        inviter=alice.keys,
        message=b"Rejoindre l'equipe",
        team_keys=[team_key],
    )
    assert alice.invite(invitation).status_code == 201
    public = alice.keys.public
    bodies = {
        "devices": DeviceRegistration(
            signing_key=public.signing_key, encryption_key=public.encryption_key
        ).model_dump_json(),
        "envelopes": PushRequest(
            envelopes=[sealed(alice.keys, team_key, team_id)]
        ).model_dump_json(),
        "members": MemberAdd(device_id=bob.device_id).model_dump_json(),
        "keys": KeyDeliveryBatch(
            deliveries=[
                seal_team_key(
                    team_key, team_id=team_id, recipient=bob.keys.public, sender=alice.keys
                )
            ]
        ).model_dump_json(),
        "invitations": invitation.model_dump_json(),
        "answer": InvitationAnswer(accept=False).model_dump_json(),
    }
    yield Relay(
        http,
        alice,
        bob,
        team_id,
        team_key,
        invitation.invitation_id,
        {name: body.encode() for name, body in bodies.items()},
    )
    http.close()
    app.state.relay.engine.dispose()


def assert_problem_or_success(response: httpx.Response) -> None:
    """Never a server error; every refusal a French problem document of its own status."""
    assert response.status_code < 500, response.text
    if response.status_code < 400:
        return
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    problem = response.json()
    assert problem["status"] == response.status_code
    assert str(problem["type"]).startswith("urn:escap:probleme:")
    assert problem["title"]
    assert problem["detail"]


# (method, path template, name of the valid body); {team} {device} {invitation} are filled in.
ENDPOINTS = [
    ("POST", "/v1/devices", "devices"),
    ("GET", "/v1/devices", None),
    ("GET", "/v1/devices/{device}", None),
    ("POST", "/v1/envelopes", "envelopes"),
    ("GET", "/v1/teams/{team}/envelopes", None),
    ("GET", "/v1/teams", None),
    ("PUT", "/v1/teams/{team}", None),
    ("GET", "/v1/teams/{team}/members", None),
    ("POST", "/v1/teams/{team}/members", "members"),
    ("DELETE", "/v1/teams/{team}/members/{device}", None),
    ("POST", "/v1/teams/{team}/keys", "keys"),
    ("GET", "/v1/keys", None),
    ("POST", "/v1/invitations", "invitations"),
    ("GET", "/v1/invitations", None),
    ("POST", "/v1/invitations/{invitation}/answer", "answer"),
]

PATH_TEXT = st.text(max_size=70)
QUERY = st.dictionaries(
    st.sampled_from(["after", "limit", "rpps", "box", "pending", "inconnu"]),
    st.one_of(st.integers(min_value=-(2**70), max_value=2**70).map(str), st.text(max_size=30)),
    max_size=4,
)


@st.composite
def hostile_body(draw: st.DrawFn, valid: bytes | None) -> bytes | None:
    choices = ["json", "bytes"] + (["field", "extra", "mutated"] if valid else ["none"])
    kind = draw(st.sampled_from(choices))
    if kind == "none":
        return None
    if kind == "json":
        return json.dumps(draw(JSON_VALUES)).encode()
    if kind == "bytes":
        return draw(st.binary(max_size=512))
    assert valid is not None
    if kind == "mutated":
        return mutate(valid, draw)
    document = json.loads(valid)
    if kind == "extra":
        document[draw(st.text(min_size=1, max_size=12))] = draw(JSON_VALUES)
    else:
        document[draw(st.sampled_from(sorted(document)))] = draw(JSON_VALUES)
    return json.dumps(document).encode()


@FUZZ
@given(data=st.data())
def test_hostile_signed_requests_get_a_problem_never_a_server_error(
    relay: Relay, data: st.DataObject
) -> None:
    method, template, body_name = data.draw(st.sampled_from(ENDPOINTS))
    values = {
        "team": data.draw(st.one_of(st.just(relay.team_id), PATH_TEXT)),
        "device": data.draw(st.one_of(st.just(relay.bob.device_id), PATH_TEXT)),
        "invitation": data.draw(st.one_of(st.just(relay.invitation_id), PATH_TEXT)),
    }
    path = template.format(**{key: quote(value, safe="") for key, value in values.items()})
    body = data.draw(hostile_body(relay.bodies.get(body_name) if body_name else None))
    query = data.draw(QUERY) if method == "GET" else None
    caller = relay.bob if data.draw(st.booleans()) else relay.alice

    response = caller.request(method, path, json_body=body, params=query)

    event(f"{method} {template} -> {response.status_code}")
    assert_problem_or_success(response)
    assert relay.alice.teams().status_code == 200  # still serving


HEADER_TEXT = st.text(alphabet=string.ascii_letters + string.digits + "-_=+/ .:", max_size=100)


@FUZZ
@given(
    headers=st.fixed_dictionaries(
        {},
        optional={
            HEADER_DEVICE: HEADER_TEXT,
            HEADER_TIMESTAMP: HEADER_TEXT,
            HEADER_NONCE: HEADER_TEXT,
            HEADER_SIGNATURE: HEADER_TEXT,
        },
    ),
    endpoint=st.sampled_from(ENDPOINTS),
)
def test_forged_authentication_headers_are_refused(
    relay: Relay, headers: dict[str, str], endpoint: tuple[str, str, str | None]
) -> None:
    method, template, body_name = endpoint
    path = template.format(
        team=relay.team_id, device=relay.bob.device_id, invitation=relay.invitation_id
    )
    body = relay.bodies[body_name] if body_name else None
    response = relay.http.request(method, path, content=body, headers=headers)
    assert_problem_or_success(response)
    if path != "/v1/devices" or method != "POST":
        assert response.status_code in (401, 404, 405), response.text


@pytest.mark.parametrize("streamed", [False, True], ids=["content-length", "flux"])
@pytest.mark.parametrize(
    "path", ["/v1/devices", "/v1/envelopes", "/v1/invitations", "/v1/teams/equipe-0001/keys"]
)
def test_oversized_bodies_are_refused_before_anything_else(
    relay: Relay, path: str, streamed: bool
) -> None:
    body = b'{"envelopes": [' + b" " * MAX_BODY + b"]}"
    content: Any = iter([body[:1000], body[1000:]]) if streamed else body
    response = relay.http.post(path, content=content)
    assert response.status_code == 413
    assert_problem_or_success(response)


def test_after_the_fuzzing_a_new_team_works_end_to_end(relay: Relay) -> None:
    carol, dave = relay.client(), relay.client()
    assert carol.register().status_code == 201
    assert dave.register().status_code == 201
    team_id, team_key = new_id(), TeamKey.generate()
    assert carol.create_team(team_id).status_code == 200
    assert carol.add_member(team_id, dave.device_id).status_code == 200
    envelope = sealed(carol.keys, team_key, team_id, b"compte rendu")
    assert carol.push([envelope]).status_code == 200
    page = PullPage.model_validate_json(dave.pull(team_id).content)
    assert [item.envelope for item in page.envelopes] == [envelope]
