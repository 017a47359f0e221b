"""What every route needs, handed over by FastAPI dependencies rather than globals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine

from escap_desktop.core.clock import Clock
from escap_relay.auth import DEVICE_ID, RequestAuthenticator
from escap_relay.identity import IdentityVerifier
from escap_relay.limits import RAW_BODY
from escap_relay.settings import RelaySettings


@dataclass(frozen=True, slots=True)
class RelayContext:
    engine: Engine
    settings: RelaySettings
    authenticator: RequestAuthenticator
    identity_verifier: IdentityVerifier
    clock: Clock


# ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in its thread pool, one
# thread hand-over per dependency and request for what is a dictionary lookup.
async def _context(request: Request) -> RelayContext:
    context: RelayContext = request.app.state.relay
    return context


async def _device_id(request: Request) -> str:
    device_id: str = request.scope["state"][DEVICE_ID]
    return device_id


def raw_body(request: Request) -> bytes:
    body: bytes = request.scope["state"][RAW_BODY]
    return body


Context = Annotated[RelayContext, Depends(_context)]
DeviceId = Annotated[str, Depends(_device_id)]
"""The authenticated device (set by the authentication middleware)."""


def json_response(model: BaseModel, status_code: int = 200) -> Response:
    """Serialises a wire model once (FastAPI would validate it again on the way out)."""
    return Response(model.model_dump_json(), status_code=status_code, media_type="application/json")
