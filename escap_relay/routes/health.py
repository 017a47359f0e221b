"""Health check: is the relay up and its database reachable (public, not signed)."""

from __future__ import annotations

from fastapi import APIRouter
from sqlalchemy import text

from escap_relay import __version__
from escap_relay.context import Context

router = APIRouter()


@router.get("/v1/health")
def health(context: Context) -> dict[str, str]:
    with context.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return {"status": "ok", "version": __version__}
