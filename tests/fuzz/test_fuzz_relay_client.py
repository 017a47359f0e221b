"""The desktop's relay client facing a hostile or broken relay: whatever status, body or headers
come back, a call returns a checked wire model or raises a SyncError, and never asks to wait
unboundedly.

The relay is an ``httpx.MockTransport`` answering what hypothesis draws (httpx's own transport
for canned answers; the client code under test is the real one).
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Callable

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from escap_desktop.core.errors import SyncError
from escap_desktop.sync.backoff import RetryPolicy
from escap_desktop.sync.crypto import DeviceKeys, TeamKey, seal_record
from escap_desktop.sync.relay_client import RelayClient
from escap_desktop.sync.wire import PROBLEM_MEDIA_TYPE, PulledEnvelope, PullPage
from tests.fuzz.conftest import FUZZ, JSON_VALUES, mutate

KEYS = DeviceKeys.generate()
TEAM_ID = "equipe-fuzz-0001"
RETRY = RetryPolicy(attempts=2, first_delay=0.01, max_delay=2.0)
ENVELOPE = seal_record(
    TeamKey.generate(),
    KEYS,
    team_id=TEAM_ID,
    record_id="enregistrement-0001",
    record_type="Message",
    plaintext=b"{}",
)
GOOD_PAGE = PullPage(
    team_id=TEAM_ID,
    envelopes=[PulledEnvelope(seq=1, envelope=ENVELOPE)],
    next_cursor=1,
    has_more=False,
).model_dump_json()
STATUSES = [200, 201, 204, 301, 307, 400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504]
HEADER_TEXT = st.text(alphabet=string.printable.strip() + " ", max_size=30)

CALLS: dict[str, Callable[[RelayClient], object]] = {
    "pull": lambda client: client.pull(TEAM_ID, 0, 50),
    "teams": lambda client: client.teams(),
    "keys": lambda client: client.my_keys(0),
    "invitations": lambda client: client.invitations("received", pending=True),
    "members": lambda client: client.members(TEAM_ID),
    "rpps": lambda client: client.devices_by_rpps("10101010101"),
    "register": lambda client: client.register(None),
    "push": lambda client: client.push([ENVELOPE]),
    "remove": lambda client: client.remove_member(TEAM_ID, KEYS.key_id),
}


@st.composite
def answers(draw: st.DrawFn) -> httpx.Response:
    status = draw(st.sampled_from(STATUSES))
    kind = draw(st.sampled_from(["json", "bytes", "page", "problem", "empty"]))
    if kind == "json":
        content = json.dumps(draw(JSON_VALUES)).encode()
    elif kind == "bytes":
        content = draw(st.binary(max_size=300))
    elif kind == "page":
        content = mutate(GOOD_PAGE.encode(), draw)
    elif kind == "problem":
        problem = {"type": draw(HEADER_TEXT), "title": draw(st.text(max_size=20))}
        problem[draw(st.sampled_from(["status", "detail", "errors"]))] = draw(JSON_VALUES)
        content = json.dumps(problem).encode()
    else:
        content = b""
    headers = {"content-type": draw(st.sampled_from(["application/json", PROBLEM_MEDIA_TYPE]))}
    retry_after = draw(
        st.one_of(
            st.none(),
            st.floats().map(str),
            st.integers().map(str),
            HEADER_TEXT,
        )
    )
    if retry_after is not None:
        headers["retry-after"] = retry_after
    return httpx.Response(status, content=content, headers=headers)


def _client(responses: list[httpx.Response], waits: list[float]) -> RelayClient:
    replies = iter(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        return next(replies, responses[-1])

    def sleep(seconds: float) -> None:
        """Records the wait, refusing what ``time.sleep`` refuses (no real waiting in tests)."""
        if math.isnan(seconds) or seconds < 0:
            raise ValueError(f"time.sleep({seconds}) would raise")
        waits.append(seconds)

    return RelayClient(
        "https://relais.test",
        KEYS,
        transport=httpx.MockTransport(handler),
        retry=RETRY,
        sleep=sleep,
    )


@FUZZ
@given(call=st.sampled_from(sorted(CALLS)), responses=st.lists(answers(), min_size=1, max_size=3))
def test_any_answer_is_a_wire_model_or_a_sync_error(
    call: str, responses: list[httpx.Response]
) -> None:
    waits: list[float] = []
    refusal = ""
    with _client(responses, waits) as client:
        try:
            CALLS[call](client)
        except SyncError as error:
            refusal = str(error) or "(vide)"
    assert refusal != "(vide)"
    assert all(wait <= RETRY.max_delay for wait in waits)


def test_a_genuine_page_is_read() -> None:
    waits: list[float] = []
    with _client([httpx.Response(200, content=GOOD_PAGE.encode())], waits) as client:
        page = client.pull(TEAM_ID, 0, 50)
    assert page.envelopes[0].envelope == ENVELOPE


def test_a_retry_after_that_is_not_a_number_is_not_obeyed() -> None:
    busy = httpx.Response(503, content=b"", headers={"retry-after": "nan"})
    with _client([busy, busy], []) as client, pytest.raises(SyncError):
        client.teams()
