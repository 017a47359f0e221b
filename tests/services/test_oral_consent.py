"""An oral consent is its own state: the team forms, activation waits for the signed form."""

from __future__ import annotations

import pytest

from escap_desktop.core.entities import (
    Consent,
    ConsentMode,
    ConsentStatus,
    DataCategory,
    EscapState,
    Patient,
    Profession,
)
from escap_desktop.core.errors import TransitionError
from escap_desktop.core.rules.consent import CONSENT_RULES, ConsentStanding, allows, standing
from escap_desktop.services.practice import Practice
from tests.services.conftest import POLYPATHOLOGY, me_id, professional


def _consented_orally(practice: Practice, patient: Patient) -> str:
    escap = practice.escaps.start(patient.id)
    ids = practice.escaps.current_grid().item_ids
    practice.escaps.assess(escap.id, {i: n < 14 for n, i in enumerate(ids)}, POLYPATHOLOGY)
    practice.escaps.prepare_consent(escap.id, scopes=frozenset(DataCategory))
    practice.escaps.record_consent_signed(
        escap.id, signed_on=practice.clock.today(), mode=ConsentMode.ORAL
    )
    return escap.id


def _full_team(practice: Practice, escap_id: str) -> None:
    practice.escaps.invite(escap_id, me_id(practice), "Médecin traitant")
    for last, first, profession, rpps in (
        ("Bréhat", "Anaïs", Profession.INFIRMIER, "10000000002"),
        ("N'Diaye", "Loïc", Profession.MASSEUR_KINESITHERAPEUTE, "10000000003"),
    ):
        colleague = practice.professionals.add(professional(last, first, profession, rpps))
        invited = practice.escaps.invite(escap_id, colleague.id)
        practice.escaps.answer_invitation(invited.id, accepted=True)


def test_each_consent_state_allows_what_the_table_says() -> None:
    def consent(status: ConsentStatus, mode: ConsentMode = ConsentMode.PAPER) -> Consent:
        return Consent("e", "p", "gp", status=status, mode=mode)

    cases = {
        None: ConsentStanding.NONE,
        consent(ConsentStatus.PRINTED): ConsentStanding.PRINTED,
        consent(ConsentStatus.SIGNED, ConsentMode.ORAL): ConsentStanding.ORAL_PENDING,
        consent(ConsentStatus.SIGNED): ConsentStanding.SIGNED,
        consent(ConsentStatus.REFUSED): ConsentStanding.REFUSED,
        consent(ConsentStatus.WITHDRAWN): ConsentStanding.WITHDRAWN,
    }
    assert {standing(c) for c in cases} == set(ConsentStanding)
    for given, expected in cases.items():
        assert standing(given) is expected
        assert allows(given) == CONSENT_RULES[expected]
    # Only the signed form activates; the oral consent forms the team and no more.
    assert [s for s, a in CONSENT_RULES.items() if a.activation] == [ConsentStanding.SIGNED]
    assert {s for s, a in CONSENT_RULES.items() if a.team} == {
        ConsentStanding.SIGNED,
        ConsentStanding.ORAL_PENDING,
    }
    assert all(a.why_not for a in CONSENT_RULES.values() if not a.activation)


def test_an_oral_consent_forms_the_team_but_activation_waits_for_the_signed_form(
    practice: Practice, patient_born_1940: Patient
) -> None:
    escap_id = _consented_orally(practice, patient_born_1940)
    assert practice.escaps.get(escap_id).state is EscapState.CONSENTED
    _full_team(practice, escap_id)
    assert practice.escaps.get(escap_id).state is EscapState.FORMING

    with pytest.raises(TransitionError, match="consenti oralement : enregistrez le formulaire"):
        practice.escaps.activate(escap_id)
    assert practice.escaps.get(escap_id).state is EscapState.FORMING

    # The signed form comes back: the consent is confirmed, the team stays, activation works.
    practice.escaps.record_consent_signed(escap_id, signed_on=practice.clock.today())
    assert practice.escaps.get(escap_id).state is EscapState.FORMING
    assert practice.escaps.activate(escap_id).state is EscapState.ACTIVE
