"""The team rules where edits meet: an incomplete team, a double billing, the payment count."""

from __future__ import annotations

import pytest

from escap_desktop.core.entities import BillingKind, EscapState
from escap_desktop.core.rules.billing import BillingError
from tests.sync.conftest import MemberFactory
from tests.sync.team import accept_all, active_team, escap_of


def _membership_of(member, escap_id: str, identifier: str):  # type: ignore[no-untyped-def]
    return next(
        m.membership
        for m in member.practice.escaps.overview(escap_id).members
        if m.professional.identifier == identifier
    )


def test_a_removal_makes_the_team_incomplete_for_every_member(
    sqlite_members: MemberFactory,
) -> None:
    gp, nurse, physio, escap = active_team(sqlite_members)
    gp.practice.escaps.remove_member(_membership_of(gp, escap.id, physio.me.identifier).id)
    assert gp.practice.escaps.get(escap.id).state is EscapState.INCOMPLETE
    gp.cycle()
    nurse.cycle()

    assert escap_of(nurse, escap.team_id).state is EscapState.INCOMPLETE
    row = next(r for r in nurse.practice.patients.summaries() if r.escap_id == escap.id)
    assert row.next_action == "Équipe incomplète : inviter un professionnel de santé"
    with pytest.raises(BillingError, match="tant que l'équipe est incomplète"):
        nurse.practice.billing.bill(escap.id, BillingKind.ENTRY)


def test_a_removal_and_an_acceptance_offline_converge_on_a_complete_team(
    sqlite_members: MemberFactory,
) -> None:
    gp, nurse, physio, escap = active_team(sqlite_members)
    dietitian = sqlite_members("dietitian")
    dietitian.cycle()
    gp.practice.escaps.invite(escap.id, gp.colleague("dietitian").id, "Nutrition")
    gp.cycle()
    dietitian.cycle()
    assert accept_all(dietitian) == 1
    dietitian.cycle()  # her acceptance (and its proof) is on the relay; the GP has not seen it

    # Meanwhile the GP, offline, removes the physio: on his computer, two members are left.
    gp.practice.escaps.remove_member(_membership_of(gp, escap.id, physio.me.identifier).id)
    assert gp.practice.escaps.get(escap.id).state is EscapState.INCOMPLETE

    # The GP's computer checks her proof, she joins and records her acceptance, everyone syncs.
    for member in (gp, nurse, dietitian) * 3:
        member.cycle()
    # Merged: GP, nurse and dietitian accepted, the physio removed: three, so active again.
    for member in (gp, nurse, dietitian):
        assert escap_of(member, escap.team_id).state is EscapState.ACTIVE, member.name
        assert not member.practice.escaps.team_problems(escap.id)


def test_payment_counts_professionals_and_shows_a_double_entry(
    sqlite_members: MemberFactory,
) -> None:
    gp, nurse, physio, escap = active_team(sqlite_members)
    # Offline, the nurse records her entry code, and the GP records it for her by hand too;
    # the physio and the GP bill their own.
    nurse.practice.billing.bill(escap.id, BillingKind.ENTRY)
    nurse_on_gp = gp.colleague("nurse").id
    gp.practice.billing.bill(escap.id, BillingKind.ENTRY, professional_id=nurse_on_gp)
    gp.practice.billing.bill(escap.id, BillingKind.ENTRY)
    physio.practice.billing.bill(escap.id, BillingKind.ENTRY)
    assert gp.practice.billing.status(escap.id).entry.count == 2

    for member in (gp, nurse, physio, gp, nurse, physio):
        member.cycle()
    for member in (gp, nurse, physio):
        status = member.practice.billing.status(escap.id)
        assert status.entry.count == 3, member.name  # four records, three professionals
        assert status.payment_condition_met
        assert status.payment_sentence.startswith("Condition de paiement remplie : 3 ")
        assert len(status.anomalies) == 1, member.name
        double = status.anomalies[0]
        assert "Anaïs BRÉHAT" in double
        assert "est enregistrée 2 fois" in double
        assert "demandez l'annulation du doublon à votre caisse" in double


def test_a_consent_amendment_reaches_the_team_and_renews_the_keys_without_the_category(
    sqlite_members: MemberFactory,
) -> None:
    from escap_desktop.core.entities import DataCategory
    from escap_desktop.core.errors import ConsentError
    from escap_desktop.sync.category_keys import category_of_version

    gp, nurse, physio, escap = active_team(sqlite_members)
    nurse.practice.messages.post(escap.id, "Plaie propre ce matin.", DataCategory.MEDICAL)
    nurse.cycle()
    before = nurse.repo_call(lambda repo: sorted(repo.team_keys(escap.team_id)))

    # The patient no longer wants medical data shared through the team.
    consent = gp.practice.escaps.amend_consent(
        escap.id,
        scopes=frozenset({DataCategory.SOCIAL, DataCategory.ADMINISTRATIVE}),
        recipient_ids=(),
    )
    report = gp.cycle()
    assert report.key_rotations == 1
    gp.practice.messages.post(escap.id, "Portage des repas à organiser.", DataCategory.SOCIAL)
    gp.cycle()

    for member in (nurse, physio):
        member.cycle()
        received = member.practice.escaps.overview(escap.id).consent
        assert received is not None
        assert (received.amendment, received.scopes) == (1, consent.scopes), member.name
        keys = member.repo_call(lambda repo: sorted(repo.team_keys(escap.team_id)))
        new = [v for v in keys if v not in before]
        # A new generation, without its medical key: nothing medical written from now on can
        # be opened on this computer.
        assert new, member.name
        assert DataCategory.MEDICAL not in {category_of_version(v) for v in new}, member.name
        bodies = [m.body for m in member.practice.messages.thread(escap.id)]
        assert "Portage des repas à organiser." in bodies, member.name
        with pytest.raises(ConsentError, match="ne couvre pas le partage"):
            member.practice.messages.post(escap.id, "Tension 14/8.", DataCategory.MEDICAL)
