"""Teams the device belongs to, and their members (admin adds/removes, members may leave)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from escap_desktop.sync.wire import (
    KEY_ID_PATTERN,
    OPAQUE_ID_PATTERN,
    MemberAdd,
    MemberList,
    TeamList,
)
from escap_relay.context import Context, DeviceId, json_response
from escap_relay.data import teams

router = APIRouter()

TeamIdPath = Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)]


@router.get("/v1/teams", response_model=TeamList)
def my_teams(context: Context, device_id: DeviceId) -> Response:
    with context.engine.begin() as connection:
        return json_response(teams.list_for(connection, device_id, context.clock.now()))


@router.put("/v1/teams/{team_id}", response_model=MemberList)
def create_team(team_id: TeamIdPath, context: Context, device_id: DeviceId) -> Response:
    """Creates the team with the caller as admin; for a member, a no-op that lists members."""
    with context.engine.begin() as connection:
        teams.lock_for_write(connection, team_id, device_id, context.clock.now())
        return json_response(teams.members(connection, team_id, device_id))


@router.get("/v1/teams/{team_id}/members", response_model=MemberList)
def members(team_id: TeamIdPath, context: Context, device_id: DeviceId) -> Response:
    with context.engine.begin() as connection:
        return json_response(teams.members(connection, team_id, device_id))


@router.post("/v1/teams/{team_id}/members", response_model=MemberList)
def add_member(
    team_id: TeamIdPath, body: MemberAdd, context: Context, device_id: DeviceId
) -> Response:
    with context.engine.begin() as connection:
        teams.add_by_admin(connection, team_id, device_id, body.device_id, context.clock.now())
        return json_response(teams.members(connection, team_id, device_id))


@router.put("/v1/teams/{team_id}/admins/{member_id}", response_model=MemberList)
def make_admin(
    team_id: TeamIdPath,
    member_id: Annotated[str, Path(pattern=KEY_ID_PATTERN)],
    context: Context,
    device_id: DeviceId,
) -> Response:
    """An administrator names a member device administrator (the clients' rule says which);
    a member device that is no administrator asks for it, and two such requests name it."""
    with context.engine.begin() as connection:
        teams.make_admin(connection, team_id, device_id, member_id, context.clock.now())
        return json_response(teams.members(connection, team_id, device_id))


@router.delete("/v1/teams/{team_id}/members/{member_id}", status_code=204)
def remove_member(
    team_id: TeamIdPath,
    member_id: Annotated[str, Path(pattern=KEY_ID_PATTERN)],
    context: Context,
    device_id: DeviceId,
) -> Response:
    """After a removal the admin must rotate the team key (``crypto.rotate_team_key``)."""
    with context.engine.begin() as connection:
        teams.remove(connection, team_id, device_id, member_id)
    return Response(status_code=204)
