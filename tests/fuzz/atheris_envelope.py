"""Coverage-guided fuzzing of envelope decoding and opening with atheris (libFuzzer).

Not collected by pytest (no ``test_`` prefix): run it by hand for as long as you like, e.g.

    .venv/bin/pip install atheris            # the "fuzz" extra of pyproject.toml
    .venv/bin/python tests/fuzz/atheris_envelope.py -runs=200000 -max_len=4096
    mkdir -p corpus && .venv/bin/python tests/fuzz/atheris_envelope.py -max_total_time=600 corpus/

(from the repository root, with ``PYTHONPATH=.``). An empty corpus folder is seeded with a
genuine envelope, so the fuzzer starts from valid JSON and reaches the signature checks.

Every input goes through ``Envelope.from_json`` then ``EnvelopeVerifier.open``. The only
accepted outcomes are a typed refusal (``WireFormatError``, ``CryptoError``) or the genuine
envelope; any other exception, or an altered envelope that opens, is a crash libFuzzer reports
with the input that caused it.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from escap_desktop.sync.crypto import (
        CryptoError,
        DeviceKeys,
        EnvelopeVerifier,
        MemoryReplayGuard,
        TeamKey,
        seal_record,
    )
    from escap_desktop.sync.wire import Envelope, WireFormatError

AUTHOR = DeviceKeys.from_secret_bytes(bytes(range(64)))
TEAM_KEY = TeamKey(1, bytes(range(32, 64)))
TEAM_ID = "equipe-fuzz-0001"
PLAINTEXT = b'{"format": 1}'
GENUINE = seal_record(
    TEAM_KEY,
    AUTHOR,
    team_id=TEAM_ID,
    record_id="enregistrement-0001",
    record_type="Message",
    plaintext=PLAINTEXT,
)
_QUIET = logging.getLogger("atheris.enveloppes")
_QUIET.propagate = False


def _verifier() -> EnvelopeVerifier:
    return EnvelopeVerifier(
        member_key=lambda team, author: (
            AUTHOR.public.signing_key if (team, author) == (TEAM_ID, AUTHOR.key_id) else None
        ),
        team_keys=lambda team: {1: TEAM_KEY} if team == TEAM_ID else {},
        replay_guard=MemoryReplayGuard(),
        log=_QUIET,
    )


def test_one_input(data: bytes) -> None:
    try:
        envelope = Envelope.from_json(data)
    except WireFormatError:
        return
    try:
        opened = _verifier().open(envelope)
    except CryptoError:
        return
    if envelope != GENUINE or opened.plaintext != PLAINTEXT:
        raise AssertionError("an altered envelope passed every check")


def seed_corpus(argv: list[str]) -> None:
    """Puts the genuine envelope in an empty corpus folder given on the command line."""
    for argument in argv[1:]:
        folder = Path(argument)
        if not argument.startswith("-") and folder.is_dir() and not any(folder.iterdir()):
            (folder / "enveloppe-authentique.json").write_bytes(GENUINE.to_json())


def main() -> None:
    test_one_input(GENUINE.to_json())  # the harness itself works
    seed_corpus(sys.argv)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
