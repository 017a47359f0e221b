"""Who may bind a device key to an RPPS number: the seam for a national authentication.

Today the relay trusts the first key presented for an RPPS number (trust on first use); the
professionals confirm it by comparing the key fingerprint printed on the invitation. Pro Santé
Connect would plug in here: an :class:`IdentityVerifier` that checks a PSC token sent with the
registration (in ``evidence``, the request headers) and may then allow a new key to replace the
old one (a new computer), which TOFU must refuse.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import Protocol


class BindingDecision(Enum):
    ACCEPT = "accept"
    """Bind the RPPS number to this device (no other device holds it, or it is this one)."""
    REPLACE = "replace"
    """Move the RPPS number from the device that holds it to this one (proven identity)."""
    REFUSE = "refuse"


class IdentityVerifier(Protocol):
    def decide(
        self,
        rpps: str,
        device_id: str,
        bound_device_id: str | None,
        evidence: Mapping[str, str],
    ) -> BindingDecision: ...


class TrustOnFirstUse:
    """The first key registered for an RPPS number keeps it; any other key is refused."""

    def decide(
        self,
        rpps: str,
        device_id: str,
        bound_device_id: str | None,
        evidence: Mapping[str, str],
    ) -> BindingDecision:
        if bound_device_id is None or bound_device_id == device_id:
            return BindingDecision.ACCEPT
        return BindingDecision.REFUSE
