"""Request size and request rate limits, enforced before any parsing or database work."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from escap_relay.problems import problem_response

RAW_BODY = "escap_raw_body"
"""Key of ``scope["state"]`` holding the whole request body, read once by the middleware."""


class BodyLimitMiddleware:
    """Refuses bodies over the limit with 413: by Content-Length at once, else while streaming.

    The body is read here, once, and kept in the request state: the signature check needs its
    exact bytes, and the application then reads the same bytes again.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await problem_response(
                    400, "longueur-invalide", "En-tête Content-Length invalide."
                )(scope, receive, send)
                return
            if int(declared) > self.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        scope.setdefault("state", {})[RAW_BODY] = body
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        await problem_response(
            413,
            "requete-trop-volumineuse",
            f"Le corps de la requête dépasse {self.max_body_bytes} octets.",
            headers={"Connection": "close"},
        )(scope, receive, send)


class TokenBucketLimiter:
    """One token bucket per key (a device id, or an address before authentication), in memory.

    In memory is enough for one relay process; a relay run as several processes would share
    buckets in the database or a cache instead.
    """

    def __init__(
        self, rate_per_second: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = rate_per_second
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """0 when a token was taken; otherwise the seconds to wait (for ``Retry-After``)."""
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))
