"""The relay application: ``create_app(database_url)`` builds it, migrating the schema first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import Engine

from escap_relay import __version__, database
from escap_relay.auth import AuthMiddleware, RequestAuthenticator
from escap_relay.context import RelayContext
from escap_relay.data import devices
from escap_relay.identity import IdentityVerifier, TrustOnFirstUse
from escap_relay.limits import BodyLimitMiddleware, TokenBucketLimiter
from escap_relay.problems import install_handlers
from escap_relay.routes import devices as device_routes
from escap_relay.routes import envelopes, health, invitations, keys, teams
from escap_relay.settings import DEFAULT_DATABASE_URL, RelaySettings

PUBLIC_ROUTES = frozenset({("GET", "/v1/health"), ("POST", device_routes.REGISTRATION_PATH)})


def create_app(
    database_url: str = DEFAULT_DATABASE_URL,
    *,
    settings: RelaySettings | None = None,
    identity_verifier: IdentityVerifier | None = None,
) -> FastAPI:
    """A ready relay on ``database_url`` (``sqlite:///relay.db`` or ``postgresql+psycopg://...``).

    ``identity_verifier`` decides who may bind a key to an RPPS number (trust on first use by
    default; Pro Santé Connect would plug in there).
    """
    settings = settings or RelaySettings()
    engine = database.connect(database_url)
    database.migrate(engine)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
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
    authenticator = RequestAuthenticator(
        lambda device_id: _signing_key(engine, device_id), settings.max_clock_skew_seconds
    )
    app.state.relay = RelayContext(
        engine=engine,
        settings=settings,
        authenticator=authenticator,
        identity_verifier=identity_verifier or TrustOnFirstUse(),
    )
    install_handlers(app)
    for module in (health, device_routes, envelopes, teams, keys, invitations):
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
