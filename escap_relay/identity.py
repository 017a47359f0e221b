"""Who may give an RPPS number with a device key: the seam for a national authentication.

By default the number is a **hint for discovery** (:class:`DiscoveryHint`): any device may give
it, several devices may share it, and nobody is locked out by whoever came first. Who receives a
team's keys is decided by the inviter's device from the invitation's one-time code
(``escap_desktop/sync/join_proof.py``), not by the relay. Pro Santé Connect would plug in here:
an :class:`IdentityVerifier` that checks a PSC ID token sent with the registration (in
``evidence``, the request headers) and refuses a number the token does not carry, or lets a
proven device take the number away from the devices that only claimed it (REPLACE).
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Protocol


class BindingDecision(Enum):
    ACCEPT = "accept"
    """Bind the RPPS number to this device (no other device holds it, or it is this one)."""
    REPLACE = "replace"
    """Take the RPPS number away from the other devices that gave it (proven identity)."""
    REFUSE = "refuse"


class IdentityVerifier(Protocol):
    def decide(
        self,
        rpps: str,
        device_id: str,
        bound_device_id: str | None,
        evidence: Mapping[str, str],
    ) -> BindingDecision: ...


class DiscoveryHint:
    """Every device may give the number; it only helps colleagues find the devices to invite."""

    def decide(
        self,
        rpps: str,
        device_id: str,
        bound_device_id: str | None,
        evidence: Mapping[str, str],
    ) -> BindingDecision:
        return BindingDecision.ACCEPT
