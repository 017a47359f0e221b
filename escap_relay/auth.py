"""Device authentication: every request carries an Ed25519 signature by a registered key.

No passwords: a device proves itself by signing method, path, body hash, a timestamp and a
random nonce (``wire.request_signing_bytes``). The relay refuses timestamps more than 5 minutes
away from its clock, and any nonce it has seen within twice that window, so a captured request
cannot be replayed. Nonces are kept in the database (``data.nonces``), not in memory: a replay
is refused after a restart and by every relay process sharing the database.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import anyio.to_thread
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from escap_desktop.sync.wire import RequestAuth, WireFormatError, key_id_for
from escap_relay.limits import RAW_BODY, TokenBucketLimiter
from escap_relay.problems import ProblemError, from_problem, problem_response

DEVICE_ID = "escap_device_id"
"""Key of ``scope["state"]`` holding the authenticated device id."""


def _refused(detail: str) -> ProblemError:
    return ProblemError(401, "authentification-refusee", detail)


def _replayed() -> ProblemError:
    return _refused("Requête rejouée : ce nonce a déjà été utilisé.")


NonceStore = Callable[[str, str, datetime], bool]
"""Records (device id, nonce, expiry); False when the pair was already recorded."""

AsyncNonceStore = Callable[[str, str, datetime], Awaitable[bool]]
"""The same, awaited on the event loop (``data.nonces.PostgresNonceWriter``)."""


class RequestAuthenticator:
    """Checks signed requests; caches the (immutable) keys of devices.

    A device id is the hash of its signing key, so a cached key never goes stale. Nonces go to
    ``remember_nonce`` (the database), shared by every process and kept across restarts.
    """

    def __init__(
        self,
        find_signing_key: Callable[[str], bytes | None],
        remember_nonce: NonceStore,
        max_skew_seconds: int,
        clock: Callable[[], float],
        remember_nonce_async: AsyncNonceStore | None = None,
    ) -> None:
        self._find_signing_key = find_signing_key
        self._remember_nonce = remember_nonce
        self._remember_nonce_async = remember_nonce_async
        self._max_skew = max_skew_seconds
        self._clock = clock
        self._keys: dict[str, VerifyKey] = {}

    def verify_key(self, device_id: str) -> VerifyKey | None:
        key = self._keys.get(device_id)
        if key is None:
            raw = self._find_signing_key(device_id)
            if raw is None:
                return None
            key = self._keys[device_id] = VerifyKey(raw)
        return key

    async def authenticate(self, method: str, target: str, headers: Headers, body: bytes) -> str:
        """The device id of a correctly signed request, else :class:`ProblemError` 401."""
        auth = self._parse(headers)
        key = self._keys.get(auth.device_id)
        if key is None:
            key = await anyio.to_thread.run_sync(self.verify_key, auth.device_id)
        if key is None:
            raise _refused("Appareil inconnu du relais : enregistrez d'abord cet appareil.")
        expires_at = self._check(auth, key, method, target, body)
        if self._remember_nonce_async is None:
            await anyio.to_thread.run_sync(self._use_nonce, auth, expires_at)
        elif not await self._remember_nonce_async(auth.device_id, auth.nonce, expires_at):
            raise _replayed()
        return auth.device_id

    def authenticate_registration(
        self, method: str, target: str, headers: Headers, body: bytes, signing_key: bytes
    ) -> str:
        """Registration is signed by the key being registered: proof that the caller holds it."""
        auth = self._parse(headers)
        if auth.device_id != key_id_for(signing_key):
            raise _refused("L'identifiant d'appareil ne correspond pas à la clé présentée.")
        expires_at = self._check(auth, VerifyKey(signing_key), method, target, body)
        self._use_nonce(auth, expires_at)
        return auth.device_id

    def _parse(self, headers: Headers) -> RequestAuth:
        try:
            return RequestAuth.from_headers(headers)
        except WireFormatError as error:
            raise _refused("En-têtes d'authentification absents ou invalides.") from error

    def _check(
        self, auth: RequestAuth, key: VerifyKey, method: str, target: str, body: bytes
    ) -> datetime:
        """Timestamp and signature; returns until when the nonce must be remembered."""
        now = self._clock()
        if abs(now - auth.timestamp) > self._max_skew:
            raise _refused(
                "Horodatage de la requête trop éloigné de l'heure du relais : "
                "vérifiez l'horloge de cet ordinateur."
            )
        try:
            key.verify(auth.signing_bytes(method, target, body), auth.signature)
        except BadSignatureError as error:
            raise _refused("Signature de la requête invalide.") from error
        # Signed by the device: only now may it cost a row. Kept past any accepted timestamp.
        return datetime.fromtimestamp(now + 2 * self._max_skew, UTC)

    def _use_nonce(self, auth: RequestAuth, expires_at: datetime) -> None:
        if not self._remember_nonce(auth.device_id, auth.nonce, expires_at):
            raise _replayed()


def request_target(scope: Scope) -> str:
    """The path and query exactly as the client sent (and signed) them."""
    raw_path = scope.get("raw_path") or scope["path"].encode("utf-8")
    query = scope.get("query_string", b"")
    return (raw_path + (b"?" + query if query else b"")).decode("utf-8", "replace")


class AuthMiddleware:
    """Authenticates and rate-limits every ``/v1`` request but the public ones.

    Public requests (health, registration) are rate-limited per client address instead; the
    registration handler checks its own self-signature.
    """

    def __init__(
        self,
        app: ASGIApp,
        authenticator: RequestAuthenticator,
        limiter: TokenBucketLimiter,
        public: frozenset[tuple[str, str]],
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.limiter = limiter
        self.public = public

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        if (scope["method"], scope["path"]) in self.public:
            client = scope.get("client")
            bucket = f"address:{client[0] if client else '?'}"
        else:
            try:
                device_id = await self.authenticator.authenticate(
                    scope["method"], request_target(scope), Headers(scope=scope), state[RAW_BODY]
                )
            except ProblemError as problem:
                await from_problem(problem)(scope, receive, send)
                return
            state[DEVICE_ID] = device_id
            bucket = f"device:{device_id}"
        wait = self.limiter.take(bucket)
        if wait:
            await problem_response(
                429,
                "trop-de-requetes",
                f"Trop de requêtes de cet appareil : réessayez dans {wait} s.",
                headers={"Retry-After": str(wait)},
            )(scope, receive, send)
            return
        await self.app(scope, receive, send)
