"""Sealed team keys: a member delivers them to the team's members; each fetches its own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from escap_desktop.sync.wire import (
    MAX_PULL_LIMIT,
    OPAQUE_ID_PATTERN,
    DeliveredKeyList,
    KeyDeliveryBatch,
    KeyDeliveryReceipt,
    KeyVersionClaim,
)
from escap_relay.context import Context, DeviceId, json_response
from escap_relay.data import keys

router = APIRouter()


@router.post("/v1/teams/{team_id}/keys", response_model=KeyDeliveryReceipt)
def deliver(
    team_id: Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)],
    batch: KeyDeliveryBatch,
    context: Context,
    device_id: DeviceId,
) -> Response:
    key = context.authenticator.verify_key(device_id)
    assert key is not None  # authenticated with this very key
    keys.check_signatures(batch.deliveries, key)
    with context.engine.begin() as connection:
        stored = keys.deliver(connection, team_id, device_id, batch.deliveries, context.clock.now())
    return json_response(KeyDeliveryReceipt(stored=stored))


@router.post("/v1/teams/{team_id}/key-versions", response_model=KeyVersionClaim)
def claim_versions(
    team_id: Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)],
    claim: KeyVersionClaim,
    context: Context,
    device_id: DeviceId,
) -> Response:
    """An administrator's device claims the key versions it renews, before delivering them."""
    with context.engine.begin() as connection:
        keys.claim_versions(connection, team_id, device_id, claim.versions, context.clock.now())
    return json_response(claim)


@router.get("/v1/keys", response_model=DeliveredKeyList)
def my_keys(
    context: Context,
    device_id: DeviceId,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = 200,
) -> Response:
    with context.engine.begin() as connection:
        return json_response(keys.fetch(connection, device_id, after, limit))
