"""A small signed client for the relay API, as the desktop's sync client will talk to it.

Kept in the tests for now; the outbox/push/pull client can start from it.
"""

from __future__ import annotations

from typing import Any

import anyio
import httpx
from fastapi import FastAPI

from escap_desktop.sync.crypto import DeviceKeys, sign_request
from escap_desktop.sync.wire import (
    DeviceRegistration,
    Envelope,
    InvitationAnswer,
    InvitationCreate,
    KeyDelivery,
    KeyDeliveryBatch,
    MemberAdd,
    PushRequest,
)


class InProcessTransport(httpx.BaseTransport):
    """Synchronous httpx transport calling the ASGI app in-process (no socket, no thread).

    Starlette's TestClient would do, but it warns about httpx (warnings are errors here).
    """

    def __init__(self, app: FastAPI) -> None:
        self._asgi = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        chunks = list(request.stream)  # type: ignore[arg-type]
        forwarded = httpx.Request(
            request.method, request.url, headers=request.headers, stream=_AsyncChunks(chunks)
        )

        async def call() -> httpx.Response:
            response = await self._asgi.handle_async_request(forwarded)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return anyio.run(call)


class _AsyncChunks(httpx.AsyncByteStream):
    """The request body, chunk by chunk as the caller sent it (streamed bodies stay streamed)."""

    def __init__(self, chunks: list[bytes]) -> None:
        self._chunks = chunks

    async def __aiter__(self):  # type: ignore[no-untyped-def]
        for chunk in self._chunks:
            yield chunk


class RelayClient:
    """Signs every request with the device's keys (``crypto.sign_request``)."""

    def __init__(self, http: httpx.Client, keys: DeviceKeys | None = None) -> None:
        self.http = http
        self.keys = keys or DeviceKeys.generate()

    @property
    def device_id(self) -> str:
        return self.keys.key_id

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: bytes | None = None,
        params: dict[str, Any] | None = None,
        signed: bool = True,
        headers: dict[str, str] | None = None,
        now: float | None = None,
    ) -> httpx.Response:
        body = json_body or b""
        request = self.http.build_request(
            method,
            path,
            content=body if json_body is not None else None,
            params=params,
            headers={"Content-Type": "application/json"} if json_body is not None else None,
        )
        if signed:
            target = request.url.raw_path.decode("ascii")
            request.headers.update(sign_request(self.keys, method, target, body, now=now))
        if headers:
            request.headers.update(headers)
        return self.http.send(request)

    def request_headers(self, method: str, target: str, body: bytes = b"") -> dict[str, str]:
        return sign_request(self.keys, method, target, body)

    def register(self, rpps: str | None = None) -> httpx.Response:
        public = self.keys.public
        registration = DeviceRegistration(
            signing_key=public.signing_key, encryption_key=public.encryption_key, rpps=rpps
        )
        return self.request(
            "POST", "/v1/devices", json_body=registration.model_dump_json().encode()
        )

    def push(self, envelopes: list[Envelope]) -> httpx.Response:
        body = PushRequest(envelopes=envelopes).model_dump_json().encode()
        return self.request("POST", "/v1/envelopes", json_body=body)

    def pull(self, team_id: str, after: int = 0, limit: int | None = None) -> httpx.Response:
        params: dict[str, Any] = {"after": after}
        if limit is not None:
            params["limit"] = limit
        return self.request("GET", f"/v1/teams/{team_id}/envelopes", params=params)

    def create_team(self, team_id: str) -> httpx.Response:
        return self.request("PUT", f"/v1/teams/{team_id}")

    def teams(self) -> httpx.Response:
        return self.request("GET", "/v1/teams")

    def members(self, team_id: str) -> httpx.Response:
        return self.request("GET", f"/v1/teams/{team_id}/members")

    def add_member(self, team_id: str, device_id: str) -> httpx.Response:
        body = MemberAdd(device_id=device_id).model_dump_json().encode()
        return self.request("POST", f"/v1/teams/{team_id}/members", json_body=body)

    def remove_member(self, team_id: str, device_id: str) -> httpx.Response:
        return self.request("DELETE", f"/v1/teams/{team_id}/members/{device_id}")

    def deliver_keys(self, team_id: str, deliveries: list[KeyDelivery]) -> httpx.Response:
        body = KeyDeliveryBatch(deliveries=deliveries).model_dump_json().encode()
        return self.request("POST", f"/v1/teams/{team_id}/keys", json_body=body)

    def my_keys(self, after: int = 0) -> httpx.Response:
        return self.request("GET", "/v1/keys", params={"after": after})

    def lookup_rpps(self, rpps: str) -> httpx.Response:
        return self.request("GET", "/v1/devices", params={"rpps": rpps})

    def invite(self, invitation: InvitationCreate) -> httpx.Response:
        return self.request(
            "POST", "/v1/invitations", json_body=invitation.model_dump_json().encode()
        )

    def invitations(self, box: str = "received", pending: bool = True) -> httpx.Response:
        return self.request(
            "GET", "/v1/invitations", params={"box": box, "pending": str(pending).lower()}
        )

    def answer(
        self, invitation_id: str, accept: bool, proof: bytes | None = None
    ) -> httpx.Response:
        body = InvitationAnswer(accept=accept, proof=proof).model_dump_json().encode()
        return self.request("POST", f"/v1/invitations/{invitation_id}/answer", json_body=body)

    def confirm(self, invitation_id: str) -> httpx.Response:
        return self.request("POST", f"/v1/invitations/{invitation_id}/confirm")
