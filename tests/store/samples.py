"""Entities with every field set to a non-default value, so a round trip proves each column."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    BillingKind,
    BillingRecord,
    Caregiver,
    ClinicalSituation,
    Consent,
    ConsentMode,
    ConsentStatus,
    DataCategory,
    Escap,
    EscapState,
    Event,
    EventKind,
    ExitReason,
    GridAssessment,
    IdentifierKind,
    IdentityDocument,
    IdentityStatus,
    LocalProfile,
    Membership,
    MembershipStatus,
    Message,
    OtherScheme,
    OtherSchemeKind,
    Patient,
    Prerequisite,
    Profession,
    Professional,
    ProfessionalSource,
    Sex,
)

NIR = "255081416802538"
PARIS_SUMMER = timezone(timedelta(hours=2))


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 4, day, hour, 30, 15, 123456, tzinfo=UTC)


def professional(**changes: object) -> Professional:
    values: dict[str, object] = {
        "last_name": "Lefèvre",
        "first_name": "Marie-Hélène",
        "profession": Profession.MEDECIN,
        "identifier_kind": IdentifierKind.ADELI,
        "identifier": "751234567",
        "specialty": "Médecine générale",
        "address": "3 rue de l'Église",
        "postcode": "69001",
        "town": "Lyon",
        "phone": "04 72 00 00 00",
        "mssante": "marie.lefevre@medecin.mssante.fr",
        "source": ProfessionalSource.DIRECTORY,
        "encryption_public_key": "enc-key",
        "signing_public_key": "sign-key",
    }
    values.update(changes)
    return Professional(**values)  # type: ignore[arg-type]


def patient(**changes: object) -> Patient:
    values: dict[str, object] = {
        "birth_name": "N'GUYEN-DUPONT",
        "first_names": "Élodie Anne",
        "birth_date": date(1955, 8, 14),
        "sex": Sex.FEMALE,
        "birth_place_code": "14168",
        "used_name": "MARTIN",
        "used_first_name": "Lodie",
        "ins": NIR,
        "identity_status": IdentityStatus.QUALIFIED,
        "medecin_traitant_id": "a" * 32,
        "phone": "06 00 00 00 00",
        "address": "12 chemin des Épinettes, 14000 Caen",
        "caregivers": (
            Caregiver(full_name="Paul Martin", relationship="époux", phone="0611", notes="matin"),
            Caregiver(full_name="Zoé Martin", relationship="fille"),
        ),
        "other_schemes": (
            OtherScheme(kind=OtherSchemeKind.HAD, since=date(2024, 12, 1), contact="HAD Caen"),
            OtherScheme(kind=OtherSchemeKind.DAC),
        ),
        "identity_document": IdentityDocument.PASSEPORT,
        "identity_verified_by": "b" * 32,
        "identity_verified_on": date(2025, 1, 7),
    }
    values.update(changes)
    return Patient(**values)  # type: ignore[arg-type]


def escap(patient_id: str, **changes: object) -> Escap:
    values: dict[str, object] = {
        "patient_id": patient_id,
        "created_by": "c" * 32,
        "created_at": at(1),
        "state": EscapState.CLOSED,
        "episode": 2,
        "activated_at": at(2).astimezone(PARIS_SUMMER),
        "closed_at": at(20),
        "exit_reason": ExitReason.MOVE,
        "exit_note": "Déménagement à Rennes",
    }
    values.update(changes)
    return Escap(**values)  # type: ignore[arg-type]


def membership(escap_id: str, professional_id: str, **changes: object) -> Membership:
    values: dict[str, object] = {
        "escap_id": escap_id,
        "professional_id": professional_id,
        "invited_by": "c" * 32,
        "invited_at": at(3),
        "role": "Suivi des pansements",
        "status": MembershipStatus.ACCEPTED,
        "responded_at": at(4),
        "left_at": at(19),
        "join_code": "ABCD-1234",
        "invitation_printed_on": date(2025, 4, 3),
    }
    values.update(changes)
    return Membership(**values)  # type: ignore[arg-type]


def consent(escap_id: str, patient_id: str) -> Consent:
    return Consent(
        escap_id=escap_id,
        patient_id=patient_id,
        collected_by="c" * 32,
        scopes=frozenset({DataCategory.MEDICAL, DataCategory.SOCIAL}),
        recipient_ids=("p2" * 16, "p1" * 16),
        mode=ConsentMode.ORAL,
        status=ConsentStatus.WITHDRAWN,
        form_reference="CONS-2025-001",
        signed_on=date(2025, 4, 2),
        signatory="Paul Martin",
        legal_representative=True,
        scan_path="/scans/consent.pdf",
        scan_sha256="f" * 64,
        withdrawn_on=date(2025, 4, 18),
    )


def assessment(escap_id: str, patient_id: str, **changes: object) -> GridAssessment:
    values: dict[str, object] = {
        "escap_id": escap_id,
        "patient_id": patient_id,
        "assessor_id": "c" * 32,
        "assessed_on": date(2025, 4, 2),
        "grid_id": "escap-inclusion",
        "grid_version": "2025.1",
        "answers": {"age": True, "chutes": False, "isolement": True},
        "score": 15,
        "threshold": 13,
        "situation": ClinicalSituation(
            chronic_conditions=3,
            stroke_discharge_date=date(2024, 11, 5),
            palliative_care=True,
            diabetes_type=2,
            on_insulin=True,
            pregnant=False,
        ),
        "prerequisites_met": (Prerequisite.STROKE_RECENT, Prerequisite.DIABETES_INSULIN),
        "eligible": True,
        "at_home": True,
        "is_reevaluation": True,
        "recorded_at": at(2, 11),
    }
    values.update(changes)
    return GridAssessment(**values)  # type: ignore[arg-type]


def action(escap_id: str, **changes: object) -> Action:
    values: dict[str, object] = {
        "escap_id": escap_id,
        "title": "Bilan de kinésithérapie",
        "created_by": "c" * 32,
        "created_at": at(5),
        "responsible_id": "d" * 32,
        "details": "Deux séances par semaine",
        "due_on": date(2025, 5, 1),
        "recurrence": "hebdomadaire",
        "status": ActionStatus.DONE,
        "completed_on": date(2025, 4, 30),
        "category": DataCategory.SOCIAL,
        "mt_validated_on": date(2025, 4, 6),
        "mt_received_on": date(2025, 4, 7),
        "updated_at": at(30),
    }
    values.update(changes)
    return Action(**values)  # type: ignore[arg-type]


def message(escap_id: str, **changes: object) -> Message:
    values: dict[str, object] = {
        "escap_id": escap_id,
        "author_id": "d" * 32,
        "sent_at": at(6),
        "body": "Tension à 15/9 ce matin, à surveiller.",
        "category": DataCategory.ADMINISTRATIVE,
        "read_by": frozenset({"c" * 32, "d" * 32}),
    }
    values.update(changes)
    return Message(**values)  # type: ignore[arg-type]


def event(escap_id: str) -> Event:
    return Event(
        escap_id=escap_id,
        kind=EventKind.REEVALUATION,
        occurred_on=date(2025, 4, 10),
        recorded_by="c" * 32,
        note="Réévaluation à domicile",
        assessment_id="e" * 32,
    )


def billing(escap_id: str) -> BillingRecord:
    return BillingRecord(
        escap_id=escap_id,
        professional_id="c" * 32,
        kind=BillingKind.EXIT,
        code="ESX",
        billed_on=date(2025, 4, 21),
    )


def local_profile(professional_id: str) -> LocalProfile:
    return LocalProfile(
        professional_id=professional_id,
        device_name="Portable du cabinet",
        idle_lock_minutes=5,
        relay_url="https://relais.example.fr",
        grid_path="/grilles/officielle.toml",
    )
