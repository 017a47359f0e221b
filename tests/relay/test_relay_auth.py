"""Signed requests, rate limits, size limits and strict bodies, all answered as problems."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from escap_desktop.sync.crypto import TeamKey, sign_request
from escap_desktop.sync.wire import (
    HEADER_NONCE,
    HEADER_SIGNATURE,
    MAX_CIPHERTEXT_BYTES,
    b64u_decode,
    b64u_encode,
)
from escap_relay.settings import RelaySettings
from tests.relay.client import InProcessTransport, RelayClient
from tests.relay.conftest import AppFactory
from tests.relay.helpers import assert_problem, new_id, sealed


def test_a_bad_signature_is_refused(relay: Callable[..., RelayClient]) -> None:
    alice = relay()
    alice.register()
    headers = sign_request(alice.keys, "GET", "/v1/teams")
    signature = bytearray(b64u_decode(headers[HEADER_SIGNATURE]))
    signature[0] ^= 0x01
    headers[HEADER_SIGNATURE] = b64u_encode(bytes(signature))
    response = alice.http.get("/v1/teams", headers=headers)
    problem = assert_problem(response, 401)
    assert "Signature" in str(problem["detail"])


def test_a_signature_for_another_request_is_refused(relay: Callable[..., RelayClient]) -> None:
    alice = relay()
    alice.register()
    headers = sign_request(alice.keys, "GET", "/v1/keys")
    assert_problem(alice.http.get("/v1/teams", headers=headers), 401)


def test_a_stale_timestamp_is_refused(relay: Callable[..., RelayClient]) -> None:
    alice = relay()
    alice.register()
    problem = assert_problem(alice.request("GET", "/v1/teams", now=time.time() - 330), 401)
    assert "horloge" in str(problem["detail"])
    assert_problem(alice.request("GET", "/v1/teams", now=time.time() + 330), 401)
    assert alice.request("GET", "/v1/teams", now=time.time() - 200).status_code == 200


def test_a_replayed_request_is_refused(relay: Callable[..., RelayClient]) -> None:
    alice = relay()
    alice.register()
    request = alice.http.build_request("GET", "/v1/teams")
    request.headers.update(sign_request(alice.keys, "GET", "/v1/teams"))
    assert alice.http.send(request).status_code == 200
    problem = assert_problem(alice.http.send(request), 401)
    assert "rejouée" in str(problem["detail"])
    assert HEADER_NONCE in request.headers


def test_the_rate_limit_answers_429_with_retry_after(make_app: AppFactory) -> None:
    app = make_app(RelaySettings(rate_per_second=0.01, rate_burst=3))
    with httpx.Client(transport=InProcessTransport(app), base_url="http://relais.test") as http:
        alice = RelayClient(http)
        alice.register()  # by address, not by device
        statuses = [alice.teams().status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = alice.teams()
        assert_problem(limited, 429)
        assert int(limited.headers["Retry-After"]) >= 1
        other = RelayClient(http)  # another device has its own bucket
        assert other.register().status_code == 201
        assert other.teams().status_code == 200


def test_oversized_bodies_are_refused_with_413(make_app: AppFactory) -> None:
    app = make_app(RelaySettings(max_body_bytes=4096))
    with httpx.Client(transport=InProcessTransport(app), base_url="http://relais.test") as http:
        alice = RelayClient(http)
        alice.register()
        team_key = TeamKey.generate()
        team_id = new_id()
        big = sealed(alice.keys, team_key, team_id, plaintext=b"x" * 5000)
        assert_problem(alice.push([big]), 413)
        # Streamed without Content-Length: refused while reading, all the same.
        chunks = iter([b"{" + b" " * 3000, b" " * 3000 + b"}"])
        response = http.post("/v1/envelopes", content=chunks)
        assert_problem(response, 413)
        assert alice.push([sealed(alice.keys, team_key, team_id)]).status_code == 200


def test_envelopes_over_the_wire_limit_are_refused(relay: Callable[..., RelayClient]) -> None:
    alice = relay()
    alice.register()
    envelope = sealed(alice.keys, TeamKey.generate(), new_id())
    document = json.loads(envelope.to_json())
    document["ciphertext"] = b64u_encode(bytes(MAX_CIPHERTEXT_BYTES + 1))
    body = json.dumps({"envelopes": [document]}).encode()
    problem = assert_problem(alice.request("POST", "/v1/envelopes", json_body=body), 422)
    assert problem["errors"]


def test_unknown_fields_are_refused_as_problem(relay: Callable[..., RelayClient]) -> None:
    alice = relay()
    alice.register()
    envelope = sealed(alice.keys, TeamKey.generate(), new_id())
    body = b'{"envelopes": [%s], "priority": "high"}' % envelope.to_json()
    problem = assert_problem(alice.request("POST", "/v1/envelopes", json_body=body), 422)
    assert any("priority" in error["location"] for error in problem["errors"])  # type: ignore[attr-defined]
    inner = envelope.to_json()[:-1] + b',"patient":"x"}'
    body = b'{"envelopes": [%s]}' % inner
    assert_problem(alice.request("POST", "/v1/envelopes", json_body=body), 422)
    assert_problem(alice.request("POST", "/v1/envelopes", json_body=b"{not json"), 422)


def test_unknown_routes_answer_a_problem(relay: Callable[..., RelayClient]) -> None:
    alice = relay()
    alice.register()
    assert_problem(alice.request("GET", "/v1/nothing-here"), 404)
    health = alice.http.get("/v1/health")
    assert health.json()["status"] == "ok"
