"""Half past midnight in Paris is already tomorrow: the team's day is the French day.

At 00:30 in Paris the UTC instant stored is still the previous day (23:30 UTC in winter, 22:30
in summer). An ESCAP activated then was activated *today* for billing, for the exit date and
for the dashboard — whatever day the suite runs, since the clock is the test's.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from escap_desktop.core.clock import FrozenClock, paris_instant
from escap_desktop.core.entities import (
    BillingKind,
    ClinicalSituation,
    EscapState,
    ExitReason,
    Patient,
    Profession,
)
from escap_desktop.core.rules.billing import BillingError
from escap_desktop.services.practice import Practice
from tests.services.conftest import professional


def active_at_half_past_midnight(
    practice: Practice, patient: Patient, clock: FrozenClock
) -> tuple[str, list[str]]:
    """The whole inclusion done at 00:30 Paris time tomorrow; (escap id, the members' ids)."""
    clock.set(paris_instant(clock.today() + timedelta(days=1), 0, 30))
    escaps = practice.escaps
    escap = escaps.start(patient.id)
    ids = escaps.current_grid().item_ids
    escaps.assess(
        escap.id, {i: n < 14 for n, i in enumerate(ids)}, ClinicalSituation(chronic_conditions=3)
    )
    escaps.prepare_consent(escap.id)
    escaps.record_consent_signed(escap.id, signed_on=clock.today(), signatory="Zoë D'Almeida")
    me = practice.profile.current()[1]  # type: ignore[index]
    escaps.invite(escap.id, me.id, "Médecin traitant")
    members = [me.id]
    for last, first, profession, rpps in (
        ("Bréhat", "Anaïs", Profession.INFIRMIER, "10000000002"),
        ("N'Diaye", "Loïc", Profession.MASSEUR_KINESITHERAPEUTE, "10000000003"),
    ):
        colleague = practice.professionals.add(professional(last, first, profession, rpps))
        escaps.answer_invitation(escaps.invite(escap.id, colleague.id).id, accepted=True)
        members.append(colleague.id)
    escaps.activate(escap.id)
    return escap.id, members


def test_an_escap_activated_at_half_past_midnight_is_active_today_in_paris(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id, members = active_at_half_past_midnight(practice, patient_born_1940, clock)
    today = clock.today()
    activated_at = practice.escaps.get(escap_id).activated_at
    assert activated_at is not None
    assert activated_at.date() == today - timedelta(days=1)  # the UTC date: the trap
    assert clock.date_of(activated_at) == today

    # Billing today is allowed, and the refusal for yesterday names the French day.
    record = practice.billing.bill(escap_id, BillingKind.ENTRY, professional_id=members[0])
    assert record.billed_on == today
    with pytest.raises(BillingError, match=f"activation de l'équipe \\({today:%d/%m/%Y}\\)"):
        practice.billing.bill(
            escap_id,
            BillingKind.ENTRY,
            professional_id=members[1],
            billed_on=today - timedelta(days=1),
        )

    # The dashboard counts it among today's active teams.
    figures = practice.dashboard.figures()
    assert figures.months[-1].day == today
    assert figures.months[-1].count(EscapState.ACTIVE) == 1

    # An exit dated today is neither "in the future" nor "before the start".
    closed = practice.escaps.close(escap_id, ExitReason.IMPROVED, closed_on=today)
    assert closed.closed_at is not None
    assert clock.date_of(closed.closed_at) == today
    exit_record = practice.billing.bill(escap_id, BillingKind.EXIT, professional_id=members[0])
    assert exit_record.billed_on == today


def test_an_exit_dated_yesterday_in_paris_is_before_a_midnight_start(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id, _members = active_at_half_past_midnight(practice, patient_born_1940, clock)
    today = clock.today()
    with pytest.raises(Exception, match=f"active depuis le {today:%d/%m/%Y}"):
        practice.escaps.close(escap_id, ExitReason.IMPROVED, closed_on=today - timedelta(days=1))
    assert practice.escaps.get(escap_id).state is EscapState.ACTIVE
