"""Push a batch of envelopes; pull one team's envelopes after a cursor, page by page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from escap_desktop.sync.wire import (
    MAX_PULL_LIMIT,
    OPAQUE_ID_PATTERN,
    PullPage,
    PushRequest,
    PushResponse,
)
from escap_relay.context import Context, DeviceId, json_response
from escap_relay.data import envelopes

router = APIRouter()


@router.post("/v1/envelopes", response_model=PushResponse)
def push(request: PushRequest, context: Context, device_id: DeviceId) -> Response:
    key = context.authenticator.verify_key(device_id)
    assert key is not None  # the middleware authenticated this device with this very key
    digests = envelopes.check_authorship(request.envelopes, device_id, key)
    with context.engine.begin() as connection:
        results = envelopes.push(
            connection, device_id, request.envelopes, context.clock.now(), digests
        )
    return json_response(PushResponse(results=results))


@router.get("/v1/teams/{team_id}/envelopes", response_model=PullPage)
def pull(
    team_id: Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)],
    context: Context,
    device_id: DeviceId,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int | None, Query(ge=1, le=MAX_PULL_LIMIT)] = None,
) -> Response:
    with context.engine.begin() as connection:
        page, next_cursor, has_more = envelopes.pull(
            connection, device_id, team_id, after, limit or context.settings.default_pull_limit
        )
    # The stored envelopes are the canonical JSON validated at push time: spliced in as is.
    items = b",".join(b'{"seq":%d,"envelope":%s}' % (seq, body) for seq, body in page)
    content = b'{"team_id":"%s","envelopes":[%s],"next_cursor":%d,"has_more":%s}' % (
        team_id.encode("ascii"),
        items,
        next_cursor,
        b"true" if has_more else b"false",
    )
    return Response(content, media_type="application/json")
