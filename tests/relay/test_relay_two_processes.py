"""Two relay processes started at the same moment on one fresh PostgreSQL, serving one team.

Both run the migrations at start-up; before the advisory lock one of them died with a unique
violation on ``alembic_version``. Then a three-member team's traffic is spread across them, a
client hitting either process on each request: every member converges on the same records, and
a request replayed on the other process is refused there too (nonces live in the database).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.sync.crypto import sign_request
from tests.relay.conftest import fresh_postgres_database, postgres_server_url
from tests.relay.server import free_port
from tests.sync.faults import RelayProcess
from tests.sync.team import accept_all, canonical_dump, make_member, start_escap

pytestmark = pytest.mark.postgres


class EitherProcess(httpx.BaseTransport):
    """Sends each request to the next relay process in turn, as a load balancer would."""

    def __init__(self, ports: list[int]) -> None:
        self._ports = itertools.cycle(ports)
        self._lock = threading.Lock()
        self._inner = httpx.HTTPTransport()
        self.sent: list[int] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            port = next(self._ports)
        self.sent.append(port)
        request.url = request.url.copy_with(port=port)
        return self._inner.handle_request(request)


@pytest.fixture
def database_url() -> Iterator[str]:
    url, drop = fresh_postgres_database(postgres_server_url())
    yield url
    drop()


def test_two_processes_start_together_and_serve_one_team(
    database_url: str, tmp_path: Path, clock: FrozenClock
) -> None:
    relays = [RelayProcess(free_port(), database_url) for _ in range(2)]
    starters = [threading.Thread(target=relay.start) for relay in relays]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join(timeout=60)
    try:
        assert all(r.process is not None and r.process.poll() is None for r in relays)
        transport = EitherProcess([r.port for r in relays])
        url = relays[0].url
        gp, nurse, physio = (
            make_member(name, tmp_path, url, transport, clock=clock)
            for name in ("gp", "nurse", "physio")
        )
        for member in (gp, nurse, physio):
            member.peers = [gp, nurse, physio]
        try:
            nurse.cycle()
            physio.cycle()
            _patient, escap = start_escap(gp, ["nurse", "physio"])
            gp.cycle()
            for member in (nurse, physio):
                member.cycle()
                assert accept_all(member) == 1  # invitations visible whichever process answers
                member.cycle()
            gp.cycle()  # proofs checked, keys sealed: deliveries visible from both processes
            for member in (nurse, physio):
                member.cycle()
            gp.cycle()
            gp.practice.escaps.activate(escap.id)
            for round_ in range(4):
                gp.practice.messages.post(escap.id, f"Point n° {round_} du médecin.")
                nurse.practice.messages.post(escap.id, f"Passage n° {round_} de l'infirmière.")
                for member in (gp, nurse, physio):
                    member.cycle()
            for member in (gp, nurse, physio):
                member.cycle()
            dumps = [canonical_dump(m, escap.id) for m in (gp, nurse, physio)]
            assert dumps[0] == dumps[1] == dumps[2]
            assert len(physio.practice.messages.thread(escap.id)) == 8
            assert set(transport.sent) == {r.port for r in relays}

            # A request replayed on the other process is refused there too.
            with gp.sync.session() as engine:
                keys = engine.ctx.client.keys
            request = httpx.Request("GET", f"{url}/v1/teams")
            target = request.url.raw_path.decode("ascii")
            request.headers.update(sign_request(keys, "GET", target, b""))
            with httpx.Client() as plain:
                first = plain.send(_to(request, relays[0].port))
                replay = plain.send(_to(request, relays[1].port))
            assert first.status_code == 200
            assert replay.status_code == 401
        finally:
            for member in (gp, nurse, physio):
                member.practice.close()
    finally:
        for relay in relays:
            relay.stop()


def _to(request: httpx.Request, port: int) -> httpx.Request:
    return httpx.Request(request.method, request.url.copy_with(port=port), headers=request.headers)
