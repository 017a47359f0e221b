"""A team's file sent again by a member's device (``escap_relay.data.history``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from escap_desktop.sync.wire import OPAQUE_ID_PATTERN, HistoryClaim, HistoryState
from escap_relay.context import Context, DeviceId, json_response
from escap_relay.data import history

router = APIRouter()

TeamIdPath = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)]


@router.get("/v1/teams/{team_id}/history", response_model=HistoryState)
def history_state(team_id: TeamIdPath, context: Context, device_id: DeviceId) -> Response:
    with context.engine.begin() as connection:
        return json_response(history.state(connection, team_id, device_id))


@router.post("/v1/teams/{team_id}/history/request", response_model=HistoryState)
def request_history(team_id: TeamIdPath, context: Context, device_id: DeviceId) -> Response:
    """A device below the purged part asks a member to send the team's file again."""
    with context.engine.begin() as connection:
        return json_response(history.request(connection, team_id, device_id, context.clock.now()))


@router.post("/v1/teams/{team_id}/history/claim", response_model=HistoryState)
def claim_history(
    team_id: TeamIdPath, body: HistoryClaim, context: Context, device_id: DeviceId
) -> Response:
    with context.engine.begin() as connection:
        return json_response(
            history.claim(connection, team_id, device_id, body.base_seq, context.clock.now())
        )


@router.post("/v1/teams/{team_id}/history/complete", response_model=HistoryState)
def complete_history(
    team_id: TeamIdPath, body: HistoryClaim, context: Context, device_id: DeviceId
) -> Response:
    with context.engine.begin() as connection:
        return json_response(history.complete(connection, team_id, device_id, body.base_seq))
