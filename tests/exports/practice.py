"""A generated practice of about thirty patients with every kind of ESCAP episode.

Identities are realistic on purpose (accents, hyphens, apostrophes, Corsican NIR, used names
different from birth names) and leak into free text (notes, action details, caregivers), so the
pseudonymisation tests have something to find if an export ever lets it through.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from stdnum import luhn
from stdnum.fr import nir

from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    BillingKind,
    BillingRecord,
    Caregiver,
    ClinicalSituation,
    Consent,
    ConsentStatus,
    DataCategory,
    Escap,
    EscapState,
    Event,
    EventKind,
    ExitReason,
    GridAssessment,
    IdentifierKind,
    IdentityStatus,
    Membership,
    MembershipStatus,
    OtherScheme,
    OtherSchemeKind,
    Patient,
    Prerequisite,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.core.rules.indicators import EpisodeBundle
from tests.support.nir import with_key

GRID_ID = "grille-escap"
GRID_VERSION = "2025.1"
PERIOD = (date(2025, 3, 1), date(2026, 9, 30))

_GROUPS = {
    "Âge et pathologies": [
        "Âge de 75 ans ou plus",
        "Trois pathologies chroniques ou plus",
        "Cinq médicaments ou plus par jour",
        "Hospitalisation dans les 6 derniers mois",
        "Antécédent chirurgical récent",
        "Plaie chronique",
        "Douleur chronique",
    ],
    "Autonomie": [
        "Mobilité réduite",
        "Chute dans les 12 derniers mois",
        "Incontinence",
        "Troubles cognitifs",
        "Déficit sensoriel (vue, audition)",
        "Dénutrition ou perte de poids",
        "Aide pour la toilette",
        "Aide pour les repas",
    ],
    "Environnement": [
        "Vit seul(e)",
        "Isolement social",
        "Absence d'aidant",
        "Épuisement de l'aidant",
        "Logement inadapté",
        "Précarité financière",
        "Barrière de la langue",
    ],
    "Besoins de soins": [
        "Plusieurs professionnels au domicile",
        "Soins infirmiers quotidiens",
        "Rééducation en cours",
        "Suivi spécialisé régulier",
    ],
}

GRID_ITEMS: list[tuple[str, str, str, int]] = [
    (f"item{index:02d}", label, group, 1)
    for index, (group, label) in enumerate(
        ((group, label) for group, labels in _GROUPS.items() for label in labels), start=1
    )
]

# (birth name, used name, first names, sex)
_IDENTITIES = [
    ("Lefèvre", "", "Jeanne Marie Thérèse", Sex.FEMALE),
    ("Dubois", "Dubois-Martin", "Éloïse Anne", Sex.FEMALE),
    ("N'Diaye", "", "Mamadou", Sex.MALE),
    ("Garnier", "Le Goff", "Françoise", Sex.FEMALE),
    ("Bérenger", "", "Anatole Léon", Sex.MALE),
    ("D'Almeida", "", "Joaquim", Sex.MALE),
    ("Rousseau", "Castaing", "Ghislaine", Sex.FEMALE),
    ("Chevalier", "", "Hervé Gaston", Sex.MALE),
    ("Fontanelli", "", "Bernadette", Sex.FEMALE),
    ("Quéméneur", "", "Yvonne Mathilde", Sex.FEMALE),
    ("Oberlé", "", "Théodore", Sex.MALE),
    ("Saint-Exupéry", "", "Gisèle", Sex.FEMALE),
    ("Abgrall", "Kerbrat", "Maryvonne", Sex.FEMALE),
    ("Nguyễn", "Nguyen", "Văn Thành", Sex.MALE),
    ("Zerbib", "", "Albert Isaac", Sex.MALE),
    ("Mélenchon-Roy", "", "Colette", Sex.FEMALE),
    ("Haddad", "", "Nadia", Sex.FEMALE),
    ("Pétrovic", "", "Dragan", Sex.MALE),
    ("Vauquelin", "", "Honorine", Sex.FEMALE),
    ("Ollivier", "Desmarais", "Paulette", Sex.FEMALE),
    ("Casanova", "", "Dominique", Sex.INDETERMINATE),
    ("Lagarde", "", "Marcel André", Sex.MALE),
    ("Bénichou", "", "Simone", Sex.FEMALE),
    ("Trémolières", "", "Raymond", Sex.MALE),
    ("Delacroix", "Verhaeghe", "Lucienne", Sex.FEMALE),
    ("Kowalczyk", "", "Stanislas", Sex.MALE),
    ("Ferrandi", "", "Ange-Marie", Sex.MALE),
    ("Bouchareb", "", "Fatima Zohra", Sex.FEMALE),
    ("L'Hôte", "", "Géraldine", Sex.FEMALE),
    ("Prud'homme", "", "Augustin", Sex.MALE),
]

# (last name, first name, profession, identifier kind)
_PROFESSIONALS = [
    ("Leclerc", "Marie-Hélène", Profession.MEDECIN, IdentifierKind.RPPS),
    ("Benhamou", "Yacine", Profession.MEDECIN, IdentifierKind.RPPS),
    ("Le Bihan", "Soizic", Profession.MEDECIN, IdentifierKind.RPPS),
    ("Fauvel", "Aurélie", Profession.INFIRMIER, IdentifierKind.RPPS),
    ("Mbappé", "Serge", Profession.INFIRMIER, IdentifierKind.RPPS),
    ("Grimaud", "Cécile", Profession.INFIRMIER, IdentifierKind.RPPS),
    ("Tessier", "Loïc", Profession.MASSEUR_KINESITHERAPEUTE, IdentifierKind.RPPS),
    ("Vasseur", "Inès", Profession.PHARMACIEN, IdentifierKind.RPPS),
    ("Hamon", "Gaëlle", Profession.PEDICURE_PODOLOGUE, IdentifierKind.RPPS),
    ("Roussel", "Damien", Profession.ORTHOPHONISTE, IdentifierKind.RPPS),
    ("Carré", "Sophie", Profession.ERGOTHERAPEUTE, IdentifierKind.ADELI),
    ("Morvan", "Estelle", Profession.ASSISTANT_SERVICE_SOCIAL, IdentifierKind.NONE),
]

_DEPARTMENTS = ["75", "69", "13", "2A", "2B", "29", "59", "33", "67", "974"]
_SITUATIONS = list(Prerequisite)
_EXITS = list(ExitReason)


@dataclass(frozen=True)
class Practice:
    professionals: tuple[Professional, ...]
    patients: tuple[Patient, ...]
    bundles: tuple[EpisodeBundle, ...]


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def make_nir(sex: Sex, birth: date, department: str, rng: random.Random) -> str:
    """A valid 15-character NIR (key computed by python-stdnum), Corsica and overseas included."""
    sex_digit = "2" if sex is Sex.FEMALE else "1"
    if len(department) == 3:
        place = department + f"{rng.randint(1, 99):02d}"
    else:
        place = department + f"{rng.randint(1, 999):03d}"
    body = f"{sex_digit}{birth.year % 100:02d}{birth.month:02d}{place}{rng.randint(1, 999):03d}"
    number = with_key(body)
    assert nir.is_valid(number), number
    return number


def make_rpps(rng: random.Random) -> str:
    body = "1" + "".join(str(rng.randint(0, 9)) for _ in range(9))
    return body + luhn.calc_check_digit(body)


def build_professionals(rng: random.Random) -> tuple[Professional, ...]:
    people = []
    for last, first, profession, kind in _PROFESSIONALS:
        identifier = {
            IdentifierKind.RPPS: make_rpps(rng),
            IdentifierKind.ADELI: f"75{rng.randint(1000000, 9999999)}",
            IdentifierKind.NONE: "",
        }[kind]
        people.append(
            Professional(
                last_name=last,
                first_name=first,
                profession=profession,
                identifier_kind=kind,
                identifier=identifier,
                address=f"{rng.randint(1, 80)} rue des Lilas",
                postcode="75011",
                town="Paris",
                phone=f"01 4{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} 12",
                mssante=f"{first.lower()}.{last.lower().replace(' ', '')}@medecin.mssante.fr",
            )
        )
    return tuple(people)


def build_practice(seed: int = 20250401) -> Practice:
    rng = random.Random(seed)
    pros = build_professionals(rng)
    gps = [p for p in pros if p.profession is Profession.MEDECIN]
    others = [p for p in pros if p.profession is not Profession.MEDECIN]
    patients: list[Patient] = []
    bundles: list[EpisodeBundle] = []
    for index, (birth_name, used_name, first_names, sex) in enumerate(_IDENTITIES):
        situation = _SITUATIONS[index % len(_SITUATIONS)]
        if situation is Prerequisite.POLYPATHOLOGY_OVER_65:
            birth = date(rng.randint(1928, 1958), rng.randint(1, 12), rng.randint(1, 28))
        else:
            birth = date(rng.randint(1940, 1985), rng.randint(1, 12), rng.randint(1, 28))
        gp = gps[index % len(gps)]
        department = _DEPARTMENTS[index % len(_DEPARTMENTS)]
        patient = Patient(
            birth_name=birth_name,
            first_names=first_names,
            birth_date=birth,
            sex=sex,
            birth_place_code=f"{department}{rng.randint(1, 99):03d}"[:5],
            used_name=used_name,
            ins=make_nir(sex, birth, department, rng) if index % 7 != 6 else "",
            identity_status=IdentityStatus.QUALIFIED if index % 3 else IdentityStatus.PROVISIONAL,
            medecin_traitant_id=gp.id if index % 9 != 8 else None,
            phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} 4{index % 10} 0{index % 10}",
            address=f"{rng.randint(1, 120)} avenue Jean-Jaurès, 69007 Lyon",
            caregivers=(
                Caregiver(
                    full_name=f"Béatrice {birth_name}",
                    relationship="fille",
                    phone="06 11 22 33 44",
                    notes=f"Appeler avant 18 h, connaît bien {first_names.split()[0]}",
                ),
            )
            if index % 2
            else (),
            other_schemes=(OtherScheme(OtherSchemeKind.HAD, since=date(2025, 1, 10)),)
            if index % 5 == 0
            else (),
        )
        patients.append(patient)
        team = [gp, *rng.sample(others, 4)]
        episodes = 2 if index % 10 == 4 else 1
        start = date(2025, 4, 1) + timedelta(days=rng.randint(0, 420))
        for episode in range(1, episodes + 1):
            bundle = _episode(rng, index, episode, patient, team, pros, situation, start)
            bundles.append(bundle)
            start = (bundle.escap.closed_at or at(start)).date() + timedelta(days=40)
    return Practice(tuple(pros), tuple(patients), tuple(bundles))


def _episode(
    rng: random.Random,
    index: int,
    episode_number: int,
    patient: Patient,
    team: list[Professional],
    pros: tuple[Professional, ...],
    situation: Prerequisite,
    start: date,
) -> EpisodeBundle:
    """One episode whose state is chosen by the patient's index, so every state appears."""
    known = {p.id: p for p in pros}
    states = [
        EscapState.ACTIVE,
        EscapState.CLOSED,
        EscapState.ACTIVE,
        EscapState.FORMING,
        EscapState.CLOSED,
        EscapState.CONSENTED,
        EscapState.ASSESSED,
        EscapState.DRAFT,
    ]
    state = states[index % len(states)] if episode_number == 1 else EscapState.ACTIVE
    if episode_number == 1 and index % 10 == 4:
        state = EscapState.CLOSED
    assessor = team[1] if index % 4 else team[0]
    escap = Escap(
        patient_id=patient.id, created_by=assessor.id, created_at=at(start), episode=episode_number
    )
    assessed_on = start + timedelta(days=1)
    answers = {item_id: rng.random() < 0.6 for item_id, *_ in GRID_ITEMS}
    score = sum(answers.values())
    assessments: list[GridAssessment] = []
    if state is not EscapState.DRAFT or index % 2:
        assessments.append(
            GridAssessment(
                escap_id=escap.id,
                patient_id=patient.id,
                assessor_id=assessor.id,
                assessed_on=assessed_on,
                grid_id=GRID_ID,
                grid_version=GRID_VERSION,
                answers=answers,
                score=score,
                threshold=13,
                situation=ClinicalSituation(chronic_conditions=4, on_insulin=True),
                prerequisites_met=(situation,),
                eligible=score >= 13,
                at_home=index % 3 == 0,
            )
        )
    consent = None
    if state in (EscapState.CONSENTED, EscapState.FORMING, EscapState.ACTIVE, EscapState.CLOSED):
        status = ConsentStatus.SIGNED
        if state is EscapState.CLOSED and index % 4 == 1:
            status = ConsentStatus.WITHDRAWN
        consent = Consent(
            escap_id=escap.id,
            patient_id=patient.id,
            collected_by=assessor.id,
            scopes=frozenset({DataCategory.MEDICAL, DataCategory.SOCIAL})
            if index % 2
            else frozenset(DataCategory),
            recipient_ids=tuple(p.id for p in team),
            status=status,
            form_reference=f"CONS-{index:03d}-{episode_number}",
            signed_on=assessed_on + timedelta(days=2),
            signatory=patient.display_name,
            withdrawn_on=assessed_on + timedelta(days=60)
            if status is ConsentStatus.WITHDRAWN
            else None,
        )
    elif state is EscapState.ASSESSED and index % 2:
        consent = Consent(
            escap_id=escap.id,
            patient_id=patient.id,
            collected_by=assessor.id,
            status=ConsentStatus.REFUSED,
        )
    memberships: list[Membership] = []
    if state in (EscapState.FORMING, EscapState.ACTIVE, EscapState.CLOSED):
        statuses = [MembershipStatus.ACCEPTED] * 3 + [
            MembershipStatus.DECLINED,
            MembershipStatus.INVITED,
        ]
        if state is EscapState.FORMING:
            statuses = [
                MembershipStatus.ACCEPTED,
                MembershipStatus.INVITED,
                MembershipStatus.INVITED,
                MembershipStatus.DECLINED,
                MembershipStatus.INVITED,
            ]
        for offset, (professional, status) in enumerate(zip(team, statuses, strict=True)):
            invited = at(assessed_on + timedelta(days=3), 9 + offset)
            memberships.append(
                Membership(
                    escap_id=escap.id,
                    professional_id=professional.id,
                    invited_by=assessor.id,
                    invited_at=invited,
                    role="Médecin traitant" if offset == 0 else professional.profession.label,
                    status=status,
                    responded_at=invited + timedelta(days=2)
                    if status is not MembershipStatus.INVITED
                    else None,
                    join_code=f"JOIN-{index}-{offset}",
                )
            )
    activated = (
        at(assessed_on + timedelta(days=7))
        if state in (EscapState.ACTIVE, EscapState.CLOSED)
        else None
    )
    closed = None
    exit_reason = None
    if state is EscapState.CLOSED and activated is not None:
        closed = activated + timedelta(days=rng.randint(20, 300))
        exit_reason = _EXITS[(index // 2 + index // 8) % len(_EXITS)]
    escap = replace(
        escap,
        state=state,
        activated_at=activated,
        closed_at=closed,
        exit_reason=exit_reason,
        exit_note=f"Sortie de {patient.display_name} notée par l'équipe" if closed else "",
    )
    if closed is not None and index % 4 == 2 and memberships:
        memberships[2] = replace(
            memberships[2], status=MembershipStatus.LEFT, left_at=closed - timedelta(days=5)
        )
    actions: list[Action] = []
    events: list[Event] = []
    records: list[BillingRecord] = []
    if activated is not None:
        accepted = [
            m for m in memberships if m.status in (MembershipStatus.ACCEPTED, MembershipStatus.LEFT)
        ]
        for number in range(index % 4 + 1):
            responsible = accepted[number % len(accepted)].professional_id
            validated = activated.date() + timedelta(days=3) if (index + number) % 3 else None
            actions.append(
                Action(
                    escap_id=escap.id,
                    title=f"Action {number + 1} du plan",
                    created_by=accepted[(number + 1) % len(accepted)].professional_id,
                    created_at=activated + timedelta(hours=number),
                    responsible_id=responsible,
                    details=f"Passer voir {patient.display_name} au {patient.address}",
                    due_on=activated.date() + timedelta(days=14 * (number + 1)),
                    recurrence="chaque semaine" if number == 2 else "",
                    status=[ActionStatus.TODO, ActionStatus.DONE, ActionStatus.CANCELLED][
                        number % 3
                    ],
                    mt_validated_on=validated,
                    mt_received_on=validated + timedelta(days=1)
                    if validated and index % 2
                    else None,
                )
            )
        day = activated.date()
        for kind, note in (
            (EventKind.HOSPITALISATION, f"{patient.first_names} hospitalisée au CHU"),
            (EventKind.EMERGENCY_VISIT, f"Chute de {patient.birth_name}"),
            (EventKind.REEVALUATION, ""),
        ):
            if rng.random() < 0.5:
                day += timedelta(days=rng.randint(5, 30))
                event = Event(escap.id, kind, day, accepted[0].professional_id, note=note)
                if kind is EventKind.REEVALUATION:
                    grid = replace(
                        assessments[0],
                        assessed_on=day,
                        is_reevaluation=True,
                        assessor_id=accepted[-1].professional_id,
                    )
                    grid = replace(grid, id=f"reeval{grid.id[7:]}")
                    assessments.append(grid)
                    event = replace(event, assessment_id=grid.id)
                events.append(event)
        health = [m for m in accepted if known[m.professional_id].profession.is_health_professional]
        billers = health[: 3 if index % 3 else 2]
        for membership in billers:
            records.append(
                BillingRecord(
                    escap.id,
                    membership.professional_id,
                    BillingKind.ENTRY,
                    "ESE",
                    activated.date() + timedelta(days=1),
                )
            )
        if closed is not None:
            records.append(
                BillingRecord(
                    escap.id, billers[0].professional_id, BillingKind.EXIT, "ESS", closed.date()
                )
            )
    involved = {m.professional_id for m in memberships} | {a.assessor_id for a in assessments}
    if patient.medecin_traitant_id:
        involved.add(patient.medecin_traitant_id)
    return EpisodeBundle(
        escap=escap,
        patient=patient,
        assessments=tuple(assessments),
        consent=consent,
        memberships=tuple(memberships),
        professionals=tuple(known[pid] for pid in sorted(involved)),
        actions=tuple(actions),
        events=tuple(events),
        billing_records=tuple(records),
    )
