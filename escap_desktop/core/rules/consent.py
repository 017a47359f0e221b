"""What each state of the patient's consent allows, in one table.

The flyer's consent is a printed form the patient signs (its scan may be attached). A consent
given orally — at a home visit, the form not yet back — is a distinct state: the team may be
formed and may share what the patient agreed to, but the ESCAP is not activated (nor billed)
until the signed form or its scan is recorded. Every check of the consent (lifecycle, access)
reads this table, so no mode can pass for another.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from types import MappingProxyType

from escap_desktop.core.entities import (
    Consent,
    ConsentMode,
    ConsentStatus,
    DataCategory,
    Profession,
    Professional,
)
from escap_desktop.core.errors import ConsentError, ValidationError


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


# --- Who the patient designated ---------------------------------------------------------------


def designation_is_open(consent: Consent | None) -> bool:
    """The form named nobody (neither professionals nor kinds): the team is chosen with the
    patient as it forms, and the invitation itself records their choice."""
    return consent is None or (not consent.recipient_ids and not consent.recipient_professions)


def designates(consent: Consent | None, professional: Professional) -> bool:
    """The patient designated this professional, by name or by kind (profession)."""
    if designation_is_open(consent):
        return True
    assert consent is not None
    return (
        professional.id in consent.recipient_ids
        or professional.profession in consent.recipient_professions
    )


def check_recipient(consent: Consent | None, professional: Professional) -> None:
    """ConsentError naming the professional unless the patient designated them."""
    if designates(consent, professional):
        return
    raise ConsentError(
        f"{professional.display_name} ({professional.profession.label}) ne fait pas partie des "
        "professionnels désignés par le patient dans son consentement : modifiez d'abord le "
        "consentement avec le patient (avenant), puis invitez-le."
    )


# --- Amendments -------------------------------------------------------------------------------


def amend(
    consent: Consent | None,
    *,
    scopes: Iterable[DataCategory],
    recipient_ids: Iterable[str],
    recipient_professions: Iterable[Profession] = (),
    on: date,
    today: date,
) -> Consent:
    """The consent with the scope and recipients the patient now agrees to, from ``on``.

    Only a consent the team runs on (signed, or given orally) is amended; a printed form is
    simply edited before signature, a refused or withdrawn one ends the ESCAP. The amendment
    applies at once to what the team shares next (a category taken out is no longer written nor
    received, and its keys are renewed without the members who lost it); the amended form is
    printed for the patient to sign and filed with the first.
    """
    allowed = allows(consent)
    if consent is None or not allowed.team:
        why = allowed.why_not or "le consentement n'est pas en vigueur."
        raise ConsentError(f"Impossible de modifier le consentement : {why}")
    chosen = frozenset(scopes)
    if not chosen:
        raise ValidationError("Cochez au moins une catégorie de données partagées.", field="scopes")
    if on > today:
        raise ValidationError(
            "La date de l'avenant ne peut pas être dans le futur.", field="amended_on"
        )
    since = consent.amended_on or consent.signed_on
    if since is not None and on < since:
        raise ValidationError(
            f"La date de l'avenant ne peut pas précéder le consentement en vigueur "
            f"({since:%d/%m/%Y}).",
            field="amended_on",
        )
    amended = replace(
        consent,
        scopes=chosen,
        recipient_ids=tuple(dict.fromkeys(recipient_ids)),
        recipient_professions=frozenset(recipient_professions),
    )
    if amended == consent:
        raise ValidationError(
            "Rien n'a changé : cochez ou décochez une catégorie, ou modifiez les professionnels "
            "désignés.",
            field="scopes",
        )
    return replace(amended, amendment=consent.amendment + 1, amended_on=on)
