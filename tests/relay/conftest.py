"""Relays for the tests: in-process on SQLite and on the PostgreSQL that .ci/run starts.

Tests marked ``postgres`` are skipped only outside CI when ESCAP_TEST_PG_URL is unset; in CI
(CI=true) a missing URL fails them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from fastapi import FastAPI
from sqlalchemy.engine import make_url

from escap_relay.app import create_app
from escap_relay.settings import RelaySettings
from tests.relay.client import InProcessTransport, RelayClient


def postgres_server_url() -> str:
    url = os.environ.get("ESCAP_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(
            "ESCAP_TEST_PG_URL absent en CI : .ci/services.sh aurait dû démarrer PostgreSQL"
        )
    pytest.skip("ESCAP_TEST_PG_URL absent (lancer .ci/run pour les tests PostgreSQL)")


def fresh_postgres_database(server_url: str) -> tuple[str, Callable[[], None]]:
    """A new, empty database on the test server, and a function that drops it."""
    url = make_url(server_url)
    name = f"relay_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'relay.db'}"
        return
    url, drop = fresh_postgres_database(postgres_server_url())
    yield url
    drop()


AppFactory = Callable[..., FastAPI]


@pytest.fixture
def make_app(database_url: str) -> Iterator[AppFactory]:
    apps: list[FastAPI] = []

    def make(settings: RelaySettings | None = None) -> FastAPI:
        app = create_app(database_url, settings=settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.state.relay.engine.dispose()


ClientFactory = Callable[..., RelayClient]


@pytest.fixture
def relay(make_app: AppFactory) -> Iterator[Callable[..., RelayClient]]:
    """``relay()`` gives a new device's client on one shared in-process relay."""
    app = make_app()
    clients: list[httpx.Client] = []

    def new_client(**kwargs: object) -> RelayClient:
        http = httpx.Client(transport=InProcessTransport(app), base_url="http://relais.test")
        clients.append(http)
        return RelayClient(http, **kwargs)  # type: ignore[arg-type]

    yield new_client
    for http in clients:
        http.close()
