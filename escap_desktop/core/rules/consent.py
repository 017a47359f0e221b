"""What each state of the patient's consent allows, in one table.

The flyer's consent is a printed form the patient signs (its scan may be attached). A consent
given orally — at a home visit, the form not yet back — is a distinct state: the team may be
formed and may share what the patient agreed to, but the ESCAP is not activated (nor billed)
until the signed form or its scan is recorded. Every check of the consent (lifecycle, access)
reads this table, so no mode can pass for another.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from escap_desktop.core.entities import Consent, ConsentMode, ConsentStatus


class ConsentStanding(StrEnum):
    NONE = "aucun"
    PRINTED = "imprime"
    ORAL_PENDING = "oral_en_attente"
    SIGNED = "signe"
    REFUSED = "refuse"
    WITHDRAWN = "retire"

    @property
    def label(self) -> str:
        return {
            "aucun": "Non recueilli",
            "imprime": "Formulaire imprimé, non signé",
            "oral_en_attente": "Donné oralement, formulaire signé attendu",
            "signe": "Signé",
            "refuse": "Refusé",
            "retire": "Retiré",
        }[self.value]


@dataclass(frozen=True, slots=True)
class ConsentAllows:
    """``team``: invitations and sharing within the team; ``activation``: the ESCAP may become
    active (and its codes be billed). ``why_not`` is the French reason when something is not."""

    team: bool
    activation: bool
    why_not: str = ""


CONSENT_RULES: Mapping[ConsentStanding, ConsentAllows] = MappingProxyType(
    {
        ConsentStanding.NONE: ConsentAllows(
            False, False, "le consentement du patient n'a pas été recueilli."
        ),
        ConsentStanding.PRINTED: ConsentAllows(
            False, False, "le formulaire de consentement est imprimé mais n'est pas encore signé."
        ),
        ConsentStanding.ORAL_PENDING: ConsentAllows(
            True,
            False,
            "le patient a consenti oralement : enregistrez le formulaire signé (ou son scan) "
            "avant d'activer l'équipe.",
        ),
        ConsentStanding.SIGNED: ConsentAllows(True, True),
        ConsentStanding.REFUSED: ConsentAllows(
            False, False, "le patient a refusé de consentir à l'ESCAP."
        ),
        ConsentStanding.WITHDRAWN: ConsentAllows(
            False, False, "le patient a retiré son consentement."
        ),
    }
)


def standing(consent: Consent | None) -> ConsentStanding:
    if consent is None:
        return ConsentStanding.NONE
    if consent.status is ConsentStatus.WITHDRAWN or consent.withdrawn_on is not None:
        return ConsentStanding.WITHDRAWN
    if consent.status is ConsentStatus.REFUSED:
        return ConsentStanding.REFUSED
    if consent.status is ConsentStatus.PRINTED:
        return ConsentStanding.PRINTED
    if consent.mode is ConsentMode.ORAL:
        return ConsentStanding.ORAL_PENDING
    return ConsentStanding.SIGNED


def allows(consent: Consent | None) -> ConsentAllows:
    return CONSENT_RULES[standing(consent)]
