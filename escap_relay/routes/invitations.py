"""Invitations: sent by a team member to a registered device, answered by the invitee."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from escap_desktop.sync.wire import (
    OPAQUE_ID_PATTERN,
    InvitationAnswer,
    InvitationAnswerResult,
    InvitationCreate,
    InvitationList,
    InvitationView,
)
from escap_relay.context import Context, DeviceId, json_response
from escap_relay.data import invitations

router = APIRouter()


@router.post("/v1/invitations", response_model=InvitationView, status_code=201)
def send(body: InvitationCreate, context: Context, device_id: DeviceId) -> Response:
    key = context.authenticator.verify_key(device_id)
    assert key is not None  # authenticated with this very key
    invitations.check_signatures(body, device_id, key)
    with context.engine.begin() as connection:
        view, created = invitations.create(connection, device_id, body, context.clock.now())
    return json_response(view, 201 if created else 200)


@router.get("/v1/invitations", response_model=InvitationList)
def list_invitations(
    context: Context,
    device_id: DeviceId,
    box: Annotated[Literal["received", "sent"], Query()] = "received",
    pending: Annotated[bool, Query()] = True,
) -> Response:
    with context.engine.begin() as connection:
        return json_response(invitations.list_for(connection, device_id, box, pending))


@router.post("/v1/invitations/{invitation_id}/answer", response_model=InvitationAnswerResult)
def answer(
    invitation_id: Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)],
    body: InvitationAnswer,
    context: Context,
    device_id: DeviceId,
) -> Response:
    with context.engine.begin() as connection:
        return json_response(
            invitations.answer(
                connection,
                device_id,
                invitation_id,
                body.accept,
                context.clock.now(),
                proof=body.proof,
            )
        )


@router.post("/v1/invitations/{invitation_id}/confirm", response_model=InvitationView)
def confirm(
    invitation_id: Annotated[str, Path(pattern=OPAQUE_ID_PATTERN)],
    context: Context,
    device_id: DeviceId,
) -> Response:
    """The inviter checked the invitee's proof (which the relay cannot): add it to the team."""
    with context.engine.begin() as connection:
        return json_response(
            invitations.confirm(connection, device_id, invitation_id, context.clock.now())
        )
