"""The relay checks each pushed envelope's signature once and keeps the digest of those bytes."""

from __future__ import annotations

import pytest

from escap_desktop.sync.crypto import DeviceKeys, TeamKey, seal_record
from escap_relay.data.envelopes import check_authorship
from escap_relay.problems import ProblemError


def test_the_digests_are_those_of_the_envelopes() -> None:
    author = DeviceKeys.generate()
    key = TeamKey.generate()
    batch = [
        seal_record(
            key,
            author,
            team_id="t" * 32,
            record_id=f"{n:032d}",
            record_type="Message",
            plaintext=b"x" * n,
        )
        for n in range(1, 6)
    ]
    digests = check_authorship(batch, author.key_id, author.public.verify_key)
    assert digests == [envelope.digest() for envelope in batch]
    tampered = batch[2].model_copy(update={"signature": bytes(64)})
    with pytest.raises(ProblemError) as refused:
        check_authorship([batch[0], tampered], author.key_id, author.public.verify_key)
    assert refused.value.status == 422
