"""Who the consent designates, and how an amendment changes it (rules only, no store)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from escap_desktop.core.entities import (
    Consent,
    ConsentMode,
    ConsentStatus,
    DataCategory,
    Profession,
)
from escap_desktop.core.errors import ConsentError, ValidationError
from escap_desktop.core.rules import consent as rules
from tests.core.builders import make_professional

NURSE = make_professional(Profession.INFIRMIER)
SOCIAL = make_professional(Profession.ASSISTANT_SERVICE_SOCIAL)
SIGNED_ON = date(2026, 11, 2)
SIGNED = Consent(
    "e", "p", "gp", status=ConsentStatus.SIGNED, signed_on=SIGNED_ON, recipient_ids=(NURSE.id,)
)


def test_the_designation_names_people_or_kinds_of_people() -> None:
    assert rules.designates(SIGNED, NURSE)
    assert not rules.designates(SIGNED, SOCIAL)
    with pytest.raises(ConsentError, match="ne fait pas partie des professionnels désignés"):
        rules.check_recipient(SIGNED, SOCIAL)
    by_kind = replace(
        SIGNED, recipient_professions=frozenset({Profession.ASSISTANT_SERVICE_SOCIAL})
    )
    assert rules.designates(by_kind, SOCIAL)
    # A form that named nobody leaves the choice to the inclusion.
    assert rules.designates(replace(SIGNED, recipient_ids=()), SOCIAL)
    assert rules.designates(None, SOCIAL)


def test_an_amendment_is_numbered_and_dated() -> None:
    first = rules.amend(
        SIGNED,
        scopes={DataCategory.MEDICAL, DataCategory.ADMINISTRATIVE},
        recipient_ids=(NURSE.id, NURSE.id),
        on=date(2026, 11, 20),
        today=date(2026, 11, 25),
    )
    assert (first.amendment, first.amended_on) == (1, date(2026, 11, 20))
    assert first.recipient_ids == (NURSE.id,)
    assert first.status is ConsentStatus.SIGNED
    second = rules.amend(
        first,
        scopes=set(DataCategory),
        recipient_ids=(NURSE.id,),
        recipient_professions={Profession.ASSISTANT_SERVICE_SOCIAL},
        on=date(2026, 11, 25),
        today=date(2026, 11, 25),
    )
    assert second.amendment == 2
    with pytest.raises(
        ValidationError, match="précéder le consentement en vigueur \\(25/11/2026\\)"
    ):
        rules.amend(
            second,
            scopes={DataCategory.MEDICAL},
            recipient_ids=(),
            on=date(2026, 11, 24),
            today=date(2026, 11, 25),
        )


@pytest.mark.parametrize(
    ("consent", "why"),
    [
        (None, "n'a pas été recueilli"),
        (replace(SIGNED, status=ConsentStatus.PRINTED), "pas encore signé"),
        (replace(SIGNED, status=ConsentStatus.REFUSED), "a refusé"),
        (replace(SIGNED, status=ConsentStatus.WITHDRAWN), "a retiré"),
    ],
)
def test_only_a_consent_the_team_runs_on_is_amended(consent: Consent | None, why: str) -> None:
    with pytest.raises(ConsentError, match=why):
        rules.amend(
            consent, scopes={DataCategory.MEDICAL}, recipient_ids=(), on=SIGNED_ON, today=SIGNED_ON
        )


def test_an_oral_consent_may_be_amended_before_its_form_comes_back() -> None:
    oral = replace(SIGNED, mode=ConsentMode.ORAL)
    amended = rules.amend(
        oral, scopes={DataCategory.MEDICAL}, recipient_ids=(), on=SIGNED_ON, today=SIGNED_ON
    )
    assert rules.standing(amended) is rules.ConsentStanding.ORAL_PENDING
