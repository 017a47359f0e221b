"""The wire format: canonical signed bytes, strict JSON, bounded sizes, request headers."""

from __future__ import annotations

import base64
import json
import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from escap_desktop.sync.wire import (
    FORMAT_VERSION,
    MAX_ENVELOPE_BYTES,
    Envelope,
    RequestAuth,
    WireFormatError,
    b64u_decode,
    b64u_encode,
    fingerprint_for,
    key_id_for,
    request_signing_bytes,
)


def _envelope(**changes: object) -> Envelope:
    fields: dict[str, object] = {
        "team_id": "0123456789abcdef0123456789abcdef",
        "record_id": "fedcba9876543210fedcba9876543210",
        "record_type": "Patient",
        "author_key_id": "a" * 32,
        "key_version": 1,
        "nonce": os.urandom(24),
        "ciphertext": os.urandom(64),
        "signature": os.urandom(64),
    }
    fields.update(changes)
    return Envelope(**fields)  # type: ignore[arg-type]


def test_json_round_trip_keeps_every_byte() -> None:
    envelope = _envelope()
    text = envelope.to_json()
    assert Envelope.from_json(text) == envelope
    document = json.loads(text)
    assert document["format_version"] == FORMAT_VERSION
    assert b64u_decode(document["ciphertext"]) == envelope.ciphertext
    assert "=" not in document["nonce"]


@pytest.mark.parametrize(
    "field",
    ["team_id", "record_id", "record_type", "author_key_id", "key_version", "nonce", "ciphertext"],
)
def test_every_field_but_the_signature_is_signed(field: str) -> None:
    envelope = _envelope()
    other = {
        "team_id": "1123456789abcdef0123456789abcdef",
        "record_id": "gedcba9876543210fedcba9876543210",
        "record_type": "Message",
        "author_key_id": "b" * 32,
        "key_version": 2,
        "nonce": os.urandom(24),
        "ciphertext": os.urandom(64),
    }[field]
    changed = envelope.model_copy(update={field: other})
    assert changed.signing_bytes() != envelope.signing_bytes()
    assert changed.digest() != envelope.digest()
    assert envelope.model_copy(update={"signature": os.urandom(64)}).signing_bytes() == (
        envelope.signing_bytes()
    )


def test_length_prefixes_keep_fields_apart() -> None:
    a = _envelope(team_id="abcdefgh12", record_id="345678901234")
    b = a.model_copy(update={"team_id": "abcdefgh1234", "record_id": "5678901234"})
    assert a.signing_bytes() != b.signing_bytes()


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("extra_field", "x"),
        ("format_version", 2),
        ("format_version", True),
        ("key_version", "1"),
        ("key_version", 0),
        ("team_id", "court"),
        ("team_id", "équipe-accentuée"),
        ("record_type", "1Patient"),
        ("author_key_id", "A" * 32),
        ("nonce", b64u_encode(b"x" * 23)),
        ("signature", b64u_encode(b"x" * 63)),
        ("ciphertext", "pas du base64 !"),
        ("ciphertext", b64u_encode(b"x" * 40) + "=="),
    ],
)
def test_strict_validation(change: str, value: object) -> None:
    document = json.loads(_envelope().to_json())
    document[change] = value
    with pytest.raises(WireFormatError):
        Envelope.from_json(json.dumps(document))
    with pytest.raises(WireFormatError):
        Envelope.from_dict(document)


def test_missing_field_and_oversized_text_are_refused() -> None:
    document = json.loads(_envelope().to_json())
    del document["signature"]
    with pytest.raises(WireFormatError):
        Envelope.from_dict(document)
    with pytest.raises(WireFormatError, match="larger"):
        Envelope.from_json(b" " * (MAX_ENVELOPE_BYTES + 1))


def test_base64url_is_canonical() -> None:
    assert b64u_decode(b64u_encode(b"\xfb\xff")) == b"\xfb\xff"
    for bad in ("+/8", "AB=", "A", "AB C"):
        with pytest.raises(WireFormatError):
            b64u_decode(bad)
    with pytest.raises(WireFormatError):
        b64u_decode("AB")  # decodes, but "AA" is the canonical text of the same byte


@settings(max_examples=200)
@given(
    ids=st.tuples(*[st.from_regex(r"\A[A-Za-z0-9_-]{8,64}\Z") for _ in range(2)]),
    record_type=st.from_regex(r"\A[A-Za-z][A-Za-z0-9_.-]{0,63}\Z"),
    author=st.from_regex(r"\A[0-9a-f]{32}\Z"),
    version=st.integers(1, 2**31 - 1),
    ciphertext=st.binary(min_size=16, max_size=300),
)
def test_envelope_json_is_pydantics_byte_for_byte(
    ids: tuple[str, str], record_type: str, author: str, version: int, ciphertext: bytes
) -> None:
    envelope = _envelope(
        team_id=ids[0],
        record_id=ids[1],
        record_type=record_type,
        author_key_id=author,
        key_version=version,
        ciphertext=ciphertext,
    )
    assert envelope.to_json() == envelope.model_dump_json().encode("utf-8")


def _decoded_by_reencoding(text: str) -> bytes | None:
    """The plain rule ``b64u_decode`` stands for: the bytes whose unpadded base64url text is
    exactly ``text``, or None."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text) or len(text) % 4 == 1:
        return None
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    return data if b64u_encode(data) == text else None


@settings(max_examples=400)
@given(
    st.one_of(
        st.binary(max_size=40).map(b64u_encode),
        st.text(alphabet="AQgwBCEIM_-+/=é \n", max_size=12),
    )
)
def test_base64url_decoding_accepts_exactly_the_canonical_texts(text: str) -> None:
    expected = _decoded_by_reencoding(text)
    if expected is None:
        with pytest.raises(WireFormatError):
            b64u_decode(text)
    else:
        assert b64u_decode(text) == expected


def test_key_id_and_fingerprint_formats() -> None:
    signing, encryption = os.urandom(32), os.urandom(32)
    assert len(key_id_for(signing)) == 32
    fingerprint = fingerprint_for(signing, encryption)
    groups = fingerprint.split(" ")
    assert len(groups) == 8
    assert all(len(group) == 4 for group in groups)
    assert set("".join(groups)) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")
    assert fingerprint_for(signing, os.urandom(32)) != fingerprint  # covers both keys


def test_request_auth_headers_round_trip() -> None:
    auth = RequestAuth("a" * 32, 1_700_000_000, b64u_encode(os.urandom(16)), os.urandom(64))
    assert RequestAuth.from_headers(auth.to_headers()) == auth
    for header, value in [
        ("X-Escap-Timestamp", "-1"),
        ("X-Escap-Nonce", "court"),
        ("X-Escap-Device", "z" * 32),
        ("X-Escap-Signature", b64u_encode(b"x" * 10)),
    ]:
        with pytest.raises(WireFormatError):
            RequestAuth.from_headers({**auth.to_headers(), header: value})
    incomplete = auth.to_headers()
    del incomplete["X-Escap-Nonce"]
    with pytest.raises(WireFormatError):
        RequestAuth.from_headers(incomplete)


def test_request_signing_bytes_cover_method_target_and_body() -> None:
    base = {
        "method": "POST",
        "target": "/v1/envelopes",
        "device_id": "a" * 32,
        "timestamp": 1,
        "nonce": "n",
        "body": b"{}",
    }
    reference = request_signing_bytes(**base)  # type: ignore[arg-type]
    for field, value in [("method", "PUT"), ("target", "/v1/keys"), ("body", b"{ }")]:
        assert request_signing_bytes(**{**base, field: value}) != reference  # type: ignore[arg-type]
