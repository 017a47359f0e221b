"""Pseudonymisation of the evaluation export: salted keys and age bands instead of identities.

The key is an HMAC-SHA256 of the record id under a secret salt kept by this installation only:
the same patient gets the same key in every export from this installation (so evaluators can
follow episodes and restarts), while nobody without the salt can recompute or reverse it, not
even from the NIR, since the NIR is never hashed.
"""

from __future__ import annotations

import hashlib
import hmac

from escap_desktop.exports.errors import ExportError

MIN_SALT_BYTES = 16
KEY_HEX_LENGTH = 16

# Upper bound (exclusive) of each band, and its label; the last band is open-ended.
AGE_BANDS: tuple[tuple[int, str], ...] = ((65, "<65"), (75, "65-74"), (85, "75-84"))
OLDEST_BAND = "85+"


def _key(salt: bytes, domain: str, record_id: str) -> str:
    if len(salt) < MIN_SALT_BYTES:
        raise ExportError(
            "La clé de pseudonymisation de cette installation est trop courte : l'export est "
            "refusé pour ne pas exposer les patients."
        )
    digest = hmac.new(salt, f"{domain}:{record_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:KEY_HEX_LENGTH]


def patient_key(salt: bytes, patient_id: str) -> str:
    """The patient's pseudonym: 16 hex characters, stable for this installation's salt."""
    return _key(salt, "patient", patient_id)


def professional_key(salt: bytes, professional_id: str) -> str:
    """A professional's pseudonym, in a separate domain so it never equals a patient's key."""
    return _key(salt, "professionnel", professional_id)


def age_band(age: int | None) -> str:
    """ "<65", "65-74", "75-84" or "85+"; empty when the age is unknown."""
    if age is None:
        return ""
    for upper, label in AGE_BANDS:
        if age < upper:
            return label
    return OLDEST_BAND
