"""The FHIR export: every resource of every patient validates as FHIR R4 (R4B models)."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from escap_desktop.core.entities import (
    ConsentStatus,
    IdentifierKind,
    IdentityStatus,
    MembershipStatus,
)
from escap_desktop.exports.errors import ExportError
from escap_desktop.exports.fhir import (
    IDNPS_SYSTEM,
    INS_NIA_SYSTEM,
    INS_NIR_SYSTEM,
    ORDINAL_VALUE,
    build_fhir_bundle,
    consent_resource,
    patient_resource,
    write_fhir_json,
)
from tests.exports.practice import GRID_ITEMS, GRID_VERSION, Practice

EXPECTED_TYPES = {"Patient", "Practitioner", "CareTeam", "CarePlan"}

GENERATED_AT = datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
"""When the bundles of these tests were made (an input of the export, not the clock)."""


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def references(value: Any) -> list[str]:
    if isinstance(value, dict):
        found = [value["reference"]] if isinstance(value.get("reference"), str) else []
        return found + [r for v in value.values() for r in references(v)]
    if isinstance(value, list):
        return [r for v in value for r in references(v)]
    return []


def test_every_resource_of_every_patient_validates(practice: Practice) -> None:
    for episode in practice.bundles:
        bundle = build_fhir_bundle(episode, GRID_ITEMS, generated_at=GENERATED_AT)

        get_fhir_model_class("Bundle").model_validate(bundle)
        kinds = set()
        for entry in bundle["entry"]:
            resource = entry["resource"]
            kinds.add(resource["resourceType"])
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)
        assert kinds >= EXPECTED_TYPES
        assert ("Consent" in kinds) == (episode.consent is not None)
        assert ("QuestionnaireResponse" in kinds) == bool(episode.assessments)
        assert bundle["type"] == "collection"


def test_every_reference_points_inside_the_bundle(practice: Practice) -> None:
    for episode in practice.bundles:
        bundle = build_fhir_bundle(episode, GRID_ITEMS, generated_at=GENERATED_AT)
        urls = {entry["fullUrl"] for entry in bundle["entry"]}
        assert set(references(bundle)) <= urls


def test_ins_is_sent_only_for_qualified_identities(practice: Practice) -> None:
    seen = {True: 0, False: 0}
    for patient in practice.patients:
        resource = patient_resource(patient, gp_known=False)
        ins = [i for i in resource["identifier"] if i["system"] == INS_NIR_SYSTEM]
        qualified = patient.identity_status is IdentityStatus.QUALIFIED and bool(patient.ins)
        seen[qualified] += 1
        if qualified:
            assert ins == [
                {
                    "use": "official",
                    "type": {
                        "coding": [
                            {
                                "system": "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203",
                                "code": "INS-NIR",
                                "display": "NIR définitif",
                            }
                        ]
                    },
                    "system": "urn:oid:1.2.250.1.213.1.4.8",
                    "value": patient.ins,
                }
            ]
        else:
            assert ins == []
            assert patient.ins == "" or patient.ins not in json.dumps(resource)
    assert seen[True]
    assert seen[False]


def test_temporary_number_is_sent_as_ins_nia(practice: Practice) -> None:
    patient = replace(
        practice.patients[1], ins="756022A05598455", identity_status=IdentityStatus.QUALIFIED
    )
    identifiers = patient_resource(patient, gp_known=False)["identifier"]
    assert [i["system"] for i in identifiers] == ["urn:ietf:rfc:3986", INS_NIA_SYSTEM]


def test_names_follow_fr_core(practice: Practice) -> None:
    patient = next(p for p in practice.patients if p.used_name and " " in p.first_names)
    names = patient_resource(patient, gp_known=False)["name"]

    official, usual = names
    assert official["use"] == "official"
    assert official["family"] == patient.birth_name
    assert official["given"] == [patient.first_names.split()[0]]
    assert official["extension"][0]["valueString"] == patient.first_names
    assert usual == {"use": "usual", "family": patient.used_name, "given": [official["given"][0]]}


def test_practitioners_carry_8_plus_rpps(practice: Practice) -> None:
    checked = set()
    for episode in practice.bundles:
        bundle = build_fhir_bundle(episode, GRID_ITEMS, generated_at=GENERATED_AT)
        for resource in resources(bundle, "Practitioner"):
            professional = next(p for p in practice.professionals if resource["id"] == p.id)
            identifiers = resource.get("identifier", [])
            if professional.identifier_kind is IdentifierKind.RPPS:
                assert [i["system"] for i in identifiers] == [IDNPS_SYSTEM]
                assert identifiers[0]["value"] == "8" + professional.identifier
                assert len(identifiers[0]["value"]) == 12
            elif professional.identifier_kind is IdentifierKind.ADELI:
                assert identifiers[0]["value"] == "0" + professional.identifier
            else:
                assert identifiers == []
            checked.add(professional.identifier_kind)
    assert checked == set(IdentifierKind)


def test_care_team_lists_the_patient_and_accepted_members_only(practice: Practice) -> None:
    episode = next(
        b
        for b in practice.bundles
        if any(m.status is MembershipStatus.INVITED for m in b.memberships)
        and any(m.status is MembershipStatus.ACCEPTED for m in b.memberships)
    )
    team = resources(build_fhir_bundle(episode, GRID_ITEMS, generated_at=GENERATED_AT), "CareTeam")[
        0
    ]

    accepted = [m for m in episode.memberships if m.status is MembershipStatus.ACCEPTED]
    assert len(team["participant"]) == 1 + len(accepted)
    assert team["participant"][0]["role"] == [{"text": "Patient"}]
    assert {p["role"][0]["text"] for p in team["participant"][1:]} == {m.role for m in accepted}


def test_care_plan_lists_every_action_with_its_performer(practice: Practice) -> None:
    episode = next(b for b in practice.bundles if len(b.actions) >= 3)
    plan = resources(build_fhir_bundle(episode, GRID_ITEMS, generated_at=GENERATED_AT), "CarePlan")[
        0
    ]

    assert len(plan["activity"]) == len(episode.actions)
    statuses = {a["detail"]["status"] for a in plan["activity"]}
    assert statuses <= {"scheduled", "not-started", "completed", "cancelled"}
    assert all("performer" in a["detail"] for a in plan["activity"])
    assert any("scheduledString" in a["detail"] for a in plan["activity"])


@pytest.mark.parametrize(
    ("status", "withdrawn", "expected", "provision"),
    [
        (ConsentStatus.PRINTED, None, "proposed", "permit"),
        (ConsentStatus.SIGNED, None, "active", "permit"),
        (ConsentStatus.SIGNED, date(2025, 9, 1), "inactive", "permit"),
        (ConsentStatus.WITHDRAWN, date(2025, 9, 1), "inactive", "permit"),
        (ConsentStatus.REFUSED, None, "rejected", "deny"),
    ],
)
def test_consent_status_follows_the_patient_s_answer(
    practice: Practice,
    status: ConsentStatus,
    withdrawn: date | None,
    expected: str,
    provision: str,
) -> None:
    consent = next(b.consent for b in practice.bundles if b.consent is not None)
    consent = replace(consent, status=status, withdrawn_on=withdrawn)
    resource = consent_resource(consent, {p.id for p in practice.professionals})

    get_fhir_model_class("Consent").model_validate(resource)
    assert resource["status"] == expected
    assert resource["scope"]["coding"][0]["code"] == "patient-privacy"
    assert resource["provision"]["type"] == provision
    assert {c["code"][0]["text"] for c in resource["provision"]["provision"]} == {
        s.label for s in consent.scopes
    }
    assert len(resource["provision"]["actor"]) == len(consent.recipient_ids)


def test_grid_is_a_questionnaire_with_points_and_answers(practice: Practice) -> None:
    episode = next(b for b in practice.bundles if b.assessments)
    bundle = build_fhir_bundle(episode, GRID_ITEMS, generated_at=GENERATED_AT)
    (questionnaire,) = resources(bundle, "Questionnaire")
    response = resources(bundle, "QuestionnaireResponse")[0]
    assessment = sorted(episode.assessments, key=lambda a: a.assessed_on)[0]

    assert questionnaire["version"] == GRID_VERSION
    items = [i for group in questionnaire["item"] if "item" in group for i in group["item"]]
    assert [i["linkId"] for i in items] == [item_id for item_id, *_ in GRID_ITEMS]
    assert len(items) == 26
    yes = items[0]["answerOption"][0]
    assert yes["extension"] == [{"url": ORDINAL_VALUE, "valueDecimal": 1}]
    assert response["questionnaire"] == questionnaire["url"]
    answers = {
        i["linkId"]: i["answer"][0]["valueCoding"]["code"]
        for group in response["item"]
        for i in group.get("item", [])
    }
    assert answers == {k: "Y" if v else "N" for k, v in assessment.answers.items()}
    assert response["item"][-1] == {
        "linkId": "score",
        "answer": [{"valueInteger": assessment.score}],
    }


def test_grid_version_must_be_supplied(practice: Practice) -> None:
    episode = next(b for b in practice.bundles if b.assessments)
    with pytest.raises(ExportError, match=f"La grille version {GRID_VERSION}"):
        build_fhir_bundle(episode, {"2024.9": GRID_ITEMS}, generated_at=GENERATED_AT)
    with pytest.raises(ExportError, match="ne contient pas les items"):
        build_fhir_bundle(episode, GRID_ITEMS[:10], generated_at=GENERATED_AT)
    bundle = build_fhir_bundle(episode, {GRID_VERSION: GRID_ITEMS}, generated_at=GENERATED_AT)
    assert resources(bundle, "Questionnaire")


def test_written_file_is_valid_json_with_accents(practice: Practice, tmp_path: Path) -> None:
    episode = practice.bundles[0]
    bundle = build_fhir_bundle(
        episode, GRID_ITEMS, generated_at=datetime(2026, 10, 1, 8, 30, tzinfo=UTC)
    )
    path = write_fhir_json(bundle, tmp_path / "patient.json")

    text = path.read_text(encoding="utf-8")
    assert episode.patient.birth_name in text
    assert json.loads(text)["timestamp"] == "2026-10-01T08:30:00+00:00"
    get_fhir_model_class("Bundle").model_validate(json.loads(text))


def test_invalid_bundle_is_never_written(practice: Practice, tmp_path: Path) -> None:
    bundle = build_fhir_bundle(practice.bundles[0], GRID_ITEMS, generated_at=GENERATED_AT)
    bundle["entry"][0]["resource"]["birthDate"] = "12/03/1950"

    with pytest.raises(ExportError, match="n'est pas valide"):
        write_fhir_json(bundle, tmp_path / "patient.json")
    assert not (tmp_path / "patient.json").exists()


@dataclass(frozen=True)
class LoadedItem:
    """Shaped like the items of a loaded grid file (fields, not a tuple)."""

    id: str
    label: str
    points: int
    group: str


def test_grid_items_may_be_objects_with_fields(practice: Practice) -> None:
    episode = next(b for b in practice.bundles if b.assessments)
    objects = [
        LoadedItem(item_id, label, points, group) for item_id, label, group, points in GRID_ITEMS
    ]

    from_objects = build_fhir_bundle(
        episode, objects, generated_at=datetime(2026, 1, 1, tzinfo=UTC)
    )
    from_tuples = build_fhir_bundle(
        episode, GRID_ITEMS, generated_at=datetime(2026, 1, 1, tzinfo=UTC)
    )

    assert resources(from_objects, "Questionnaire") == resources(from_tuples, "Questionnaire")
