"""Access by data category: which category a record belongs to, who may read and write it.

The consent names the categories the patient allows the team to share (``Consent.scopes``);
health data and social data need separate access. A member reads a category when both the
patient's consent and their profession allow it:

- health professionals: medical, social and administrative data;
- social and medico-social actors (social worker, home help, other): social and
  administrative data, never medical data.

Administrative records (the episode, memberships, the consent itself, the patient's identity,
professionals, billing) are what the team needs to exist at all: every member reads them,
whatever the scopes. Without any consent record yet (the episode is being assessed) the
profession alone decides: the data has not been shared with anyone. On their own store, the
author of a record always reads it (a GP keeps seeing the grid they filled in when the consent
leaves medical data out of the sharing).

Messages and actions carry their category; events and grid assessments are medical (a
hospitalisation, an inclusion score); everything else is administrative.
"""

from __future__ import annotations

from collections.abc import Sequence

from escap_desktop.core.entities import (
    Action,
    Consent,
    DataCategory,
    Event,
    GridAssessment,
    Message,
    Profession,
)
from escap_desktop.core.errors import ConsentError

_SOCIAL_ACTOR_CATEGORIES = frozenset({DataCategory.SOCIAL, DataCategory.ADMINISTRATIVE})
_ALWAYS = frozenset({DataCategory.ADMINISTRATIVE})

# Entity kinds (as named on the wire) whose category is fixed.
_MEDICAL_KINDS = frozenset({"Event", "GridAssessment"})
_DECLARED_KINDS = frozenset({"Message", "Action"})


def current_consent(consents: Sequence[Consent]) -> Consent | None:
    """The episode's consent that decides access: the one in force, else the latest recorded
    (``consents`` in the order they were signed), so a withdrawn consent still restricts."""
    in_force = [consent for consent in consents if consent.in_force]
    if in_force:
        return in_force[-1]
    return consents[-1] if consents else None


def category_of(record: object) -> DataCategory:
    """The category of one record: its own for messages and actions, else fixed by its kind."""
    if isinstance(record, Message | Action):
        return record.category
    if isinstance(record, Event | GridAssessment):
        return DataCategory.MEDICAL
    return DataCategory.ADMINISTRATIVE


def author_of(record: object) -> str | None:
    """Who wrote a record of a category-restricted kind; they always read it on their own store."""
    for name in ("author_id", "created_by", "recorded_by", "assessor_id"):
        value = getattr(record, name, None)
        if isinstance(value, str):
            return value
    return None


def category_of_kind(entity_type: str, declared: object = None) -> DataCategory:
    """The same rule for a record on the wire: its kind, and its ``category`` field if any.

    A message or action whose category is missing or unknown counts as medical, the most
    restricted category, so a malformed record never reaches a social actor.
    """
    if entity_type in _DECLARED_KINDS:
        try:
            return DataCategory(str(declared))
        except ValueError:
            return DataCategory.MEDICAL
    if entity_type in _MEDICAL_KINDS:
        return DataCategory.MEDICAL
    return DataCategory.ADMINISTRATIVE


def profession_categories(profession: Profession | None) -> frozenset[DataCategory]:
    """What a profession may ever read; an unknown professional only administrative data."""
    if profession is None:
        return _ALWAYS
    if profession.is_health_professional:
        return frozenset(DataCategory)
    return _SOCIAL_ACTOR_CATEGORIES


def may_resend_history(profession: Profession | None) -> bool:
    """Whether a member's device may send a colleague the team's whole file again, after the
    relay purged part of its history (``sync/history.py``).

    Only a health professional reads every category the consent shares: a social actor's
    device never holds medical records, so its resend would leave them out for good, while the
    colleague it serves could be a nurse who may read them."""
    return profession is not None and profession.is_health_professional


def readable_categories(
    profession: Profession | None, consent: Consent | None
) -> frozenset[DataCategory]:
    """The categories a member reads in one ESCAP: consent scopes ∩ profession, plus admin."""
    allowed = profession_categories(profession)
    if consent is not None:
        allowed = allowed & (consent.scopes | _ALWAYS)
    return allowed | _ALWAYS


def ensure_can_write(
    profession: Profession | None, consent: Consent | None, category: DataCategory
) -> None:
    """A member writes only in a category they may read, and the consent must cover it."""
    if category not in profession_categories(profession):
        raise ConsentError(
            f"Votre profession ne donne pas accès aux {category.label.lower()} : "
            "cet enregistrement ne peut pas être fait depuis ce poste."
        )
    if category not in readable_categories(profession, consent):
        raise ConsentError(
            f"Le consentement du patient ne couvre pas le partage des {category.label.lower()} "
            "dans cette ESCAP."
        )
