"""A relay that requires Pro Santé Connect: an RPPS number only with an ID token carrying it.

Opt-in (``escap relay --pro-sante-connect ISSUER --psc-client-id ID``). A registration that gives
an RPPS number must carry, in the ``X-Pro-Sante-Connect`` header, an ID token of that provider
for the ESCAP Desktop client id, unexpired, carrying that number, and whose nonce names the
registering device (so a token is good for one device only). Then the device takes the number
away from the devices that merely claimed it; without such a token it is refused (403). A device
that gives no number registers as before.

What it proves: the person who signed in holds that professional's e-CPS or CPS card. What it
does not: that the invited colleague is the one the inviter meant (the invitation's code still
decides who receives a team's keys, on the inviter's device).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

import httpx
from joserfc.jwk import KeySet

from escap_desktop.core.clock import Clock
from escap_desktop.sync.wire import (
    PSC_HEADER,
    IdentityTokenError,
    check_id_token,
    nonce_device,
    rpps_of,
)
from escap_relay.identity import BindingDecision

logger = logging.getLogger(__name__)


class ProSanteConnectVerifier:
    """The :class:`~escap_relay.identity.IdentityVerifier` of a relay that requires PSC."""

    def __init__(
        self,
        issuer: str,
        client_id: str,
        *,
        clock: Clock,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._issuer = issuer.rstrip("/")
        self._client_id = client_id
        self._clock = clock
        self._transport = transport
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    def _provider_keys(self, refresh: bool = False) -> KeySet:
        with self._lock:
            if self._keys is None or refresh:
                with httpx.Client(transport=self._transport, timeout=10.0) as client:
                    discovery = client.get(f"{self._issuer}/.well-known/openid-configuration")
                    discovery.raise_for_status()
                    jwks = client.get(discovery.json()["jwks_uri"])
                    jwks.raise_for_status()
                    self._keys = KeySet.import_key_set(jwks.json())
            return self._keys

    def decide(
        self,
        rpps: str,
        device_id: str,
        bound_device_id: str | None,
        evidence: Mapping[str, str],
    ) -> BindingDecision:
        token = evidence.get(PSC_HEADER.lower()) or evidence.get(PSC_HEADER)
        if not token:
            return BindingDecision.REFUSE
        now = int(self._clock.now().timestamp())
        try:
            try:
                claims = self._check(token, now, refresh=False)
            except IdentityTokenError:
                claims = self._check(token, now, refresh=True)  # the provider rotated its keys
        except (IdentityTokenError, httpx.HTTPError, KeyError, ValueError) as error:
            logger.warning("Jeton Pro Santé Connect refusé : %s", type(error).__name__)
            return BindingDecision.REFUSE
        if rpps_of(claims) != rpps or nonce_device(claims.get("nonce")) != device_id:
            return BindingDecision.REFUSE
        return BindingDecision.REPLACE

    def _check(self, token: str, now: int, *, refresh: bool) -> dict[str, object]:
        return check_id_token(
            token,
            issuer=self._issuer,
            audience=self._client_id,
            keys=self._provider_keys(refresh=refresh),
            now=now,
        )
