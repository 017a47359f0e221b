"""Relays for the sync tests: in process (ASGI) on SQLite, and on PostgreSQL when available.

The relay database is parametrised like the relay's own tests (``database_url``, marker
``postgres``, ESCAP_TEST_PG_URL); rate limits are lifted for the in-process relay because the
property test runs hundreds of cycles in a few seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from escap_desktop.core.clock import FrozenClock
from escap_relay.app import create_app
from escap_relay.settings import RelaySettings
from tests.relay.client import InProcessTransport
from tests.relay.conftest import fresh_postgres_database, postgres_server_url
from tests.relay.server import free_port
from tests.sync.faults import RelayProcess
from tests.sync.team import Member, make_member

RELAY_URL = "http://127.0.0.1:8765"
UNLIMITED = RelaySettings(rate_per_second=1e6, rate_burst=1_000_000)


@dataclass
class Relay:
    app: FastAPI
    url: str
    transport: httpx.BaseTransport


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def relay_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'relay.db'}"
        return
    url, drop = fresh_postgres_database(postgres_server_url())
    yield url
    drop()


@pytest.fixture
def sqlite_relay_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'relay.db'}"


def _relay(database_url: str, clock: FrozenClock) -> Iterator[Relay]:
    app = create_app(database_url, settings=UNLIMITED, clock=clock)
    yield Relay(app, RELAY_URL, InProcessTransport(app))
    app.state.relay.engine.dispose()


@pytest.fixture
def relay(relay_database_url: str, clock: FrozenClock) -> Iterator[Relay]:
    """An in-process relay, on SQLite and (marker ``postgres``) on PostgreSQL."""
    yield from _relay(relay_database_url, clock)


@pytest.fixture
def sqlite_relay(sqlite_relay_url: str, clock: FrozenClock) -> Iterator[Relay]:
    """An in-process relay on SQLite only, for tests about the client alone."""
    yield from _relay(sqlite_relay_url, clock)


@pytest.fixture
def sqlite_relay_process(sqlite_relay_url: str) -> Iterator[RelayProcess]:
    """A real relay process (uvicorn) on 127.0.0.1, on SQLite."""
    process = RelayProcess(free_port(), sqlite_relay_url)
    process.start()
    yield process
    process.stop()


MemberFactory = Callable[..., Member]


def member_factory(tmp_path: Path, relay: Relay, clock: FrozenClock) -> Iterator[MemberFactory]:
    members: list[Member] = []

    def make(name: str, **options: Any) -> Member:
        transport = options.pop("transport", relay.transport)
        member = make_member(name, tmp_path, relay.url, transport, clock=clock, **options)
        member.peers = members
        members.append(member)
        return member

    yield make
    for member in members:
        member.practice.close()


@pytest.fixture
def members(tmp_path: Path, relay: Relay, clock: FrozenClock) -> Iterator[MemberFactory]:
    yield from member_factory(tmp_path, relay, clock)


@pytest.fixture
def sqlite_members(
    tmp_path: Path, sqlite_relay: Relay, clock: FrozenClock
) -> Iterator[MemberFactory]:
    yield from member_factory(tmp_path, sqlite_relay, clock)
