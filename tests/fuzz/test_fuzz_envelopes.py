"""Envelope decoding and the checks before applying one, fed hostile bytes: only typed errors
(WireFormatError, CryptoError), and no altered envelope ever opens."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from escap_desktop.sync.crypto import (
    CryptoError,
    DeviceKeys,
    EnvelopeVerifier,
    MemoryReplayGuard,
    TeamKey,
    seal_record,
)
from escap_desktop.sync.wire import (
    KEY_ID_PATTERN,
    MAX_ENVELOPE_BYTES,
    NONCE_BYTES,
    OPAQUE_ID_PATTERN,
    RECORD_TYPE_PATTERN,
    SIGNATURE_BYTES,
    Envelope,
    WireFormatError,
)
from tests.fuzz.conftest import FUZZ, JSON_VALUES, mutate

AUTHOR = DeviceKeys.generate()
TEAM_KEY = TeamKey.generate()
TEAM_ID = "equipe-fuzz-0001"
PLAINTEXT = b'{"format": 1, "type": "Message", "entity": {"id": "m1"}}'
GENUINE = seal_record(
    TEAM_KEY,
    AUTHOR,
    team_id=TEAM_ID,
    record_id="enregistrement-0001",
    record_type="Message",
    plaintext=PLAINTEXT,
)
GENUINE_JSON = GENUINE.to_json()
GENUINE_DICT: dict[str, Any] = json.loads(GENUINE_JSON)
_QUIET = logging.getLogger("tests.fuzz.enveloppes")
_QUIET.propagate = False


def _verifier() -> EnvelopeVerifier:
    def member_key(team_id: str, author_id: str) -> bytes | None:
        known = (team_id, author_id) == (TEAM_ID, AUTHOR.key_id)
        return AUTHOR.public.signing_key if known else None

    return EnvelopeVerifier(
        member_key=member_key,
        team_keys=lambda team_id: {1: TEAM_KEY} if team_id == TEAM_ID else {},
        replay_guard=MemoryReplayGuard(),
        log=_QUIET,
    )


def _open(envelope: Envelope) -> bytes | None:
    """The plaintext if every check passes, None for a typed refusal; anything else escapes."""
    try:
        return _verifier().open(envelope).plaintext
    except CryptoError:
        return None


def _decode_and_open(data: bytes | str) -> bytes | None:
    try:
        envelope = Envelope.from_json(data)
    except WireFormatError:
        return None
    opened = _open(envelope)
    if opened is not None:
        # Only the genuine envelope may open: same fields, same bytes signed.
        assert envelope == GENUINE
        assert opened == PLAINTEXT
    return opened


def test_the_genuine_envelope_opens() -> None:
    assert _decode_and_open(GENUINE_JSON) == PLAINTEXT


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_are_refused_with_a_typed_error(data: bytes) -> None:
    assert _decode_and_open(data) is None


@FUZZ
@given(st.text(max_size=1024))
def test_random_text_is_refused_with_a_typed_error(text: str) -> None:
    assert _decode_and_open(text) is None


@FUZZ
@given(st.data())
def test_a_mutated_envelope_never_opens_unless_it_means_the_same(data: st.DataObject) -> None:
    _decode_and_open(mutate(GENUINE_JSON, data.draw))


@FUZZ
@given(
    field=st.sampled_from(sorted(GENUINE_DICT)),
    value=JSON_VALUES,
)
def test_any_value_in_any_field_is_a_typed_error_or_fails_the_checks(
    field: str, value: object
) -> None:
    _decode_and_open(json.dumps({**GENUINE_DICT, field: value}))


@FUZZ
@given(name=st.text(min_size=1, max_size=20), value=JSON_VALUES)
def test_unknown_fields_are_refused(name: str, value: object) -> None:
    if name in GENUINE_DICT:
        return
    with pytest.raises(WireFormatError):
        Envelope.from_dict({**GENUINE_DICT, name: value})


@FUZZ
@given(st.dictionaries(st.text(max_size=16), JSON_VALUES, max_size=12))
def test_any_mapping_is_a_typed_error_or_an_envelope_that_fails_the_checks(
    mapping: dict[str, object],
) -> None:
    try:
        envelope = Envelope.from_dict(mapping)
    except WireFormatError:
        return
    assert _open(envelope) is None


_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


@FUZZ
@given(
    team_id=st.one_of(st.just(TEAM_ID), st.from_regex(OPAQUE_ID_PATTERN, fullmatch=True)),
    record_type=st.from_regex(RECORD_TYPE_PATTERN, fullmatch=True),
    author=st.one_of(st.just(AUTHOR.key_id), st.from_regex(KEY_ID_PATTERN, fullmatch=True)),
    key_version=st.integers(min_value=1, max_value=3),
    nonce=st.binary(min_size=NONCE_BYTES, max_size=NONCE_BYTES),
    ciphertext=st.binary(min_size=16, max_size=512),
    signature=st.binary(min_size=SIGNATURE_BYTES, max_size=SIGNATURE_BYTES),
)
def test_well_formed_forgeries_are_refused_by_the_checks(
    team_id: str,
    record_type: str,
    author: str,
    key_version: int,
    nonce: bytes,
    ciphertext: bytes,
    signature: bytes,
) -> None:
    forged = Envelope(
        team_id=team_id,
        record_id="enregistrement-0001",
        record_type=record_type,
        author_key_id=author,
        key_version=key_version,
        nonce=nonce,
        ciphertext=ciphertext,
        signature=signature,
    )
    assert _open(forged) is None


def test_an_oversized_envelope_is_refused_before_parsing() -> None:
    padded = GENUINE_JSON[:-1] + b" " * MAX_ENVELOPE_BYTES + b"}"
    with pytest.raises(WireFormatError, match="larger"):
        Envelope.from_json(padded)


def test_a_replayed_envelope_is_refused() -> None:
    verifier = _verifier()
    verifier.mark_applied(verifier.open(GENUINE))
    with pytest.raises(CryptoError):
        verifier.open(GENUINE)
