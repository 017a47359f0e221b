"""Device registration (self-signed, the RPPS number a hint) and public key lookup."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from escap_desktop.sync.wire import (
    KEY_ID_PATTERN,
    RPPS_PATTERN,
    DeviceInfo,
    DeviceList,
    DeviceRegistration,
)
from escap_relay.auth import request_target
from escap_relay.context import Context, DeviceId, json_response, raw_body
from escap_relay.data import devices

router = APIRouter()

REGISTRATION_PATH = "/v1/devices"


@router.post(REGISTRATION_PATH, response_model=DeviceInfo, status_code=201)
def register(request: Request, registration: DeviceRegistration, context: Context) -> Response:
    """201 for a new device, 200 when the same keys were already registered."""
    context.authenticator.authenticate_registration(
        request.method,
        request_target(request.scope),
        request.headers,
        raw_body(request),
        registration.signing_key,
    )
    with context.engine.begin() as connection:
        info, created = devices.register(
            connection,
            registration,
            context.identity_verifier,
            request.headers,
            context.clock.now(),
        )
    return json_response(info, 201 if created else 200)


@router.get("/v1/devices", response_model=DeviceList)
def find_by_rpps(
    rpps: Annotated[str, Query(pattern=RPPS_PATTERN)], context: Context, _device: DeviceId
) -> Response:
    with context.engine.begin() as connection:
        return json_response(devices.by_rpps(connection, rpps))


@router.get("/v1/devices/{device_id}", response_model=DeviceInfo)
def get_device(
    device_id: Annotated[str, Path(pattern=KEY_ID_PATTERN)], context: Context, _device: DeviceId
) -> Response:
    with context.engine.begin() as connection:
        return json_response(devices.get(connection, device_id))
