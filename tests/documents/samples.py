"""Realistic French records for the documents' tests and for the README pictures.

Names carry what real ones do: accents, hyphens, apostrophes, "Œ", several first names.
The demo store will replace these when its generator exists.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    Caregiver,
    ClinicalSituation,
    Consent,
    DataCategory,
    GridAssessment,
    IdentifierKind,
    IdentityStatus,
    Membership,
    MembershipStatus,
    Patient,
    Prerequisite,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.documents import (
    CarePlanData,
    ConsentFormData,
    DocumentKind,
    GridItemRow,
    GridReportData,
    InvitationData,
    document_reference,
)

TODAY = date(2025, 6, 12)
CREATED = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
ESCAP_ID = "5f0c2b9e8d7a4c3b9a1e2f3d4c5b6a70"


def professional(
    last: str, first: str, profession: Profession, town: str, **extra: str
) -> Professional:
    return Professional(last_name=last, first_name=first, profession=profession, town=town, **extra)


def doctor() -> Professional:
    return professional(
        "Lefèvre-D'Almeida",
        "Ségolène",
        Profession.MEDECIN,
        "Saint-Étienne",
        specialty="Médecine générale",
        identifier="10101234567",
        address="12 rue de l'Éternité",
        postcode="42000",
        phone="04 77 12 34 56",
        mssante="segolene.lefevre-dalmeida@medecin.mssante.fr",
    )


def nurse() -> Professional:
    return professional(
        "Œillet",
        "Zoë",
        Profession.INFIRMIER,
        "Saint-Priest-en-Jarez",
        identifier="10109876543",
        address="3 place Jean-Jaurès",
        postcode="42270",
        phone="06 12 34 56 78",
        mssante="zoe.oeillet@infirmier.mssante.fr",
    )


def physio() -> Professional:
    return professional(
        "N'Diaye",
        "Aïssatou",
        Profession.MASSEUR_KINESITHERAPEUTE,
        "La Talaudière",
        identifier="10104567890",
        phone="04 77 53 21 09",
    )


def pharmacist() -> Professional:
    return professional(
        "Château-Brûlé",
        "Noël",
        Profession.PHARMACIEN,
        "Saint-Étienne",
        identifier="10107654321",
        phone="04 77 32 10 98",
    )


def social_worker() -> Professional:
    return professional(
        "Dupuis",
        "Anaïs",
        Profession.ASSISTANT_SERVICE_SOCIAL,
        "Saint-Étienne",
        identifier_kind=IdentifierKind.NONE,
        phone="04 77 49 00 00",
    )


def patient(gp: Professional | None = None, **changes: object) -> Patient:
    values: dict[str, object] = {
        "birth_name": "Bérénger",
        "first_names": "Françoise Hélène Maëlle",
        "birth_date": date(1941, 3, 17),
        "sex": Sex.FEMALE,
        "birth_place_code": "42218",
        "used_name": "Cœurdacier",
        "ins": "241034221801247",
        "identity_status": IdentityStatus.QUALIFIED,
        "medecin_traitant_id": gp.id if gp else None,
        "phone": "04 77 00 11 22",
        "address": "8 allée des Çà-et-Là, 42000 Saint-Étienne",
        "caregivers": (Caregiver("Jean-Noël Cœurdacier", "fils", "06 98 76 54 32"),),
    }
    values.update(changes)
    return Patient(**values)  # type: ignore[arg-type]


def team() -> list[Professional]:
    return [doctor(), nurse(), physio(), pharmacist(), social_worker()]


def consent_form(designated: list[Professional] | None = None, **patient_changes: object):
    members = designated if designated is not None else team()
    gp = members[0] if members else doctor()
    the_patient = patient(gp, **patient_changes)
    consent = Consent(
        escap_id=ESCAP_ID,
        patient_id=the_patient.id,
        collected_by=gp.id,
        scopes=frozenset({DataCategory.MEDICAL, DataCategory.SOCIAL}),
        recipient_ids=tuple(p.id for p in members),
        form_reference=document_reference(DocumentKind.CONSENT_FORM),
    )
    return ConsentFormData(
        patient=the_patient,
        consent=consent,
        designated=members,
        collector=gp,
        issued_on=TODAY,
    )


def invitation(**changes: object) -> InvitationData:
    the_patient = patient()
    values: dict[str, object] = {
        "inviter": doctor(),
        "invitee": physio(),
        "patient_initials": the_patient.initials,
        "patient_age": the_patient.age_on(TODAY),
        "role": "Rééducation à la marche et prévention des chutes, deux séances par semaine",
        "join_code": "K7QF-9M2X-T4PB",
        "inviter_fingerprint": "3F9A 07C2 E18B 55D4 A0E6 9B71 C2D8 4E13",
        "issued_on": TODAY,
        "expires_on": date(2025, 6, 26),
    }
    values.update(changes)
    return InvitationData(**values)  # type: ignore[arg-type]


def membership(pro: Professional, role: str, status: MembershipStatus) -> Membership:
    return Membership(
        escap_id=ESCAP_ID,
        professional_id=pro.id,
        invited_by="x",
        invited_at=CREATED,
        role=role,
        status=status,
    )


def action(title: str, responsible: Professional | None, **changes: object) -> Action:
    values: dict[str, object] = {
        "escap_id": ESCAP_ID,
        "title": title,
        "created_by": "x",
        "created_at": CREATED,
        "responsible_id": responsible.id if responsible else None,
    }
    values.update(changes)
    return Action(**values)  # type: ignore[arg-type]


def care_plan(professionals: list[Professional] | None = None, actions=None) -> CarePlanData:
    pros = professionals if professionals is not None else team()
    roles = [
        "Suivi médical, coordination avec l'hôpital",
        "Pansements, surveillance glycémique",
        "Rééducation à la marche",
        "Préparation des piluliers",
        "Dossier d'aide à domicile (APA)",
    ]
    members = [
        (membership(p, roles[i % len(roles)], MembershipStatus.ACCEPTED), p)
        for i, p in enumerate(pros)
    ]
    gp, nurse_, physio_ = pros[0], pros[1 % len(pros)], pros[2 % len(pros)]
    if actions is None:
        actions = [
            action(
                "Surveillance de la glycémie capillaire",
                nurse_,
                details="Matin et soir ; alerter le médecin si > 3 g/L ou < 0,7 g/L.",
                due_on=date(2025, 6, 13),
                recurrence="tous les jours",
            ),
            action(
                "Réévaluation du traitement antidiabétique",
                gp,
                details="Avec les relevés de l'infirmière ; adapter les doses d'insuline.",
                due_on=date(2025, 6, 20),
            ),
            action(
                "Rééducation à la marche, prévention des chutes",
                physio_,
                due_on=date(2025, 6, 16),
                recurrence="2 fois par semaine",
            ),
            action(
                "Bilan de l'aménagement du logement (barres d'appui, tapis)",
                None,
                category=DataCategory.SOCIAL,
            ),
            action(
                "Ordonnance renouvelée",
                gp,
                status=ActionStatus.DONE,
                completed_on=date(2025, 6, 5),
            ),
        ]
    return CarePlanData(
        patient=patient(gp),
        members=members,
        actions=actions,
        issued_on=TODAY,
        next_reevaluation=date(2025, 9, 12),
        author=gp,
    )


GRID_GROUPS = {
    "Âge et état de santé": [
        ("age_75", "Âge supérieur ou égal à 75 ans"),
        ("age_85", "Âge supérieur ou égal à 85 ans"),
        ("poly_3", "Au moins trois pathologies chroniques"),
        ("meds_5", "Au moins cinq médicaments différents par jour"),
        ("meds_10", "Au moins dix médicaments différents par jour"),
        ("hospit_6m", "Hospitalisation non programmée dans les six derniers mois"),
        ("emergency_6m", "Passage aux urgences dans les six derniers mois"),
        ("surgery", "Intervention chirurgicale dans l'année"),
        ("pain", "Douleur chronique"),
        ("wounds", "Plaie chronique ou escarre"),
    ],
    "Autonomie": [
        ("mobility", "Mobilité réduite (aide pour se déplacer)"),
        ("falls", "Chute(s) dans l'année"),
        ("continence", "Troubles de la continence"),
        ("cognition", "Troubles cognitifs"),
        ("mood", "Troubles de l'humeur ou anxiété"),
        ("sensory", "Déficit sensoriel (vue, audition) non compensé"),
        ("nutrition", "Dénutrition ou perte de poids involontaire"),
        ("daily_help", "Aide nécessaire pour la toilette ou les repas"),
    ],
    "Entourage et lieu de vie": [
        ("alone", "Vit seul(e)"),
        ("isolation", "Isolement social"),
        ("caregiver_none", "Absence d'aidant"),
        ("caregiver_tired", "Épuisement de l'aidant"),
        ("housing", "Logement inadapté"),
        ("vulnerable", "Situation de précarité ou de vulnérabilité"),
        ("multi_pro", "Besoin de plusieurs professionnels à domicile"),
        ("coordination", "Difficultés de coordination entre les intervenants"),
    ],
}


def grid_items() -> list[GridItemRow]:
    return [
        GridItemRow(item_id=item_id, group=group, label=label, points=1)
        for group, items in GRID_GROUPS.items()
        for item_id, label in items
    ]


def grid_report() -> GridReportData:
    items = grid_items()
    ticked = {"age_75", "poly_3", "meds_5", "hospit_6m", "emergency_6m", "pain", "mobility"}
    ticked |= {"falls", "nutrition", "daily_help", "alone", "caregiver_tired", "multi_pro"}
    ticked |= {"coordination"}
    answers = {item.item_id: item.item_id in ticked for item in items}
    assessor = nurse()
    the_patient = patient()
    assessment = GridAssessment(
        escap_id=ESCAP_ID,
        patient_id=the_patient.id,
        assessor_id=assessor.id,
        assessed_on=TODAY,
        grid_id="escap-2025",
        grid_version="2025.1",
        answers=answers,
        score=sum(item.points for item in items if answers[item.item_id]),
        threshold=13,
        situation=ClinicalSituation(chronic_conditions=4, diabetes_type=2, on_insulin=True),
        prerequisites_met=(Prerequisite.POLYPATHOLOGY_OVER_65, Prerequisite.DIABETES_INSULIN),
        eligible=True,
        at_home=True,
    )
    return GridReportData(
        patient=the_patient,
        assessment=assessment,
        items=items,
        assessor=assessor,
        grid_title="Grille d'inclusion ESCAP (exemple)",
    )
