"""Registration binds a key to an RPPS number on first use; lookups publish public keys only."""

from __future__ import annotations

from collections.abc import Callable

from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.wire import b64u_encode
from tests.relay.client import RelayClient
from tests.relay.helpers import assert_problem

RPPS = "10101010101"


def test_registration_binds_rpps_to_the_first_key(relay: Callable[..., RelayClient]) -> None:
    alice = relay()
    response = alice.register(RPPS)
    assert response.status_code == 201
    info = response.json()
    assert info["device_id"] == alice.device_id
    assert info["fingerprint"] == alice.keys.fingerprint
    assert alice.register(RPPS).status_code == 200  # same keys again: harmless retry

    impostor = relay()
    problem = assert_problem(impostor.register(RPPS), 409)
    assert "RPPS" in str(problem["detail"])


def test_lookup_by_rpps_returns_keys_and_fingerprint(relay: Callable[..., RelayClient]) -> None:
    alice, bob = relay(), relay()
    alice.register(RPPS)
    bob.register("20202020202")
    found = bob.lookup_rpps(RPPS)
    assert found.status_code == 200
    assert found.json()["device_id"] == alice.device_id
    assert found.json()["fingerprint"] == alice.keys.fingerprint
    assert_problem(bob.lookup_rpps("99999999999"), 404)


def test_registration_must_be_signed_by_the_registered_key(
    relay: Callable[..., RelayClient],
) -> None:
    victim_keys = DeviceKeys.generate()
    attacker = relay()
    # The attacker signs with its own key a registration of someone else's public key.
    body = b'{"signing_key":"%s","encryption_key":"%s","rpps":"%s"}' % (
        _b64(victim_keys.public.signing_key),
        _b64(victim_keys.public.encryption_key),
        RPPS.encode(),
    )
    assert_problem(attacker.request("POST", "/v1/devices", json_body=body), 401)
    assert_problem(attacker.request("POST", "/v1/devices", json_body=body, signed=False), 401)


def test_unknown_device_cannot_call_signed_endpoints(relay: Callable[..., RelayClient]) -> None:
    stranger = relay()
    problem = assert_problem(stranger.teams(), 401)
    assert "inconnu" in str(problem["detail"])


def _b64(data: bytes) -> bytes:
    return b64u_encode(data).encode()
