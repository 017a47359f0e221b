from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date

import pytest

from escap_desktop.core.entities import (
    EscapState,
    Membership,
    MembershipStatus,
    Patient,
    Prerequisite,
    Profession,
    Professional,
)
from escap_desktop.core.errors import NotFoundError, TeamRuleError
from escap_desktop.core.rules import team
from escap_desktop.core.rules.periods import DateSpan
from tests.billing.builders import escap as escap_on
from tests.billing.builders import member
from tests.core.builders import make_escap, make_membership, make_patient, make_professional

GP = make_professional(Profession.MEDECIN, last_name="Lefèvre", first_name="Marie")
NURSE = make_professional(Profession.INFIRMIER)
PHYSIO = make_professional(Profession.MASSEUR_KINESITHERAPEUTE)
PODIATRIST = make_professional(Profession.PEDICURE_PODOLOGUE)
HOME_HELP = make_professional(Profession.AIDE_A_DOMICILE)
SOCIAL_WORKER = make_professional(Profession.ASSISTANT_SERVICE_SOCIAL)
DIRECTORY = {p.id: p for p in (GP, NURSE, PHYSIO, PODIATRIST, HOME_HELP, SOCIAL_WORKER)}
PATIENT = make_patient(medecin_traitant_id=GP.id)
ESCAP = make_escap(PATIENT, state=EscapState.FORMING)


def members(*entries: tuple[Professional, MembershipStatus] | Professional) -> list[Membership]:
    result = []
    for entry in entries:
        professional, status = (
            entry if isinstance(entry, tuple) else (entry, MembershipStatus.ACCEPTED)
        )
        result.append(make_membership(ESCAP, professional, status))
    return result


def problems(memberships: list[Membership], patient: Patient = PATIENT) -> list[str]:
    return team.team_problems(patient, memberships, DIRECTORY)


def test_three_accepted_including_the_gp_is_a_valid_team() -> None:
    assert problems(members(GP, NURSE, PHYSIO)) == []
    team.check_team(PATIENT, members(GP, NURSE, PHYSIO), DIRECTORY)


def test_two_accepted_is_not_enough() -> None:
    assert problems(members(GP, NURSE)) == [
        "L'équipe compte 2 professionnels acceptés ; il en faut au moins 3."
    ]


def test_one_and_zero_accepted_are_written_in_the_singular() -> None:
    assert (
        problems(members(GP))[0]
        == "L'équipe compte 1 professionnel accepté ; il en faut au moins 3."
    )
    assert problems(members((GP, MembershipStatus.INVITED)))[0].startswith(
        "L'équipe compte 0 professionnel accepté"
    )


@pytest.mark.parametrize(
    "status",
    [
        MembershipStatus.INVITED,
        MembershipStatus.DECLINED,
        MembershipStatus.LEFT,
        MembershipStatus.REMOVED,
    ],
)
def test_members_who_have_not_accepted_or_are_gone_do_not_count(status: MembershipStatus) -> None:
    assert problems(members(GP, NURSE, (PHYSIO, status))) == [
        "L'équipe compte 2 professionnels acceptés ; il en faut au moins 3."
    ]


def test_social_actors_take_part_without_counting() -> None:
    assert problems(members(GP, NURSE, HOME_HELP, SOCIAL_WORKER)) == [
        "L'équipe compte 2 professionnels acceptés ; il en faut au moins 3 (seuls les "
        "professionnels de santé comptent)."
    ]
    assert problems(members(GP, NURSE, PHYSIO, HOME_HELP)) == []


def test_the_same_professional_counts_once() -> None:
    assert problems(members(GP, NURSE, NURSE))[0].startswith("L'équipe compte 2 ")


def test_the_gp_must_be_an_accepted_member() -> None:
    assert problems(members(NURSE, PHYSIO, PODIATRIST)) == [
        "Le médecin traitant du patient doit faire partie de l'équipe."
    ]


@pytest.mark.parametrize(
    ("status", "detail"),
    [
        (MembershipStatus.INVITED, " (son invitation attend sa réponse)"),
        (MembershipStatus.DECLINED, " (il a décliné l'invitation)"),
        (MembershipStatus.LEFT, " (il a quitté l'équipe)"),
        (MembershipStatus.REMOVED, " (il a été retiré de l'équipe)"),
    ],
)
def test_the_gp_status_is_explained(status: MembershipStatus, detail: str) -> None:
    assert problems(members(NURSE, PHYSIO, PODIATRIST, (GP, status))) == [
        f"Le médecin traitant du patient doit faire partie de l'équipe{detail}."
    ]


def test_a_patient_without_declared_gp_cannot_have_a_valid_team() -> None:
    no_gp = replace(PATIENT, medecin_traitant_id=None)
    assert problems(members(GP, NURSE, PHYSIO), no_gp) == [
        "Le patient n'a pas de médecin traitant déclaré : renseignez-le dans sa fiche, il doit "
        "faire partie de l'équipe."
    ]


def test_a_declared_gp_who_is_not_a_doctor_is_a_problem() -> None:
    patient = replace(PATIENT, medecin_traitant_id=NURSE.id)
    assert problems(members(GP, NURSE, PHYSIO), patient) == [
        "Le médecin traitant déclaré (Paul DURAND) n'est pas enregistré comme médecin : "
        "corrigez la fiche du patient ou celle du professionnel."
    ]


def test_check_team_names_every_problem_in_one_sentence() -> None:
    with pytest.raises(TeamRuleError) as error:
        team.check_team(PATIENT, members(NURSE, PHYSIO), DIRECTORY)
    assert error.value.message == (
        "L'équipe compte 2 professionnels acceptés ; il en faut au moins 3 ; le médecin "
        "traitant du patient doit faire partie de l'équipe."
    )


def test_a_member_missing_from_the_directory_is_reported() -> None:
    stranger = make_professional()
    with pytest.raises(NotFoundError, match="introuvable dans l'annuaire local"):
        team.team_problems(PATIENT, members(GP, NURSE, stranger), DIRECTORY)


# --- Invitations and departures --------------------------------------------------------------


def test_a_new_professional_can_be_invited() -> None:
    team.check_invitation(ESCAP, members(GP, NURSE), PHYSIO.id)


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (MembershipStatus.ACCEPTED, "fait déjà partie de l'équipe"),
        (MembershipStatus.INVITED, "est déjà invité dans cette ESCAP"),
        (MembershipStatus.DECLINED, r"déjà été invité dans cet épisode de l'ESCAP \(a décliné\)"),
        (MembershipStatus.LEFT, r"\(a quitté l'équipe\) : il ne peut pas être invité une seconde"),
        (MembershipStatus.REMOVED, r"\(retiré de l'équipe\)"),
    ],
)
def test_a_professional_cannot_be_invited_twice_in_an_episode(
    status: MembershipStatus, message: str
) -> None:
    with pytest.raises(TeamRuleError, match=message):
        team.check_invitation(ESCAP, members(GP, (NURSE, status)), NURSE.id)


def test_a_new_episode_may_invite_the_same_professional_again() -> None:
    next_episode = make_escap(PATIENT, episode=2)
    team.check_invitation(next_episode, members(GP, NURSE), NURSE.id)


def test_the_gp_cannot_leave_an_active_escap() -> None:
    active = replace(ESCAP, state=EscapState.ACTIVE)
    gp_membership = make_membership(active, GP)
    with pytest.raises(TeamRuleError, match="Le médecin traitant ne peut pas quitter l'équipe"):
        team.check_departure(active, PATIENT, gp_membership)


def test_other_members_may_leave_an_active_escap() -> None:
    active = replace(ESCAP, state=EscapState.ACTIVE)
    team.check_departure(active, PATIENT, make_membership(active, NURSE))


@pytest.mark.parametrize(
    "state", [s for s in EscapState if s not in (EscapState.ACTIVE, EscapState.INCOMPLETE)]
)
def test_the_gp_may_leave_while_the_escap_is_not_running(state: EscapState) -> None:
    escap = replace(ESCAP, state=state)
    team.check_departure(escap, PATIENT, make_membership(escap, GP))


# --- Specialists -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("prerequisite", "specialty"),
    [
        (Prerequisite.DIABETES_INSULIN, "Endocrinologue-diabétologue"),
        (Prerequisite.STROKE_RECENT, "Neurologue"),
        (Prerequisite.PALLIATIVE, "Équipe ou médecin de soins palliatifs"),
        (Prerequisite.POLYPATHOLOGY_OVER_65, "Gériatre"),
    ],
)
def test_the_specialist_follows_the_prerequisite(
    prerequisite: Prerequisite, specialty: str
) -> None:
    assert team.suggest_specialties([prerequisite]) == [specialty]


def test_several_prerequisites_suggest_each_specialist_once_in_order() -> None:
    met = [
        Prerequisite.DIABETES_INSULIN,
        Prerequisite.POLYPATHOLOGY_OVER_65,
        Prerequisite.DIABETES_INSULIN,
    ]
    assert team.suggest_specialties(met) == ["Gériatre", "Endocrinologue-diabétologue"]
    assert team.suggest_specialties([]) == []


def test_a_designated_team_of_three_health_professionals_with_the_gp_is_fine() -> None:
    assert team.designation_problems([GP, NURSE, PHYSIO, HOME_HELP], GP.id) == []


def test_a_designated_team_too_small_says_how_many_are_designated() -> None:
    assert team.designation_problems([GP, NURSE, HOME_HELP, SOCIAL_WORKER], GP.id) == [
        "L'équipe doit compter au moins 3 professionnels de santé, dont le médecin traitant : "
        "2 professionnels de santé désignés pour l'instant."
    ]
    assert team.designation_problems([GP], GP.id)[0].endswith(
        ": 1 professionnel de santé désigné pour l'instant."
    )


def test_a_designated_team_without_the_gp_names_what_to_choose() -> None:
    gp_message = (
        "Le médecin traitant du patient doit faire partie de l'équipe : choisissez-le dans la "
        "liste (« Médecin traitant »)."
    )
    assert team.designation_problems([NURSE, PHYSIO, PODIATRIST], None) == [gp_message]
    assert team.designation_problems([NURSE, PHYSIO, PODIATRIST], GP.id) == [gp_message]
    assert team.designation_problems([], None) == [
        "L'équipe doit compter au moins 3 professionnels de santé, dont le médecin traitant : "
        "0 professionnel de santé désigné pour l'instant.",
        gp_message,
    ]


# --- Incomplete periods, rebuilt from the membership dates -----------------------------------


def test_incomplete_spans_follow_departures_and_arrivals() -> None:
    gp = make_professional(Profession.MEDECIN)
    nurse = make_professional(Profession.INFIRMIER)
    physio = make_professional(Profession.MASSEUR_KINESITHERAPEUTE)
    pharmacist = make_professional(Profession.PHARMACIEN)
    directory = {p.id: p for p in (gp, nurse, physio, pharmacist)}
    patient = make_patient(medecin_traitant_id=gp.id)
    episode = replace(escap_on(date(2026, 3, 1)), patient_id=patient.id)
    memberships = [
        member(episode, gp, accepted=date(2026, 3, 1)),
        member(episode, nurse, accepted=date(2026, 3, 1)),
        member(episode, physio, accepted=date(2026, 3, 1), left=date(2026, 4, 10)),
        member(episode, pharmacist, accepted=date(2026, 5, 2)),
    ]
    spans = team.incomplete_spans(
        episode, patient, memberships, directory, until=date(2026, 6, 30), tz=UTC
    )
    # The physio still counts on the day she left; the pharmacist from the day he accepted.
    assert spans == (DateSpan(date(2026, 4, 11), date(2026, 5, 1)),)
    # Still running at the end: the span ends with ``until``.
    without_pharmacist = memberships[:3]
    assert team.incomplete_spans(
        episode, patient, without_pharmacist, directory, until=date(2026, 6, 30), tz=UTC
    ) == (DateSpan(date(2026, 4, 11), date(2026, 6, 30)),)
    # Never activated: no span.
    forming = replace(episode, activated_at=None)
    assert (
        team.incomplete_spans(forming, patient, memberships, directory, until=date(2026, 6, 30))
        == ()
    )


def test_only_members_and_invitees_can_leave() -> None:
    declined = make_membership(ESCAP, NURSE, MembershipStatus.DECLINED)
    with pytest.raises(TeamRuleError, match="ne fait plus partie de l'équipe"):
        team.check_departure(ESCAP, PATIENT, declined)


def test_the_medecin_traitant_and_the_creator_administer_the_team_while_members() -> None:
    # A nurse opened the ESCAP; the GP is the médecin traitant; the physio neither.
    opened = replace(ESCAP, created_by=NURSE.id)
    team_members = members(GP, NURSE, PHYSIO)
    for professional in (GP, NURSE):
        assert team.may_administer(opened, PATIENT, team_members, professional.id)
    assert not team.may_administer(opened, PATIENT, team_members, PHYSIO.id)
    assert not team.may_administer(opened, PATIENT, team_members, None)
    # Not (or no longer) an accepted member: no administration of the team.
    for status in (MembershipStatus.INVITED, MembershipStatus.LEFT, MembershipStatus.REMOVED):
        gone = members((GP, status), NURSE, PHYSIO)
        assert not team.may_administer(opened, PATIENT, gone, GP.id)
