"""One episode as a FHIR R4 ``collection`` Bundle, for software that speaks FHIR.

Resources: Patient, Practitioner (one per professional involved), CareTeam, CarePlan, Consent, the
inclusion grid as a Questionnaire per grid version and each filled grid as a
QuestionnaireResponse. Identifiers follow the French conventions of the FR Core guide:

* the INS is carried only for a QUALIFIED identity (RNIV rule, FR Core "patient-ins" profile),
  as an ``INS-NIR`` (OID 1.2.250.1.213.1.4.8) or, for a temporary number starting with 7 or 8,
  an ``INS-NIA`` (OID 1.2.250.1.213.1.4.9);
* a professional's national identifier is ``IDNPS``, OID 1.2.250.1.71.4.2.1, value "8" + RPPS
  (or "0" + ADELI);
* the birth name is the ``official`` name (first first name in ``given``, every first name in
  the FR Core ``birth-list-given-name`` extension); the used name is the ``usual`` name.

Resources are validated with the R4B models of ``fhir.resources`` (FHIR 4.3.0, the R4 family:
``fhir.resources`` 8 has no 4.0.1 package, and the resources used here are identical in both).
No FR Core profile is claimed in ``meta.profile``: the bundle follows its identifier and name
conventions without asserting full conformance.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

from fhir.resources.R4B import get_fhir_model_class

from escap_desktop.core.entities import (
    Action,
    ActionStatus,
    Consent,
    ConsentStatus,
    EscapState,
    ExitReason,
    GridAssessment,
    IdentityStatus,
    Membership,
    Patient,
    Profession,
    Professional,
    Sex,
)
from escap_desktop.core.entities.professional import RPPS_CODES
from escap_desktop.core.rules.indicators import EpisodeBundle
from escap_desktop.core.rules.periods import was_accepted
from escap_desktop.exports.errors import ExportError

GridItem = tuple[str, str, str, int]
"""(item id, label, group, points) of one inclusion grid item."""


class GridItemFields(Protocol):
    """Any grid item object with these fields (``core.rules.grid.GridItem`` has them)."""

    @property
    def id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def points(self) -> int: ...


GridItems = Sequence[GridItem | GridItemFields]

FHIR_VERSION = "4.3.0"
INS_NIR_SYSTEM = "urn:oid:1.2.250.1.213.1.4.8"
INS_NIA_SYSTEM = "urn:oid:1.2.250.1.213.1.4.9"
IDNPS_SYSTEM = "urn:oid:1.2.250.1.71.4.2.1"
URI_SYSTEM = "urn:ietf:rfc:3986"
FR_CORE = "https://hl7.fr/ig/fhir/core"
FR_IDENTIFIER_TYPES = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
BIRTH_LIST_GIVEN_NAME = f"{FR_CORE}/StructureDefinition/fr-core-patient-birth-list-given-name"
ADDRESS_INSEE_CODE = f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code"
HL7_IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203"
BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
ORDINAL_VALUE = "http://hl7.org/fhir/StructureDefinition/ordinalValue"
YES_NO = "http://terminology.hl7.org/CodeSystem/v2-0136"
PROFESSIONS = "https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante"
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
LOINC = "http://loinc.org"

_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_YES = {"system": YES_NO, "code": "Y", "display": "Oui"}
_NO = {"system": YES_NO, "code": "N", "display": "Non"}
_GENDER = {Sex.MALE: "male", Sex.FEMALE: "female", Sex.INDETERMINATE: "other"}
# An incomplete team goes on caring for the patient: still "active" in FHIR's terms (the ESCAP
# state itself is in the evaluation export).
_TEAM_STATUS = {
    EscapState.ACTIVE: "active",
    EscapState.INCOMPLETE: "active",
    EscapState.CLOSED: "inactive",
}
_ACTIVITY_STATUS = {ActionStatus.DONE: "completed", ActionStatus.CANCELLED: "cancelled"}
_REVOKING_EXITS = (ExitReason.WITHDRAWAL, ExitReason.CONSENT_WITHDRAWN, ExitReason.NOT_ELIGIBLE)


# --- references and small datatypes ----------------------------------------------------------


def _uuid(record_id: str) -> uuid.UUID:
    """The record id as a UUID (ours are uuid4 hex); any other id gets a stable name-based one."""
    try:
        return uuid.UUID(hex=record_id)
    except ValueError:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"escap-desktop:{record_id}")


def _full_url(record_id: str) -> str:
    return f"urn:uuid:{_uuid(record_id)}"


def _resource_id(record_id: str) -> str:
    return record_id if _FHIR_ID.match(record_id) else str(_uuid(record_id))


def _ref(record_id: str, display: str = "") -> dict[str, str]:
    reference = {"reference": _full_url(record_id)}
    if display:
        reference["display"] = display
    return reference


def _instant(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat(timespec="seconds")


def _period(start: datetime | date | None, end: datetime | date | None) -> dict[str, str]:
    period = {}
    for key, value in (("start", start), ("end", end)):
        if isinstance(value, datetime):
            period[key] = _instant(value)
        elif isinstance(value, date):
            period[key] = value.isoformat()
    return period


def _coding(system: str, code: str, display: str = "") -> dict[str, str]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _local_identifier(record_id: str) -> dict[str, Any]:
    return {"system": URI_SYSTEM, "value": _full_url(record_id)}


# --- resources ----------------------------------------------------------------------------------


def patient_resource(patient: Patient, gp_known: bool) -> dict[str, Any]:
    """The Patient, with the INS only when the identity is qualified."""
    identifiers: list[dict[str, Any]] = [
        {
            "use": "usual",
            "type": {
                "coding": [_coding(HL7_IDENTIFIER_TYPES, "PI", "Patient internal identifier")]
            },
            **_local_identifier(patient.id),
        }
    ]
    ins = "".join(patient.ins.split())
    if ins and patient.identity_status is IdentityStatus.QUALIFIED:
        temporary = ins[0] in "78"
        identifiers.append(
            {
                "use": "official",
                "type": {
                    "coding": [
                        _coding(FR_IDENTIFIER_TYPES, "INS-NIA", "NIR temporaire")
                        if temporary
                        else _coding(FR_IDENTIFIER_TYPES, "INS-NIR", "NIR définitif")
                    ]
                },
                "system": INS_NIA_SYSTEM if temporary else INS_NIR_SYSTEM,
                "value": ins,
            }
        )
    first_names = patient.first_names.split()
    names: list[dict[str, Any]] = [
        {
            "extension": [{"url": BIRTH_LIST_GIVEN_NAME, "valueString": " ".join(first_names)}],
            "use": "official",
            "family": patient.birth_name,
            **({"given": first_names[:1]} if first_names else {}),
        }
    ]
    if patient.used_name or patient.used_first_name:
        usual: dict[str, Any] = {"use": "usual", "family": patient.used_name or patient.birth_name}
        used_first = patient.used_first_name or (first_names[0] if first_names else "")
        if used_first:
            usual["given"] = [used_first]
        names.append(usual)
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": _resource_id(patient.id),
        "identifier": identifiers,
        "name": names,
        "gender": _GENDER[patient.sex],
        "birthDate": patient.birth_date.isoformat(),
    }
    if patient.birth_place_code:
        resource["extension"] = [
            {
                "url": BIRTH_PLACE,
                "valueAddress": {
                    "extension": [
                        {
                            "url": ADDRESS_INSEE_CODE,
                            "valueCoding": {"code": patient.birth_place_code},
                        }
                    ]
                },
            }
        ]
    if patient.phone:
        resource["telecom"] = [{"system": "phone", "value": patient.phone, "use": "home"}]
    if patient.address:
        resource["address"] = [{"use": "home", "text": patient.address}]
    if patient.caregivers:
        resource["contact"] = [
            {
                "relationship": [
                    {"text": f"Aidant ({c.relationship})" if c.relationship else "Aidant"}
                ],
                "name": {"text": c.full_name},
                **({"telecom": [{"system": "phone", "value": c.phone}]} if c.phone else {}),
            }
            for c in patient.caregivers
        ]
    if gp_known and patient.medecin_traitant_id:
        resource["generalPractitioner"] = [_ref(patient.medecin_traitant_id)]
    return resource


def practitioner_resource(professional: Professional) -> dict[str, Any]:
    """A Practitioner with the national identifier (IDNPS: "8" + RPPS, "0" + ADELI)."""
    name: dict[str, Any] = {"use": "official", "family": professional.last_name}
    if professional.first_name:
        name["given"] = [professional.first_name]
    if professional.profession is Profession.MEDECIN:
        name["prefix"] = ["Dr"]
    resource: dict[str, Any] = {
        "resourceType": "Practitioner",
        "id": _resource_id(professional.id),
        "name": [name],
    }
    if professional.national_id and professional.identifier:
        resource["identifier"] = [
            {
                "use": "official",
                "type": {
                    "coding": [
                        _coding(
                            FR_IDENTIFIER_TYPES,
                            "IDNPS",
                            "Identifiant National de Professionnel de Santé",
                        )
                    ]
                },
                "system": IDNPS_SYSTEM,
                "value": professional.national_id,
            }
        ]
    telecom = []
    if professional.phone:
        telecom.append({"system": "phone", "value": professional.phone, "use": "work"})
    if professional.mssante:
        telecom.append({"system": "email", "value": professional.mssante, "use": "work"})
    if telecom:
        resource["telecom"] = telecom
    if professional.address or professional.town:
        address: dict[str, Any] = {"use": "work"}
        if professional.address:
            address["line"] = [professional.address]
        if professional.postcode:
            address["postalCode"] = professional.postcode
        if professional.town:
            address["city"] = professional.town
        resource["address"] = [address]
    code = RPPS_CODES.get(professional.profession)
    qualification: dict[str, Any] = {"text": professional.profession.label}
    if code:
        qualification["coding"] = [_coding(PROFESSIONS, code, professional.profession.label)]
    resource["qualification"] = [{"code": qualification}]
    if professional.specialty:
        resource["qualification"].append({"code": {"text": professional.specialty}})
    return resource


def care_team_resource(bundle: EpisodeBundle, known: set[str]) -> dict[str, Any]:
    """The team: the patient, then every professional who accepted (with their period)."""
    escap, patient = bundle.escap, bundle.patient
    participants: list[dict[str, Any]] = [
        {"role": [{"text": "Patient"}], "member": _ref(patient.id)}
    ]
    for membership in sorted(bundle.memberships, key=lambda m: m.invited_at):
        if not was_accepted(membership) or membership.professional_id not in known:
            continue
        participants.append(_participant(bundle, membership))
    resource: dict[str, Any] = {
        "resourceType": "CareTeam",
        "id": _resource_id(escap.id),
        "identifier": [_local_identifier(escap.id)],
        "status": _TEAM_STATUS.get(escap.state, "proposed"),
        "name": f"ESCAP – épisode {escap.episode}",
        "subject": _ref(patient.id),
        "participant": participants,
    }
    period = _period(escap.activated_at, escap.closed_at)
    if period:
        resource["period"] = period
    return resource


def _participant(bundle: EpisodeBundle, membership: Membership) -> dict[str, Any]:
    professional = bundle.professional(membership.professional_id)
    role = membership.role or (professional.profession.label if professional else "Membre")
    participant: dict[str, Any] = {
        "role": [{"text": role}],
        "member": _ref(membership.professional_id),
    }
    period = _period(membership.responded_at or membership.invited_at, membership.left_at)
    if period:
        participant["period"] = period
    return participant


def care_plan_resource(bundle: EpisodeBundle, known: set[str]) -> dict[str, Any]:
    """The plan of individualised actions, each with its responsible member and due date."""
    escap = bundle.escap
    if escap.state is EscapState.CLOSED:
        status = "revoked" if escap.exit_reason in _REVOKING_EXITS else "completed"
    else:
        status = "active" if escap.state.running else "draft"
    resource: dict[str, Any] = {
        "resourceType": "CarePlan",
        "id": _resource_id(f"plan-{escap.id}"),
        "status": status,
        "intent": "plan",
        "title": "Plan d'actions personnalisé ESCAP",
        "subject": _ref(bundle.patient.id),
        "careTeam": [_ref(escap.id)],
    }
    period = _period(escap.activated_at, escap.closed_at)
    if period:
        resource["period"] = period
    if escap.created_by in known:
        resource["author"] = _ref(escap.created_by)
    activities = [_activity(action, bundle, known) for action in _ordered(bundle.actions)]
    if activities:
        resource["activity"] = activities
    return resource


def _ordered(actions: Sequence[Action]) -> list[Action]:
    return sorted(actions, key=lambda a: (a.due_on or date.max, a.created_at))


def _activity(action: Action, bundle: EpisodeBundle, known: set[str]) -> dict[str, Any]:
    status = _ACTIVITY_STATUS.get(action.status, "scheduled" if action.due_on else "not-started")
    detail: dict[str, Any] = {
        "kind": "Task",
        "status": status,
        "description": f"{action.title} — {action.details}" if action.details else action.title,
    }
    if action.recurrence:
        since = f" à partir du {action.due_on:%d/%m/%Y}" if action.due_on else ""
        detail["scheduledString"] = f"{action.recurrence}{since}"
    elif action.due_on:
        detail["scheduledTiming"] = {"event": [action.due_on.isoformat()]}
    if action.responsible_id and action.responsible_id in known:
        detail["performer"] = [_ref(action.responsible_id)]
    progress: list[dict[str, Any]] = []
    gp = bundle.patient.medecin_traitant_id
    gp_ref: dict[str, Any] = {"authorReference": _ref(gp)} if gp and gp in known else {}
    if action.completed_on:
        progress.append(
            {
                "time": action.completed_on.isoformat(),
                "text": f"Faite le {action.completed_on:%d/%m/%Y}.",
            }
        )
    if action.mt_validated_on:
        progress.append(
            {
                **gp_ref,
                "time": action.mt_validated_on.isoformat(),
                "text": f"Validée par le médecin traitant le {action.mt_validated_on:%d/%m/%Y}.",
            }
        )
    if action.mt_received_on:
        progress.append(
            {
                **gp_ref,
                "time": action.mt_received_on.isoformat(),
                "text": f"Reçue par le médecin traitant le {action.mt_received_on:%d/%m/%Y}.",
            }
        )
    activity: dict[str, Any] = {"detail": detail}
    if progress:
        activity["progress"] = progress
    return activity


def _consent_status(consent: Consent) -> str:
    if consent.status is ConsentStatus.REFUSED:
        return "rejected"
    if consent.status is ConsentStatus.WITHDRAWN or consent.withdrawn_on is not None:
        return "inactive"
    if consent.status is ConsentStatus.SIGNED:
        return "active"
    return "proposed"


def consent_resource(consent: Consent, known: set[str]) -> dict[str, Any]:
    """The patient's consent: status, the designated recipients and the data categories."""
    refused = consent.status is ConsentStatus.REFUSED
    provision: dict[str, Any] = {"type": "deny" if refused else "permit"}
    period = _period(consent.signed_on, consent.withdrawn_on)
    if period:
        provision["period"] = period
    actors = [
        {
            "role": {"coding": [_coding(PARTICIPATION_TYPE, "IRCP", "information recipient")]},
            "reference": _ref(recipient),
        }
        for recipient in consent.recipient_ids
        if recipient in known
    ]
    if actors:
        provision["actor"] = actors
    scopes = sorted(consent.scopes, key=lambda c: c.value)
    if scopes:
        provision["provision"] = [
            {"type": provision["type"], "code": [{"text": category.label}]} for category in scopes
        ]
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": _resource_id(consent.id),
        "status": _consent_status(consent),
        "scope": {"coding": [_coding(CONSENT_SCOPE, "patient-privacy", "Privacy Consent")]},
        "category": [
            {
                "coding": [_coding(LOINC, "59284-0", "Patient Consent")],
                "text": "Consentement à l'ESCAP et au partage d'informations entre ses membres",
            }
        ],
        "patient": _ref(consent.patient_id),
        "performer": [_ref(consent.patient_id)],
        "policyRule": {"coding": [_coding(ACT_CODE, "OPTIN", "opt-in")]},
        "provision": provision,
    }
    if consent.signed_on:
        resource["dateTime"] = consent.signed_on.isoformat()
    if consent.form_reference:
        resource["sourceAttachment"] = {
            "title": f"Formulaire de consentement {consent.form_reference} ({consent.mode.value})"
        }
    return resource


def questionnaire_url(grid_id: str, version: str) -> str:
    """A stable canonical URL for one grid version (the same on every installation)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'escap-grid:{grid_id}:{version}')}"


def _groups(items: Sequence[GridItem]) -> list[tuple[str, list[GridItem]]]:
    groups: dict[str, list[GridItem]] = {}
    for item in items:
        groups.setdefault(item[2], []).append(item)
    return list(groups.items())


def questionnaire_resource(
    grid_id: str, version: str, items: Sequence[GridItem], threshold: int | None
) -> dict[str, Any]:
    """The grid of one version: yes/no items with their points (ordinalValue), by group."""
    groups: list[dict[str, Any]] = [
        {
            "linkId": f"groupe-{index}",
            "type": "group",
            "text": group,
            "item": [
                {
                    "linkId": item_id,
                    "type": "choice",
                    "text": label,
                    "required": True,
                    "answerOption": [
                        {
                            "extension": [{"url": ORDINAL_VALUE, "valueDecimal": points}],
                            "valueCoding": _YES,
                        },
                        {
                            "extension": [{"url": ORDINAL_VALUE, "valueDecimal": 0}],
                            "valueCoding": _NO,
                        },
                    ],
                }
                for item_id, label, _, points in group_items
            ],
        }
        for index, (group, group_items) in enumerate(_groups(items), start=1)
    ]
    eligible = f" ; éligible à partir de {threshold} points" if threshold is not None else ""
    groups.append(
        {"linkId": "score", "type": "integer", "text": f"Score total{eligible}", "readOnly": True}
    )
    return {
        "resourceType": "Questionnaire",
        "id": _resource_id(str(uuid.uuid5(uuid.NAMESPACE_URL, f"escap-grid:{grid_id}:{version}"))),
        "url": questionnaire_url(grid_id, version),
        "version": version,
        "name": "GrilleInclusionESCAP",
        "title": "Grille d'inclusion ESCAP",
        "status": "active",
        "subjectType": ["Patient"],
        "item": groups,
    }


def questionnaire_response_resource(
    assessment: GridAssessment, items: Sequence[GridItem], known: set[str]
) -> dict[str, Any]:
    """One filled grid: the yes/no answer to each item and the score."""
    unknown = sorted(set(assessment.answers) - {item[0] for item in items})
    if unknown:
        raise ExportError(
            f"La grille {assessment.grid_id} version {assessment.grid_version} fournie ne "
            f"contient pas les items {', '.join(unknown)} de l'évaluation du "
            f"{assessment.assessed_on:%d/%m/%Y} : export FHIR impossible."
        )
    groups = []
    for index, (_, group_items) in enumerate(_groups(items), start=1):
        answered = [
            {
                "linkId": item_id,
                "answer": [{"valueCoding": _YES if assessment.answers[item_id] else _NO}],
            }
            for item_id, *_ in group_items
            if item_id in assessment.answers
        ]
        if answered:
            groups.append({"linkId": f"groupe-{index}", "item": answered})
    groups.append({"linkId": "score", "answer": [{"valueInteger": assessment.score}]})
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "id": _resource_id(assessment.id),
        "questionnaire": questionnaire_url(assessment.grid_id, assessment.grid_version),
        "status": "completed",
        "subject": _ref(assessment.patient_id),
        "authored": assessment.assessed_on.isoformat(),
        "item": groups,
    }
    if assessment.assessor_id in known:
        resource["author"] = _ref(assessment.assessor_id)
    return resource


# --- the bundle ---------------------------------------------------------------------------------


def _as_tuples(items: GridItems) -> list[GridItem]:
    return [
        item if isinstance(item, tuple) else (item.id, item.label, item.group, item.points)
        for item in items
    ]


def _items_for(
    grid_items: GridItems | Mapping[str, GridItems], assessment: GridAssessment
) -> list[GridItem]:
    if isinstance(grid_items, Mapping):
        items = grid_items.get(assessment.grid_version)
        if items is None:
            raise ExportError(
                f"La grille version {assessment.grid_version} (évaluation du "
                f"{assessment.assessed_on:%d/%m/%Y}) n'a pas été fournie : export FHIR impossible."
            )
        return _as_tuples(items)
    return _as_tuples(grid_items)


def build_fhir_bundle(
    bundle: EpisodeBundle,
    grid_items: GridItems | Mapping[str, GridItems],
    *,
    generated_at: datetime,
) -> dict[str, Any]:
    """The episode as a JSON-ready FHIR R4 ``collection`` Bundle.

    ``grid_items`` are the items of the grid version the assessments used (``(id, label,
    group, points)`` tuples or objects with those fields, such as the loaded grid's items), or a
    mapping from each grid version to its items when re-evaluations used a newer version.
    """
    professionals = {p.id: p for p in bundle.professionals}
    known = set(professionals)
    resources: list[tuple[str, dict[str, Any]]] = [
        (
            bundle.patient.id,
            patient_resource(bundle.patient, bundle.patient.medecin_traitant_id in known),
        )
    ]
    resources += [(pid, practitioner_resource(p)) for pid, p in professionals.items()]
    resources.append((bundle.escap.id, care_team_resource(bundle, known)))
    resources.append((f"plan-{bundle.escap.id}", care_plan_resource(bundle, known)))
    if bundle.consent is not None:
        resources.append((bundle.consent.id, consent_resource(bundle.consent, known)))
    assessments = sorted(bundle.assessments, key=lambda a: a.assessed_on)
    written: set[str] = set()
    for assessment in assessments:
        items = _items_for(grid_items, assessment)
        url = questionnaire_url(assessment.grid_id, assessment.grid_version)
        if url not in written:
            written.add(url)
            resources.append(
                (
                    f"grid-{url}",
                    questionnaire_resource(
                        assessment.grid_id, assessment.grid_version, items, assessment.threshold
                    ),
                )
            )
        resources.append((assessment.id, questionnaire_response_resource(assessment, items, known)))
    return {
        "resourceType": "Bundle",
        "id": str(uuid.uuid4()),
        "type": "collection",
        "timestamp": _instant(generated_at),
        "entry": [
            {
                "fullUrl": resource["url"]
                if resource["resourceType"] == "Questionnaire"
                else _full_url(record_id),
                "resource": resource,
            }
            for record_id, resource in resources
        ],
    }


def validate_fhir_bundle(bundle: Mapping[str, Any]) -> None:
    """Validates the Bundle and every resource in it against the FHIR R4B models.

    Raises :class:`ExportError` naming the first invalid resource; a failure here is a bug in
    this module, but the user must never receive an invalid file.
    """
    try:
        get_fhir_model_class("Bundle").model_validate(dict(bundle))
        for entry in bundle.get("entry", []):
            resource = entry["resource"]
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    except (ValueError, KeyError) as error:
        raise ExportError(f"Le lot FHIR produit n'est pas valide ({error}).") from None


def write_fhir_json(bundle: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Validates then writes the bundle as UTF-8 JSON (accents kept readable)."""
    validate_fhir_bundle(bundle)
    target = Path(path)
    try:
        target.write_text(json.dumps(bundle, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as error:
        raise ExportError(
            f"Le fichier {target} n'a pas pu être écrit ({error.strerror or error})."
        ) from None
    return target
