"""The desktop's client of the relay API (``docs/relay.md``): signed requests, typed answers.

Every request is signed with the device keys (``crypto.sign_request``, a fresh nonce each try)
and goes only to the configured relay. Transient failures (no answer, 429, 502-504) are retried
a few times with a growing wait (:class:`~sync.backoff.RetryPolicy`, injected sleeper); every
request the client retries is idempotent on the relay (pushes by record id, invitations by id,
identical key deliveries), so a lost answer never duplicates anything. What still fails becomes
a :class:`RelayUnavailableError` or a :class:`RelayRefusedError`, with a French sentence.
"""

from __future__ import annotations

import functools
import logging
import math
import ssl
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from escap_desktop.core.errors import SyncError
from escap_desktop.sync.backoff import RetryPolicy, Sleeper, real_sleep
from escap_desktop.sync.crypto import DeviceKeys, sign_request
from escap_desktop.sync.wire import (
    MAX_BATCH_ENVELOPES,
    PSC_HEADER,
    DeliveredKeyList,
    DeviceInfo,
    DeviceList,
    DeviceRegistration,
    Envelope,
    HistoryClaim,
    HistoryState,
    InvitationAnswer,
    InvitationAnswerResult,
    InvitationCreate,
    InvitationList,
    InvitationView,
    KeyDelivery,
    KeyDeliveryBatch,
    KeyDeliveryReceipt,
    KeyVersionClaim,
    MemberList,
    Problem,
    PullPage,
    PushRequest,
    PushResponse,
    TeamList,
)

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
MAX_RESPONSE_BYTES = 96 * 1024 * 1024
"""Largest answer read from the relay: a full pull page of the default size (200 envelopes of
at most ``wire.MAX_ENVELOPE_BYTES``) fits; a hostile relay cannot make the client hold more."""
_TRANSIENT_STATUS = frozenset({429, 502, 503, 504})

UNREACHABLE_MESSAGE = (
    "Le relais de synchronisation est injoignable ({url}) : vos modifications restent "
    "enregistrées sur cet ordinateur et partiront à la prochaine synchronisation."
)


UNTRUSTED_MESSAGE = (
    "Le relais {url} présente un certificat que ce poste ne reconnaît pas : la connexion est "
    "refusée et rien n'a été envoyé. Vérifiez l'adresse du relais, ou demandez à son exploitant "
    "un certificat d'une autorité reconnue. Vos modifications restent sur cet ordinateur."
)


class RelayUnavailableError(SyncError):
    """No usable answer from the relay (network down, relay stopped, overloaded)."""


class RelayUntrustedError(SyncError):
    """The server at the relay's address did not prove it is the relay (its certificate): not
    retried — it is not a passing failure, and nothing is sent to it."""


class RelayRefusedError(SyncError):
    """The relay answered with a problem document; ``slug`` names it for the code, ``extra``
    holds its extension members (``purged_seq``, ``resume_from``...)."""

    def __init__(
        self, message: str, status: int, slug: str, extra: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.status = status
        self.slug = slug
        self.extra = extra or {}


HISTORY_PURGED_MESSAGE = (
    "Des enregistrements d'une ESCAP partagée ont été effacés du relais (durée de conservation "
    "dépassée) avant que cet ordinateur ne les reçoive. Un autre membre de l'équipe va vous "
    "renvoyer le dossier : son application le fait d'elle-même à sa prochaine synchronisation, "
    "et il arrivera ici à la suivante. Vos autres ESCAP et vos modifications continuent de se "
    "synchroniser."
)


class HistoryPurgedError(RelayRefusedError):
    """The team's history after this device's cursor is partly purged on the relay (410).

    The device must not skip the gap silently. ``resume_from``: a member's device sent the
    team's file again, its state covering everything up to that cursor — the device resumes
    there (``sync/history.py``); None until one has, and the cycle asks for it, goes on for the
    other teams, then raises this so ``escap sync`` and the GUI status bar show it.
    """

    def __init__(self, team_id: str, resume_from: int | None = None) -> None:
        super().__init__(HISTORY_PURGED_MESSAGE, 410, "historique-efface")
        self.team_id = team_id
        self.resume_from = resume_from


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The trust store (certifi's, as httpx's default), read once per process: every sync opens
    a new client, and reading the authorities again cost 10 to 25 ms each time (issue 19).
    A context verifies every connection it wraps the same way, shared or not."""
    return httpx.create_ssl_context(trust_env=False)


class RelayClient:
    """One device talking to one relay."""

    def __init__(
        self,
        base_url: str,
        keys: DeviceKeys,
        *,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        retry: RetryPolicy | None = None,
        sleep: Sleeper = real_sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.keys = keys
        self._http = httpx.Client(
            base_url=self.base_url,
            transport=transport,
            timeout=timeout,
            follow_redirects=False,  # never anywhere but the configured relay
            trust_env=False,  # no proxy settings from the environment in front of it
            verify=_tls_context(),
        )
        self._retry = retry or RetryPolicy()
        self._sleep = sleep
        self.requests = 0

    @property
    def device_id(self) -> str:
        return self.keys.key_id

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> RelayClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- the API ----------------------------------------------------------------------------

    def register(self, rpps: str | None, *, identity_token: str | None = None) -> DeviceInfo:
        """``identity_token``: a Pro Santé Connect ID token for this device, for a relay that
        requires one to give an RPPS number (``escap_relay/pro_sante_connect.py``)."""
        public = self.keys.public
        body = DeviceRegistration(
            signing_key=public.signing_key, encryption_key=public.encryption_key, rpps=rpps
        )
        headers = {PSC_HEADER: identity_token} if identity_token else None
        return self._call("POST", "/v1/devices", DeviceInfo, body=body, headers=headers)

    def devices_by_rpps(self, rpps: str) -> list[DeviceInfo]:
        """Every device giving this RPPS number (a hint: see ``sync/join_proof.py``)."""
        found = self._call_or_none("GET", "/v1/devices", DeviceList, params={"rpps": rpps})
        return [] if found is None else found.devices

    def device(self, device_id: str) -> DeviceInfo | None:
        return self._call_or_none("GET", f"/v1/devices/{device_id}", DeviceInfo)

    def push(self, envelopes: list[Envelope], *, bodies: list[bytes] | None = None) -> PushResponse:
        """``bodies``: each envelope's JSON (``Envelope.to_json``) when the caller has it
        already (the outbox stores it), spliced into the request instead of serialised again."""
        if bodies is None:
            return self._call(
                "POST", "/v1/envelopes", PushResponse, body=PushRequest(envelopes=envelopes)
            )
        if len(bodies) != len(envelopes) or not 1 <= len(bodies) <= MAX_BATCH_ENVELOPES:
            raise ValueError(
                f"un lot d'envoi compte de 1 à {MAX_BATCH_ENVELOPES} enveloppes, chacune en JSON"
            )
        content = b'{"envelopes":[' + b",".join(bodies) + b"]}"
        return self._call("POST", "/v1/envelopes", PushResponse, content=content)

    def pull(self, team_id: str, after: int, limit: int) -> PullPage:
        """A page after ``after``; :class:`HistoryPurgedError` when records after it are gone."""
        try:
            page = self._call(
                "GET",
                f"/v1/teams/{team_id}/envelopes",
                PullPage,
                params={"after": after, "limit": limit},
            )
        except RelayRefusedError as error:
            if error.status == 410 and error.slug == "historique-efface":
                resume = error.extra.get("resume_from")
                valid = type(resume) is int and after < resume <= 2**62
                raise HistoryPurgedError(team_id, resume if valid else None) from error
            raise
        if (
            page.team_id != team_id
            or len(page.envelopes) > limit
            or page.next_cursor < after
            or any(item.envelope.team_id != team_id for item in page.envelopes)
        ):
            raise RelayRefusedError(
                "Réponse du relais incohérente (page d'une autre équipe ou trop longue).",
                200,
                "page-incoherente",
            )
        return page

    def teams(self) -> TeamList:
        return self._call("GET", "/v1/teams", TeamList)

    def create_team(self, team_id: str) -> MemberList:
        return self._call("PUT", f"/v1/teams/{team_id}", MemberList)

    def members(self, team_id: str) -> MemberList | None:
        """None when this device is not (or no longer) a member."""
        return self._call_or_none("GET", f"/v1/teams/{team_id}/members", MemberList)

    def remove_member(self, team_id: str, device_id: str) -> None:
        try:
            self._send("DELETE", f"/v1/teams/{team_id}/members/{device_id}")
        except RelayRefusedError as error:
            if error.status != 404:  # already gone (a retried removal): fine
                raise

    def request_history(self, team_id: str) -> HistoryState:
        """Asks a member's device to send the team's file again (this device lost part of it)."""
        return self._call("POST", f"/v1/teams/{team_id}/history/request", HistoryState, body=None)

    def claim_history(self, team_id: str, base_seq: int) -> HistoryState | None:
        """Reserves the resend of the team's file for this device; None when it is not (or no
        longer) wanted, already sent by another device, or beyond what this device holds."""
        return self._history_step(team_id, "claim", base_seq)

    def complete_history(self, team_id: str, base_seq: int) -> HistoryState | None:
        """The resend is pushed; None when the relay no longer counts it (claim expired or
        purged beyond its base meanwhile: another resend will be asked for)."""
        return self._history_step(team_id, "complete", base_seq)

    def _history_step(self, team_id: str, step: str, base_seq: int) -> HistoryState | None:
        """A resend's claim or completion; None on the relay's 409 (not, or no longer, ours)."""
        try:
            return self._call(
                "POST",
                f"/v1/teams/{team_id}/history/{step}",
                HistoryState,
                body=HistoryClaim(base_seq=base_seq),
            )
        except RelayRefusedError as error:
            if error.status == 409:
                return None
            raise

    def make_admin(self, team_id: str, device_id: str) -> MemberList:
        """Names a member device administrator of the team (from an administrator's device),
        or asks for it (from another member's: two such requests name it)."""
        return self._call("PUT", f"/v1/teams/{team_id}/admins/{device_id}", MemberList, body=None)

    def claim_key_versions(self, team_id: str, versions: list[int]) -> KeyVersionClaim:
        """Claims the key versions this administrator's device renews, before delivering
        them; ``RelayRefusedError`` 409 ``version-attribuee`` when another claimed one first."""
        return self._call(
            "POST",
            f"/v1/teams/{team_id}/key-versions",
            KeyVersionClaim,
            body=KeyVersionClaim(versions=versions),
        )

    def deliver_keys(self, team_id: str, deliveries: list[KeyDelivery]) -> KeyDeliveryReceipt:
        return self._call(
            "POST",
            f"/v1/teams/{team_id}/keys",
            KeyDeliveryReceipt,
            body=KeyDeliveryBatch(deliveries=deliveries),
        )

    def my_keys(self, after: int) -> DeliveredKeyList:
        return self._call("GET", "/v1/keys", DeliveredKeyList, params={"after": after})

    def invite(self, invitation: InvitationCreate) -> InvitationView:
        return self._call("POST", "/v1/invitations", InvitationView, body=invitation)

    def invitations(self, box: str, *, pending: bool) -> InvitationList:
        return self._call(
            "GET",
            "/v1/invitations",
            InvitationList,
            params={"box": box, "pending": "true" if pending else "false"},
        )

    def answer(
        self, invitation_id: str, *, accept: bool, proof: bytes | None = None
    ) -> InvitationAnswerResult:
        return self._call(
            "POST",
            f"/v1/invitations/{invitation_id}/answer",
            InvitationAnswerResult,
            body=InvitationAnswer(accept=accept, proof=proof),
        )

    def confirm(self, invitation_id: str) -> InvitationView:
        """The invitee proved the invitation's code: the relay adds it to the team."""
        return self._call(
            "POST", f"/v1/invitations/{invitation_id}/confirm", InvitationView, body=None
        )

    # -- plumbing ---------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        *,
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> M:
        response = self._send(
            method, path, body=body, params=params, headers=headers, content=content
        )
        try:
            return model.model_validate_json(response.content)
        except PydanticValidationError as error:
            raise RelayRefusedError(
                "Réponse du relais illisible : vérifiez l'adresse du relais.",
                response.status_code,
                "reponse-illisible",
            ) from error

    def _call_or_none(
        self, method: str, path: str, model: type[M], *, params: dict[str, Any] | None = None
    ) -> M | None:
        try:
            return self._call(method, path, model, params=params)
        except RelayRefusedError as error:
            if error.status == 404:
                return None
            raise

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: BaseModel | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        """``content``: a JSON body already serialised, in place of ``body``."""
        has_body = body is not None or content is not None
        if content is None:
            content = body.model_dump_json().encode("utf-8") if body is not None else b""
        attempt = 0
        while True:
            attempt += 1
            request = self._http.build_request(
                method,
                path,
                params=params,
                content=content if has_body else None,
                headers={
                    **({"Content-Type": "application/json"} if has_body else {}),
                    **(headers or {}),
                },
            )
            target = request.url.raw_path.decode("ascii")
            request.headers.update(sign_request(self.keys, method, target, content))
            self.requests += 1
            retry_after: float | None = None
            try:
                response = self._receive(request)
            except httpx.TransportError as error:
                if _certificate_refused(error):
                    raise RelayUntrustedError(UNTRUSTED_MESSAGE.format(url=self.base_url)) from None
                failure: Exception = error
                logger.info("Relais injoignable (%s %s) : %s", method, path, type(error).__name__)
            else:
                if response.status_code < 400:
                    return response
                if response.status_code not in _TRANSIENT_STATUS:
                    raise _refusal(response)
                failure = _refusal(response)
                retry_after = _retry_after(response)
            if attempt >= self._retry.attempts:
                if isinstance(failure, RelayRefusedError) and failure.status == 429:
                    raise failure
                raise RelayUnavailableError(UNREACHABLE_MESSAGE.format(url=self.base_url)) from (
                    failure
                )
            self._sleep(self._retry.delay(attempt, retry_after))

    def _receive(self, request: httpx.Request) -> httpx.Response:
        """Sends and reads the answer, never more than MAX_RESPONSE_BYTES of it."""
        response = self._http.send(request, stream=True)
        try:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_RESPONSE_BYTES:
                    raise RelayRefusedError(
                        "Réponse du relais trop volumineuse : refusée.",
                        response.status_code,
                        "reponse-trop-volumineuse",
                    )
                chunks.append(chunk)
        finally:
            response.close()
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            content=b"".join(chunks),
            request=request,
        )


def _certificate_refused(error: BaseException) -> bool:
    """Whether a transport failure is the server's certificate failing verification."""
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _refusal(response: httpx.Response) -> RelayRefusedError:
    try:
        problem = Problem.model_validate_json(response.content)
    except PydanticValidationError:
        return RelayRefusedError(
            f"Le relais a refusé la demande (code {response.status_code}).",
            response.status_code,
            "inconnu",
        )
    slug = problem.type.rsplit(":", 1)[-1]
    message = problem.detail or problem.title
    return RelayRefusedError(
        f"Relais : {message}", response.status_code, slug, dict(problem.model_extra or {})
    )


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if math.isfinite(seconds) else None
