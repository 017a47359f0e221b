"""Registration binds a key to an RPPS number on first use; lookups publish public keys only."""

from __future__ import annotations

from collections.abc import Callable

from escap_desktop.sync.crypto import DeviceKeys
from escap_desktop.sync.wire import b64u_encode
from tests.relay.client import RelayClient
from tests.relay.helpers import assert_problem

RPPS = "10101010101"


def test_an_rpps_number_is_a_hint_that_locks_nobody_out(relay: Callable[..., RelayClient]) -> None:
    impostor = relay()
    assert impostor.register(RPPS).status_code == 201  # first, with a public number
    alice = relay()
    response = alice.register(RPPS)
    assert response.status_code == 201  # the real professional is not locked out
    info = response.json()
    assert info["device_id"] == alice.device_id
    assert info["fingerprint"] == alice.keys.fingerprint
    assert alice.register(RPPS).status_code == 200  # same keys again: harmless retry


def test_lookup_by_rpps_lists_every_device_giving_it(relay: Callable[..., RelayClient]) -> None:
    alice, laptop, bob = relay(), relay(), relay()
    alice.register(RPPS)
    laptop.register(RPPS)
    bob.register("20202020202")
    found = bob.lookup_rpps(RPPS)
    assert found.status_code == 200
    devices = found.json()["devices"]
    assert [d["device_id"] for d in devices] == [alice.device_id, laptop.device_id]
    assert devices[0]["fingerprint"] == alice.keys.fingerprint
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
