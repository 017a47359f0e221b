"""A relay that answers 500 or stops answering: the client says so, keeps every change, resumes."""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from escap_desktop.core.errors import SyncError
from tests.sync.conftest import MemberFactory, Relay
from tests.sync.team import active_team


class MisbehavingRelay(httpx.BaseTransport):
    """Forwards to the relay, or (while ``mode`` is set) fails every request the chosen way.

    "hang" raises the ReadTimeout httpx gives once its timeout has run out on a relay that
    accepted the connection and never answered; "500" answers an internal error.
    """

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self._inner = inner
        self.mode: str | None = None
        self.refused = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.mode is None:
            return self._inner.handle_request(request)
        self.refused += 1
        if self.mode == "hang":
            raise httpx.ReadTimeout("pas de réponse du relais", request=request)
        return httpx.Response(
            500,
            json={"type": "about:blank", "title": "Erreur interne", "status": 500},
            headers={"content-type": "application/problem+json"},
            request=request,
        )

    def close(self) -> None:
        self._inner.close()


@pytest.mark.parametrize("mode", ["hang", "500"])
def test_a_failing_relay_loses_nothing_and_the_next_cycle_delivers_once(
    mode: str, sqlite_relay: Relay, sqlite_members: MemberFactory
) -> None:
    flaky = MisbehavingRelay(sqlite_relay.transport)
    gp, nurse, _physio, escap = active_team(
        lambda name: sqlite_members(name, transport=flaky) if name == "gp" else sqlite_members(name)
    )
    bodies = [f"Passage du {day:02d}/11 : RAS" for day in range(1, 9)]
    for body in bodies:
        gp.practice.messages.post(escap.id, body)

    flaky.mode = mode
    with pytest.raises(SyncError) as raised:
        gp.cycle()
    assert flaky.refused >= 1
    assert str(raised.value)  # a French sentence for the status bar, never empty
    assert gp.sync.status().pending_changes == len(bodies)
    assert not gp.sync.status().online

    flaky.mode = None
    gp.cycle()
    assert gp.sync.status().pending_changes == 0
    nurse.cycle()
    received = Counter(m.body for m in nurse.practice.messages.thread(escap.id))
    assert all(received[body] == 1 for body in bodies)
