"""The relay application: ``create_app(database_url)`` builds it, migrating the schema first."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI
from sqlalchemy import Engine

from escap_desktop.core.clock import SYSTEM_CLOCK, Clock
from escap_relay import __version__, database, retention
from escap_relay.auth import AuthMiddleware, RequestAuthenticator
from escap_relay.context import RelayContext
from escap_relay.data import devices, nonces
from escap_relay.identity import DiscoveryHint, IdentityVerifier
from escap_relay.limits import BodyLimitMiddleware, TokenBucketLimiter
from escap_relay.problems import install_handlers
from escap_relay.routes import devices as device_routes
from escap_relay.routes import envelopes, health, history, invitations, keys, teams
from escap_relay.settings import DEFAULT_DATABASE_URL, RelaySettings

PUBLIC_ROUTES = frozenset({("GET", "/v1/health"), ("POST", device_routes.REGISTRATION_PATH)})


def create_app(
    database_url: str = DEFAULT_DATABASE_URL,
    *,
    settings: RelaySettings | None = None,
    identity_verifier: IdentityVerifier | None = None,
    clock: Clock | None = None,
) -> FastAPI:
    """A ready relay on ``database_url`` (``sqlite:///relay.db`` or ``postgresql+psycopg://...``).

    ``identity_verifier`` decides who may give an RPPS number (anyone by default: it is a hint;
    ``escap_relay.pro_sante_connect`` requires a Pro Santé Connect ID token). ``clock`` dates
    what the relay stores and decides what retention purges (the machine's clock unless a test
    pins it). While it serves, the relay purges old envelopes and expired nonces every
    ``settings.purge_interval_seconds`` (``retention``).
    """
    settings = settings or RelaySettings()
    clock = clock or SYSTEM_CLOCK
    engine = database.connect(database_url)
    database.migrate(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        purging = None
        if nonce_writer is not None:
            nonce_writer.start()
        if settings.purge_interval_seconds > 0:
            # Once before serving (a relay back after a long stop purges first), then regularly.
            await anyio.to_thread.run_sync(retention.purge_logged, engine, settings, clock)
            purging = asyncio.create_task(retention.purge_periodically(engine, settings, clock))
        yield
        if purging is not None:
            purging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purging
        if nonce_writer is not None:
            await nonce_writer.close()
        engine.dispose()

    app = FastAPI(
        redirect_slashes=False,  # a wrong path gets a 404 problem document, not a redirect
        title="Relais ESCAP",
        version=__version__,
        description="Relais chiffré de bout en bout entre les membres des équipes ESCAP.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    # On PostgreSQL the nonce of every request is recorded from the event loop (no thread
    # hand-over); SQLite records it in a worker thread, in its own transaction.
    nonce_writer = (
        nonces.PostgresNonceWriter(
            engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        )
        if engine.dialect.name == "postgresql"
        else None
    )
    authenticator = RequestAuthenticator(
        lambda device_id: _signing_key(engine, device_id),
        lambda device_id, nonce, expires_at: nonces.remember(engine, device_id, nonce, expires_at),
        settings.max_clock_skew_seconds,
        # A request's timestamp is the sending machine's clock: it is checked against this
        # machine's, whatever ``clock`` dates the records with.
        SYSTEM_CLOCK.timestamp,
        remember_nonce_async=None if nonce_writer is None else nonce_writer.remember,
    )
    app.state.relay = RelayContext(
        engine=engine,
        settings=settings,
        authenticator=authenticator,
        identity_verifier=identity_verifier or DiscoveryHint(),
        clock=clock,
    )
    install_handlers(app)
    for module in (health, device_routes, envelopes, teams, history, keys, invitations):
        app.include_router(module.router)
    # Starlette runs the last added middleware first: size limit, then authentication.
    app.add_middleware(
        AuthMiddleware,
        authenticator=authenticator,
        limiter=TokenBucketLimiter(settings.rate_per_second, settings.rate_burst),
        public=PUBLIC_ROUTES,
    )
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes)
    return app


def _signing_key(engine: Engine, device_id: str) -> bytes | None:
    with engine.connect() as connection:
        return devices.signing_key(connection, device_id)
