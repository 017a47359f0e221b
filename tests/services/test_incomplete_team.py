"""An active team that falls below the rule is « Équipe incomplète », and comes back."""

from __future__ import annotations

from datetime import timedelta

import pytest

from escap_desktop.core.clock import FrozenClock
from escap_desktop.core.entities import (
    BillingKind,
    DataCategory,
    EscapState,
    Membership,
    Patient,
    Profession,
)
from escap_desktop.core.errors import TeamRuleError
from escap_desktop.core.rules.billing import BillingError
from escap_desktop.services.practice import Practice
from tests.services.conftest import POLYPATHOLOGY, me_id, professional


def active_team(practice: Practice, patient: Patient) -> tuple[str, dict[str, Membership]]:
    """An ESCAP active with exactly three health professionals (me as médecin traitant)."""
    escap = practice.escaps.start(patient.id)
    ids = practice.escaps.current_grid().item_ids
    practice.escaps.assess(escap.id, {i: n < 14 for n, i in enumerate(ids)}, POLYPATHOLOGY)
    practice.escaps.prepare_consent(escap.id, scopes=frozenset(DataCategory))
    practice.escaps.record_consent_signed(escap.id, signed_on=practice.clock.today())
    members = {"gp": practice.escaps.invite(escap.id, me_id(practice), "Médecin traitant")}
    for key, last, profession, rpps in (
        ("nurse", "Bréhat", Profession.INFIRMIER, "10000000002"),
        ("physio", "N'Diaye", Profession.MASSEUR_KINESITHERAPEUTE, "10000000003"),
    ):
        colleague = practice.professionals.add(professional(last, "Anne", profession, rpps))
        invited = practice.escaps.invite(escap.id, colleague.id)
        members[key] = practice.escaps.answer_invitation(invited.id, accepted=True)
    practice.escaps.activate(escap.id)
    return escap.id, members


def test_removing_one_of_three_makes_the_team_incomplete_until_a_new_member_accepts(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id, members = active_team(practice, patient_born_1940)
    activated_at = practice.escaps.get(escap_id).activated_at

    warning = practice.escaps.removal_consequence(members["physio"].id)
    assert warning.startswith("L'équipe deviendra « Équipe incomplète » : l'équipe compte 2")
    assert practice.escaps.removal_consequence(members["nurse"].id) == warning
    practice.escaps.remove_member(members["physio"].id)

    escap = practice.escaps.get(escap_id)
    assert escap.state is EscapState.INCOMPLETE
    row = next(r for r in practice.patients.summaries() if r.escap_id == escap_id)
    assert row.escap_state is EscapState.INCOMPLETE
    assert row.next_action == "Équipe incomplète : inviter un professionnel de santé"
    step = practice.escaps.incomplete_next_step(escap_id)
    assert "L'équipe compte 2 professionnels acceptés ; il en faut au moins 3." in step
    mine = practice.billing.my_incomplete_teams()
    assert [(t.escap_id, t.next_step) for t in mine] == [(escap_id, step)]
    with pytest.raises(BillingError, match="tant que l'équipe est incomplète"):
        practice.billing.bill(escap_id, BillingKind.ENTRY)
    # The incomplete team still works: messages and plan go on.
    practice.messages.post(escap_id, "Qui peut reprendre la kinésithérapie ?")

    clock.advance(timedelta(days=3))
    pharmacist = practice.professionals.add(
        professional("Guérin", "Paul", Profession.PHARMACIEN, "10000000004")
    )
    invited = practice.escaps.invite(escap_id, pharmacist.id)
    assert practice.escaps.get(escap_id).state is EscapState.INCOMPLETE  # invited is not enough
    practice.escaps.answer_invitation(invited.id, accepted=True)

    escap = practice.escaps.get(escap_id)
    assert (escap.state, escap.activated_at) == (EscapState.ACTIVE, activated_at)
    assert practice.billing.my_incomplete_teams() == []
    practice.billing.bill(escap_id, BillingKind.ENTRY)


def test_the_days_of_an_incomplete_team_do_not_count_for_the_allowances(
    practice: Practice, patient_born_1940: Patient, clock: FrozenClock
) -> None:
    escap_id, members = active_team(practice, patient_born_1940)
    assert [c.escap_id for c in practice.billing.my_year().escaps] == [escap_id]
    practice.escaps.remove_member(members["nurse"].id, left=True)
    # Still counted: the team was complete on the day it broke (today).
    counted = practice.billing.my_year().escaps
    assert [(c.days.start, c.days.end) for c in counted] == [(clock.today(), clock.today())]
    # Next year, while it stays incomplete, it is not an ESCAP for the allowances.
    assert practice.billing.my_year(clock.today().year + 1).escaps == ()


def test_a_new_medecin_traitant_outside_the_team_leaves_it_incomplete(
    practice: Practice, patient_born_1940: Patient
) -> None:
    escap_id, _members = active_team(practice, patient_born_1940)
    other_gp = practice.professionals.add(
        professional("Martin", "Hugo", Profession.MEDECIN, "10000000009")
    )
    practice.patients.set_medecin_traitant(patient_born_1940.id, other_gp.id)
    assert practice.escaps.get(escap_id).state is EscapState.INCOMPLETE
    step = practice.escaps.incomplete_next_step(escap_id)
    assert "Le médecin traitant du patient doit faire partie de l'équipe." in step

    invited = practice.escaps.invite(escap_id, other_gp.id, "Médecin traitant")
    practice.escaps.answer_invitation(invited.id, accepted=True)
    assert practice.escaps.get(escap_id).state is EscapState.ACTIVE


def test_the_medecin_traitant_still_cannot_leave_a_running_team(
    practice: Practice, patient_born_1940: Patient
) -> None:
    escap_id, members = active_team(practice, patient_born_1940)
    practice.escaps.remove_member(members["physio"].id)
    with pytest.raises(TeamRuleError, match="Le médecin traitant ne peut pas quitter"):
        practice.escaps.remove_member(members["gp"].id)
    with pytest.raises(TeamRuleError, match="il n'y a rien à retirer"):
        practice.escaps.remove_member(members["physio"].id)
    assert practice.escaps.get(escap_id).state is EscapState.INCOMPLETE
