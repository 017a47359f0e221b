"""The care-plan sheet left at home: who is in the team, who does what and when."""

from __future__ import annotations

import dataclasses
from datetime import date

from escap_desktop.core.entities import ActionStatus, MembershipStatus, Profession
from escap_desktop.documents import CarePlanData, build_care_plan
from tests.documents import samples
from tests.documents.conftest import ReadPdf, squash


def test_every_member_with_role_and_phone_is_listed(care_plan_data: CarePlanData) -> None:
    pdf = ReadPdf(build_care_plan(care_plan_data))

    for membership, professional in care_plan_data.members:
        assert pdf.contains(professional.display_name), professional.display_name
        assert pdf.contains(membership.role)
        assert pdf.contains(professional.phone)
    assert pdf.contains("Jean-Noël Cœurdacier")
    assert pdf.contains("CŒURDACIER Françoise, née le 17/03/1941")


def test_actions_say_who_does_what_and_when_and_the_next_reevaluation(
    care_plan_data: CarePlanData,
) -> None:
    pdf = ReadPdf(build_care_plan(care_plan_data))

    assert pdf.contains("Surveillance de la glycémie capillaire")
    assert pdf.contains("Matin et soir ; alerter le médecin si > 3 g/L ou < 0,7 g/L.")
    assert pdf.contains("13/06/2025 tous les jours")
    assert pdf.contains("À désigner")
    assert pdf.contains("Faite le 05/06/2025")
    assert pdf.contains("réévaluée avec le patient le 12/09/2025")
    assert pdf.contains("ESCAP n'est pas un service d'urgence")


def test_members_who_left_and_cancelled_actions_are_not_printed(
    care_plan_data: CarePlanData,
) -> None:
    gone = samples.professional("Parti-Ailleurs", "Hervé", Profession.ORTHOPHONISTE, "Lyon")
    members = [
        *care_plan_data.members,
        (samples.membership(gone, "Bilan", MembershipStatus.LEFT), gone),
    ]
    cancelled = samples.action("Séance annulée", gone, status=ActionStatus.CANCELLED)
    data = dataclasses.replace(
        care_plan_data, members=members, actions=[*care_plan_data.actions, cancelled]
    )

    pdf = ReadPdf(build_care_plan(data))

    assert not pdf.contains("PARTI-AILLEURS")
    assert not pdf.contains("Séance annulée")


def test_a_twelve_member_team_and_a_2000_character_action_flow_onto_further_pages() -> None:
    team = [
        samples.professional(
            f"Lefèvre-D'Almeida-de-Saint-Exupéry-et-Château-Brûlé-Œuvre-Très-Long-{n:02d}",
            f"Ségolène-Zoë-{n:02d}",
            Profession.INFIRMIER,
            "Saint-Priest-en-Jarez",
            phone=f"06 00 00 00 {n:02d}",
        )
        for n in range(12)
    ]
    words = "Pansement de l'ulcère, surveillance de l'œdème et « relevé » de la glycémie ; "
    long_text = (words * 40)[:2000]
    assert len(long_text) == 2000
    actions = [
        samples.action(
            "Soins infirmiers quotidiens", team[n % 12], details=long_text, due_on=date(2025, 6, 20)
        )
        for n in range(3)
    ]

    normal = ReadPdf(build_care_plan(samples.care_plan()))
    pdf = ReadPdf(build_care_plan(samples.care_plan(team, actions)))

    assert pdf.page_count > normal.page_count
    for professional in team:
        assert pdf.contains(professional.display_name), professional.display_name
    assert action_column(pdf).count(squash(long_text)) == 3
    assert pdf.contains(f"page {pdf.page_count} / {pdf.page_count}")


def test_an_action_longer_than_a_page_is_split_not_cut() -> None:
    text = "".join(
        f"Étape {n:03d} : vérifier le pilulier et noter la tension. " for n in range(300)
    )
    actions = [samples.action("Protocole détaillé", None, details=text)]

    pdf = ReadPdf(build_care_plan(samples.care_plan(actions=actions)))

    assert pdf.page_count >= 3
    assert squash(text) in action_column(pdf)


def action_column(pdf: ReadPdf) -> str:
    """The "Action" column on every page, without the column title repeated after each break."""
    return squash(pdf.column_text(18, 18 + 0.46 * 174)).replace("Action", "")
